/**
 * The rule for a backend package: its sources import nothing from `@vfpu/core` but the public
 * entry and `@vfpu/core/backend-utils` (never `@vfpu/core/internal`), and no other package's
 * files. `importProblems(srcDir)` lists every import that breaks it (empty: the package keeps it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const ALLOWED_CORE = new Set(['@vfpu/core', '@vfpu/core/backend-utils']);

/** Every module specifier of `import … from`, `export … from`, `import(…)` and bare `import '…'`. */
export function moduleSpecifiers(text: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\1/g;
  for (const m of text.matchAll(re)) out.push(m[2] as string);
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** What `importProblems` found: how many files it scanned and every import outside the rule. */
export interface ImportCheck {
  /** The `.ts` files scanned. */
  readonly files: number;
  /** `file: specifier` for every import outside the rule. */
  readonly problems: readonly string[];
}

/**
 * Scans `srcDir` (recursively): an import is fine when it is relative inside the package
 * (`./…`), a Node built-in (`node:…`), `@vfpu/core` / `@vfpu/core/backend-utils`, or the
 * package's own `package.json` (where a backend reads its version).
 */
export function importProblems(srcDir: string): ImportCheck {
  const files = sources(srcDir);
  const problems: string[] = [];
  const manifest = resolve(srcDir, '..', 'package.json');
  for (const f of files) {
    for (const s of moduleSpecifiers(readFileSync(f, 'utf8'))) {
      if (s.startsWith('./') || s.startsWith('node:') || ALLOWED_CORE.has(s)) continue;
      if (s.endsWith('/package.json') && resolve(dirname(f), s) === manifest) continue;
      problems.push(`${f.slice(srcDir.length + 1)}: ${s}`);
    }
  }
  return { files: files.length, problems };
}
