/** The import-graph check backends run: its scanner sees every form, and it flags what it must. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { importProblems, moduleSpecifiers } from '../src/imports.js';

it('finds the specifiers of each import form', () => {
  const text = `import a from '@vfpu/core/internal';\nexport { b } from "./x.js";\nimport('@vfpu/core/engine');\nimport '@vfpu/core/units';`;
  expect(moduleSpecifiers(text)).toEqual([
    '@vfpu/core/internal',
    './x.js',
    '@vfpu/core/engine',
    '@vfpu/core/units',
  ]);
});

it('flags core internals, other packages and paths out of the package', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vfpu-imports-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(
    join(dir, 'a.ts'),
    `import { x } from '@vfpu/core';\nimport { y } from '@vfpu/core/backend-utils';\nimport { z } from './sub/b.js';\nimport { readFileSync } from 'node:fs';`,
  );
  writeFileSync(
    join(dir, 'sub', 'b.ts'),
    `import { Simulator } from '@vfpu/core/internal';\nimport { mipsVz } from '@vfpu/mips-vz';\nexport * from '../../elsewhere.js';`,
  );
  const r = importProblems(dir);
  rmSync(dir, { recursive: true, force: true });
  expect(r.files).toBe(2);
  expect(r.problems).toEqual([
    'sub/b.ts: @vfpu/core/internal',
    'sub/b.ts: @vfpu/mips-vz',
    'sub/b.ts: ../../elsewhere.js',
  ]);
});

it("allows the package's own package.json (its version), from any depth, and no other", () => {
  const root = mkdtempSync(join(tmpdir(), 'vfpu-imports-'));
  const dir = join(root, 'src');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'a.ts'), `import pkg from '../package.json' with { type: 'json' };`);
  writeFileSync(
    join(dir, 'sub', 'b.ts'),
    `import pkg from '../../package.json' with { type: 'json' };\nimport other from '../../../x/package.json';\nimport own from './package.json';`,
  );
  const r = importProblems(dir);
  rmSync(root, { recursive: true, force: true });
  expect(r.problems).toEqual(['sub/b.ts: ../../../x/package.json']);
});
