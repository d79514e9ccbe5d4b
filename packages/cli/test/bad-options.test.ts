/**
 * Bad command-line options: exit 2 with one line, no stack trace.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageFailure } from './bad-input-shared.js';
import { cleanup, cli, HEADER, IN_GUEST, tempDir, writeFile } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

describe('bad options', () => {
  const workload = () => writeFile(dir, 'options-workload.ndjson', [HEADER, ...IN_GUEST]);

  it('unknown policy', async () => {
    expectUsageFailure(await cli(['run', workload(), '--json', '--policy', 'greedy']), [
      'vfpu: --policy: unknown policy "greedy" (known: kvm, lazy, eager, lazy-per-exit, widest, adaptive, cost-aware, clairvoyant)',
    ]);
  });

  it('unknown policy later in a list: nothing printed for the first', async () => {
    expectUsageFailure(await cli(['run', workload(), '--json', '--policy', 'kvm,bogus']), [
      'vfpu: --policy: unknown policy "bogus"',
    ]);
  });

  it('bad policy parameter', async () => {
    expectUsageFailure(await cli(['run', workload(), '--json', '--policy', 'adaptive:speed=3']), [
      'vfpu: --policy: policy adaptive: bad parameter "speed=3" (expected key=integer; keys: threshold, wrap, initial)',
    ]);
  });

  it('parameter for a policy that has none', async () => {
    expectUsageFailure(await cli(['run', workload(), '--json', '--policy', 'eager:x=1']), [
      'vfpu: --policy: policy eager: bad parameter "x=1" (expected key=integer; keys: none)',
    ]);
  });

  it('policy parameter out of range', async () => {
    expectUsageFailure(
      await cli(['run', workload(), '--json', '--policy', 'adaptive:threshold=99999999']),
      ['vfpu: --policy: policy adaptive: threshold=99999999 is outside 1..1000000'],
    );
  });

  it('empty policy list', async () => {
    expectUsageFailure(await cli(['run', workload(), '--json', '--policy', ',']), [
      'vfpu: --policy: give at least one policy',
    ]);
  });

  it('--trace with several policies', async () => {
    const out = join(dir, 'two-policies.trace');
    expectUsageFailure(await cli(['run', workload(), '--policy', 'kvm,eager', '--trace', out]), [
      'vfpu: --trace takes one policy',
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('unknown preset', async () => {
    expectUsageFailure(await cli(['run', 'preset:bogus', '--json']), [
      'vfpu: preset:bogus: unknown preset "bogus" (known: idle, desktop, hpc, io-heavy, simd-bursty, overcommit, sleazy-getpid, loongarch-pipe, x86-build-nm, sve-bimodal, arm64-lmbench)',
    ]);
  });

  it('unknown preset parameter', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--events', '10', '--param', 'bogus=1']), [
      'vfpu: --param: unknown parameter "bogus" (known: scalar,',
    ]);
  });

  it('preset parameter out of range', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--events', '10', '--param', 'cpus=0']), [
      'vfpu: --param: cpus must be an integer from 1 to 1024, got 0',
    ]);
  });

  it('preset probabilities summing above 1', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--events', '10', '--param', 'scalar=2']), [
      'vfpu: --param: scalar 2 + ',
      ' > 1 (preset idle: the shares of a guest step add up to at most 1)',
    ]);
  });

  it('bad --param syntax', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--param', 'bogus']), [
      'vfpu: --param: expected key=number, got "bogus"',
    ]);
  });

  it('bad --param value', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--param', 'slice=-']), [
      'vfpu: --param: expected key=number, got "slice=-"',
    ]);
  });

  it('--param with a file workload', async () => {
    expectUsageFailure(await cli(['run', workload(), '--param', 'slice=3']), [
      'vfpu: --param applies to preset: workloads only',
    ]);
  });

  it('--arch unknown for a preset', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--events', '10', '--arch', 'x86']), [
      'vfpu: --arch: unknown arch "x86" (known: mips-vz, arm-vfp, x86-xfd, loongarch, riscv); did you mean "x86-xfd"?',
    ]);
  });

  it('bad --seed (not a number)', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--seed', 'abc']), [
      'vfpu: --seed: must be an integer from 0 to 4294967295, got "abc"',
    ]);
  });

  it('bad --seed (negative)', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--seed', '-1']), [
      'vfpu: --seed: must be an integer from 0 to 4294967295, got -1',
    ]);
  });

  it('bad --seed (above 32 bits)', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--seed', '99999999999']), [
      'vfpu: --seed: must be an integer from 0 to 4294967295, got 99999999999',
    ]);
  });

  it('bad --events', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--events', '0']), [
      'vfpu: --events: must be a positive integer, got 0',
    ]);
  });

  it('gen: unknown preset', async () => {
    expectUsageFailure(await cli(['gen', 'bogus', '--events', '10']), [
      'vfpu: unknown preset "bogus" (known: idle, desktop, hpc, io-heavy, simd-bursty, overcommit, sleazy-getpid, loongarch-pipe, x86-build-nm, sve-bimodal, arm64-lmbench)',
    ]);
  });

  it('gen: bad --seed', async () => {
    expectUsageFailure(await cli(['gen', 'idle', '--seed', '1.5']), [
      'vfpu: --seed: must be an integer from 0 to 4294967295, got 1.5',
    ]);
  });

  it('unknown command', async () => {
    expectUsageFailure(await cli(['frobnicate']), ["error: unknown command 'frobnicate'"]);
  });

  it('unknown option', async () => {
    expectUsageFailure(await cli(['run', workload(), '--frob']), [
      "error: unknown option '--frob'",
    ]);
  });

  it('missing argument: the message, then the usage line', async () => {
    const r = await cli(['run']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      "error: missing required argument 'workload'\nUsage: vfpu run [options] <workload>\n",
    );
  });
});
