/** `--jobs N`: the simulators spread over worker threads give exactly the one-thread reports. */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { shares } from '../src/jobs.js';
import { cli } from './helpers.js';

// the worker is a built file (dist/jobs-worker.js): run the built command
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const bin = (args: string[], input?: string) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', ...(input ? { input } : {}) });
const SIX = 'kvm,eager,lazy,lazy-per-exit,widest,adaptive';

describe('--jobs', () => {
  it('splits the configurations in contiguous shares within one of each other', () => {
    expect(shares([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6, 7],
    ]);
    expect(shares([1, 2], 4)).toEqual([[1], [2]]);
  });

  it('run --jobs 2 of six policies equals --jobs 1, byte for byte', () => {
    const args = ['run', 'preset:overcommit', '--events', '20000', '--policy', SIX, '--json'];
    const one = bin([...args, '--jobs', '1']);
    const two = bin([...args, '--jobs', '2']);
    expect(two.stderr).toBe('');
    expect(two.status).toBe(0);
    expect(two.stdout).toBe(one.stdout);
  });

  it('compare --jobs 3 on stdin equals one thread; a bad workload in a worker exits 2', async () => {
    const gen = await cli(['gen', 'desktop', '--events', '3000']);
    const args = ['compare', '-', '--arch', 'mips-vz,x86-xfd', '--policy', 'kvm,eager', '--csv'];
    const one = bin(args, gen.out);
    const three = bin([...args, '--jobs', '3'], gen.out);
    expect(three.status).toBe(0);
    expect(three.stdout).toBe(one.stdout);
    const bad = bin(
      [...args, '--jobs', '2'],
      `${gen.out.split('\n')[0]}\n{"op":"enter","vcpu":0}\n`,
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('vfpu: <stdin>:2: vcpu: enter: vcpu 0 is not loaded\n');
    // run of stdin: the same JSON as one thread (the spool is not named)
    const runArgs = ['run', '-', '--policy', 'kvm,eager', '--json'];
    expect(bin([...runArgs, '--jobs', '2'], gen.out).stdout).toBe(bin(runArgs, gen.out).stdout);
  });

  it('refuses --trace and --perfetto with more than one job', async () => {
    const r = await cli(['run', 'preset:idle', '--jobs', '2', '--perfetto', '/tmp/x.json']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('vfpu: --jobs: --trace and --perfetto run in one thread\n');
  });
});
