/** The package is written against core's public contract: it imports nothing else from core. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));
const ALLOWED = new Set(['@vfpu/core', '@vfpu/core/backend-utils']);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Every module specifier of `import … from`, `export … from`, `import(…)` and bare `import '…'`. */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\1/g;
  for (const m of text.matchAll(re)) out.push(m[2] as string);
  return out;
}

describe('import graph', () => {
  const files = sources(SRC);

  it('scans every source file', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it('finds the specifiers of each import form (the scanner can fail)', () => {
    const text = `import a from '@vfpu/core/internal';\nexport { b } from "./x.js";\nimport('@vfpu/core/engine');\nimport '@vfpu/core/units';`;
    expect(specifiers(text)).toEqual([
      '@vfpu/core/internal',
      './x.js',
      '@vfpu/core/engine',
      '@vfpu/core/units',
    ]);
  });

  it('imports only @vfpu/core, @vfpu/core/backend-utils and its own files', () => {
    const bad: string[] = [];
    for (const f of files) {
      for (const s of specifiers(readFileSync(f, 'utf8'))) {
        if (s.startsWith('./') || ALLOWED.has(s)) continue;
        bad.push(`${f}: ${s}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
