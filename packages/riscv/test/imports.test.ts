/** The package imports nothing from @vfpu/core but its public entry and backend-utils. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every module specifier of static imports, re-exports and dynamic imports. */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1] as string);
  return out;
}

describe('import graph', () => {
  it('src/**/*.ts imports only @vfpu/core, @vfpu/core/backend-utils and relative files', () => {
    const bad: string[] = [];
    const list = files(SRC);
    expect(list.length).toBeGreaterThan(5);
    for (const f of list) {
      for (const s of specifiers(readFileSync(f, 'utf8'))) {
        const ok = s === '@vfpu/core' || s === '@vfpu/core/backend-utils' || s.startsWith('./');
        if (!ok) bad.push(`${f}: ${s}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the scanner sees the forms it must refuse', () => {
    const text = `import { x } from '@vfpu/core/internal';\nexport * from "../x.js";\nconst m = await import('node:fs');`;
    expect(specifiers(text)).toEqual(['@vfpu/core/internal', '../x.js', 'node:fs']);
  });
});
