/** `--backend <module>`: extra backends from a package name or a file path (in-process). */
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { cleanup, collector, expectToyReport, tempDir, toyLines, writeFile } from './helpers.js';

const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));
const dir = tempDir();
afterAll(() => cleanup(dir));

/** Runs main with the package directory as the cwd (the tests' relative paths start there). */
async function cli(argv: readonly string[], cwd = CLI_DIR) {
  const out = collector();
  const err = collector();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream, progress: false, cwd });
  return { code, out: out.text(), err: err.text() };
}

function toyWorkload(arch: string): string {
  return writeFile(dir, `${arch}.ndjson`, toyLines(arch));
}

/** A usage error: exit 2, one line naming the module, no stack trace. */
function expectUsageError(r: { code: number; out: string; err: string }, module: string): void {
  expect(r.code).toBe(2);
  expect(r.out).toBe('');
  expect(r.err.startsWith(`vfpu: --backend ${module}: `)).toBe(true);
  expect(r.err.endsWith('\n')).toBe(true);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).not.toMatch(/\n\s+at /);
}

describe('--backend loads a backend', () => {
  it('from a package subpath (the default export of @vfpu/testkit/toy)', async () => {
    const w = toyWorkload('toy');
    const r = await cli(['run', w, '--backend', '@vfpu/testkit/toy', '--arch', 'toy', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expectToyReport(r.out, 'toy');
  });

  it('selected by the workload header alone, and by explain', async () => {
    const w = toyWorkload('toy');
    const run = await cli(['run', w, '--backend', '@vfpu/testkit/toy', '--json']);
    expect(run.code).toBe(0);
    expectToyReport(run.out, 'toy');
    const ex = await cli(['explain', w, '--backend', '@vfpu/testkit/toy']);
    expect(ex.code).toBe(0);
    expect(ex.out).toContain('toy_restore');
    expect(ex.out).toContain('toy_save');
  });

  it('from a relative file path: a named export', async () => {
    const w = toyWorkload('toy-named');
    const r = await cli(['run', w, '--backend', './test/fixtures/named-backend.mjs', '--json']);
    expect(r.code).toBe(0);
    expectToyReport(r.out, 'toy-named');
  });

  it('from a path relative to the cwd given, and from an absolute path', async () => {
    const w = toyWorkload('toy-factory');
    const rel = await cli(
      ['run', w, '--backend', 'fixtures/factory-backend.mjs', '--json'],
      `${CLI_DIR}/test`,
    );
    expect(rel.code).toBe(0);
    expectToyReport(rel.out, 'toy-factory');
    const abs = fileURLToPath(new URL('fixtures/default-factory.mjs', import.meta.url));
    const r = await cli(['run', toyWorkload('toy-default-factory'), '--backend', abs, '--json']);
    expect(r.code).toBe(0);
    expectToyReport(r.out, 'toy-default-factory');
  });

  it('repeatable: several modules add several backends; list shows them', async () => {
    const args = [
      '--backend',
      '@vfpu/testkit/toy',
      '--backend',
      './test/fixtures/named-backend.mjs',
    ];
    const json = await cli(['list', '--json', ...args]);
    expect(json.code).toBe(0);
    const ids = JSON.parse(json.out).archs.map((a: { id: string }) => a.id);
    expect(ids).toEqual([
      'mips-vz',
      'arm-vfp',
      'x86-xfd',
      'loongarch',
      'riscv',
      'toy',
      'toy-named',
    ]);
    const text = await cli(['list', ...args]);
    expect(text.out).toContain(
      '  toy 0.0.0 — a one-unit lazy backend: the template for writing a backend\n',
    );
    const r = await cli([
      'run',
      toyWorkload('toy-named'),
      '--arch',
      'toy-named',
      ...args,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expectToyReport(r.out, 'toy-named');
  });

  it('without --backend the toy is unknown', async () => {
    const r = await cli(['run', toyWorkload('toy'), '--json']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('toy');
  });
});

describe('--backend usage errors (exit 2, the module named, no stack)', () => {
  it('a file that does not exist', async () => {
    const r = await cli(['run', toyWorkload('toy'), '--backend', './no/such.mjs']);
    expectUsageError(r, './no/such.mjs');
    expect(r.err).toContain('cannot load');
  });

  it('a package that is not installed', async () => {
    const r = await cli(['list', '--backend', '@vfpu/no-such-backend']);
    expectUsageError(r, '@vfpu/no-such-backend');
    expect(r.err).toContain('cannot load');
  });

  it('a module that throws while loading', async () => {
    const r = await cli([
      'explain',
      toyWorkload('toy'),
      '--backend',
      'test/fixtures/throws-on-load.mjs',
    ]);
    expectUsageError(r, 'test/fixtures/throws-on-load.mjs');
    expect(r.err).toContain('cannot load (cannot initialise)');
  });

  it('a module that exports no backend', async () => {
    const r = await cli(['run', toyWorkload('toy'), '--backend', './test/fixtures/no-backend.mjs']);
    expectUsageError(r, './test/fixtures/no-backend.mjs');
    expect(r.err).toContain('exports no backend');
    expect(r.err).toContain('a factory threw: factory failed');
  });

  it('a backend of contract v1 is named as such', async () => {
    const r = await cli(['run', toyWorkload('toy'), '--backend', './test/fixtures/v1-backend.mjs']);
    expectUsageError(r, './test/fixtures/v1-backend.mjs');
    expect(r.err).toContain('implements backend contract v1; this vfpu needs v2');
  });

  it('a backend whose id is taken', async () => {
    const twice = ['--backend', '@vfpu/testkit/toy', '--backend', '@vfpu/testkit/toy'];
    const r = await cli(['list', ...twice]);
    expectUsageError(r, '@vfpu/testkit/toy');
    expect(r.err).toContain('backend id "toy" is already taken');
  });
});
