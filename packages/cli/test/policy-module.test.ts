/**
 * `--policy-module`: a PolicyDefinition from a file runs wherever a built-in does (run, compare,
 * sweep, --jobs workers), and gives what the same definition gives through the API; a bad
 * module is exit 2 naming the file.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_POLICIES, runPreset } from '@vfpu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/index.js';
import { cleanup, cli, tempDir } from './helpers.js';

/** `preload-all`: eager under another name, written as a user would (plain JS, no imports). */
const MODULE = `
export default {
  name: 'preload-all',
  description: 'load every enabled unit before each entry',
  origin: 'a test',
  params: {},
  create: (view) => ({
    grant: (v, unit) => view.lattice.closure[unit],
    preload: (v) => view.guestEnabled(v),
    saveAtExit: () => false,
    used() {},
    sliceBegin() {},
    sliceEnd() {},
  }),
};
`;

let dir: string;
let good: string;
beforeAll(() => {
  dir = tempDir();
  good = join(dir, 'preload-all.mjs');
  writeFileSync(good, MODULE);
  writeFileSync(join(dir, 'empty.mjs'), 'export const x = 1;\n');
});
afterAll(() => cleanup(dir));

const GEN = ['preset:desktop', '--events', '1500'];
// --jobs workers are built files (dist/jobs-worker.js): run the built command
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const bin = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const fp = (out: string) => JSON.parse(out).cycles.fp as number;

describe('--policy-module', () => {
  it('run: the module policy equals eager, and the API given the object says the same', async () => {
    const mine = await cli([
      'run',
      ...GEN,
      '--policy-module',
      good,
      '--policy',
      'preload-all',
      '--json',
    ]);
    expect(mine.err).toBe('');
    const eager = await cli(['run', ...GEN, '--policy', 'eager', '--json']);
    expect(fp(mine.out)).toBe(fp(eager.out));
    const def = (await import(good)).default;
    const api = runPreset({ preset: 'desktop', events: 1500 }, { backends: BACKENDS, policy: def });
    expect(api.report.cycles.fp).toBe(fp(mine.out));
    expect(BUILTIN_POLICIES.some((p) => p.name === 'preload-all')).toBe(false);
  });

  it('compare, sweep and --jobs workers load it too', async () => {
    const args = ['--policy-module', good];
    const c = bin([
      'compare',
      ...GEN,
      '--arch',
      'mips-vz,riscv',
      '--policy',
      'preload-all,kvm',
      '--json',
      '--jobs',
      '2',
      ...args,
    ]);
    expect(c.stderr).toBe('');
    const sims = JSON.parse(c.stdout).simulators;
    expect(sims.map((s: { policy: string }) => s.policy)).toEqual([
      'preload-all',
      'kvm',
      'preload-all',
      'kvm',
    ]);
    expect(sims[0].normalized.fp_ratio_to_bound).toBeGreaterThanOrEqual(1);
    const s = await cli([
      'sweep',
      'preset:idle',
      '--events',
      '800',
      '--set',
      'policy=preload-all',
      ...args,
    ]);
    expect(s.code).toBe(0);
    expect(s.out).toContain('"policy":"preload-all"');
  });

  it('a bad module is exit 2 naming the file', async () => {
    const missing = await cli(['run', ...GEN, '--policy-module', join(dir, 'nope.mjs')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.mjs');
    const empty = await cli(['run', ...GEN, '--policy-module', join(dir, 'empty.mjs')]);
    expect(empty.code).toBe(2);
    expect(empty.err).toContain('empty.mjs');
    expect(empty.err).not.toMatch(/\n\s+at /);
  });
});
