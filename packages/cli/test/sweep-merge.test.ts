/**
 * Shards and `vfpu merge`: 4 shards merged are the unsharded sweep byte for byte (NDJSON and CSV),
 * whatever order they are given in; shards of another sweep, a missing, duplicated or truncated
 * shard are refused (exit 2, naming the file), writing nothing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { cleanup, cli, HEADER, tempDir, writeFile } from './helpers.js';

const dir = tempDir();
afterAll(() => cleanup(dir));

const SWEEP = [
  'sweep',
  'preset:desktop',
  '--events',
  '1200',
  '--set',
  'arch=mips-vz,arm-vfp:arm64-e4,x86-xfd',
  '--set',
  'policy=kvm,eager,adaptive:threshold=3',
  '--set',
  'param.scalar=0.1,0.3',
  '--seeds',
  '3',
];

async function ok(argv: readonly string[]): Promise<string> {
  const r = await cli(argv);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return r.out;
}

async function shards(prefix: string, args: readonly string[], n: number): Promise<string[]> {
  const paths: string[] = [];
  for (let i = 0; i < n; i++) {
    const path = join(dir, `${prefix}-${i}.ndjson`);
    await ok([...args, '--shard-index', String(i), '--shard-count', String(n), '-o', path]);
    paths.push(path);
  }
  return paths;
}

describe('vfpu merge', () => {
  it('4 shards merged equal the unsharded sweep byte for byte, NDJSON and CSV', async () => {
    const whole = join(dir, 'whole.ndjson');
    const wholeCsv = join(dir, 'whole.csv');
    await ok([...SWEEP, '-o', whole, '--csv', wholeCsv]);
    const parts = await shards('a', SWEEP, 4);
    // each shard holds a header and only its share of the 54 runs
    const counts = parts.map((p) => readFileSync(p, 'utf8').trimEnd().split('\n').length - 1);
    expect(counts).toEqual([13, 14, 13, 14]);
    const merged = join(dir, 'merged.ndjson');
    const mergedCsv = join(dir, 'merged.csv');
    const [a0, a1, a2, a3] = parts as [string, string, string, string];
    await ok(['merge', a2, a0, a3, a1, '-o', merged, '--csv', mergedCsv]);
    expect(readFileSync(merged)).toEqual(readFileSync(whole));
    expect(readFileSync(mergedCsv)).toEqual(readFileSync(wholeCsv));
    // to stdout as well
    expect(await ok(['merge', ...parts])).toBe(readFileSync(whole, 'utf8'));
    expect(readFileSync(whole, 'utf8').split('\n')).toHaveLength(54 + 18 + 1);
  });

  it('a Slurm array task takes its shard from the environment', async () => {
    const small = ['sweep', 'preset:idle', '--events', '400', '--set', 'policy=kvm,eager'];
    const parts: string[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        vi.stubEnv('SLURM_ARRAY_TASK_ID', String(10 + i));
        vi.stubEnv('SLURM_ARRAY_TASK_MIN', '10');
        vi.stubEnv('SLURM_ARRAY_TASK_MAX', '11');
        const path = join(dir, `env-${i}.ndjson`);
        await ok([...small, '--seeds', '2', '-o', path]);
        expect(JSON.parse(readFileSync(path, 'utf8').split('\n')[0] as string)).toMatchObject({
          shard: i,
          shards: 2,
        });
        parts.push(path);
      }
    } finally {
      vi.unstubAllEnvs();
    }
    expect(await ok(['merge', ...parts])).toBe(await ok([...small, '--seeds', '2']));
  });

  it('refuses shards of another sweep, a missing, duplicated or truncated shard (exit 2)', async () => {
    const args = [
      'sweep',
      'preset:hpc',
      '--events',
      '300',
      '--set',
      'policy=kvm,lazy',
      '--seeds',
      '2',
    ];
    const parts = await shards('b', args, 3);
    const other = await shards('c', [...args.slice(0, -1), '3'], 3);
    const out = join(dir, 'refused.ndjson');
    const refuse = async (argv: string[], message: RegExp) => {
      const r = await cli(['merge', ...argv, '-o', out]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe('');
      expect(existsSync(out)).toBe(false);
    };
    const [p0, p1, p2] = parts as [string, string, string];
    await refuse(
      [p0, p1, other[2] as string],
      new RegExp(`^vfpu: ${other[2]}: a shard of another sweep than ${p0}`),
    );
    await refuse([p0, p2], /^vfpu: .*b-0\.ndjson: shard 1 of 3 missing/);
    await refuse([p0, p1, p2, p1], new RegExp(`^vfpu: ${p1}: shard 1 of 3 again \\(also ${p1}\\)`));
    const cut = join(dir, 'cut.ndjson');
    const text = readFileSync(p1, 'utf8');
    writeFileSync(cut, text.slice(0, text.lastIndexOf('\n', text.length - 2) + 1));
    await refuse([p0, cut, p2], new RegExp(`^vfpu: ${cut}: \\d+ rows where its header says`));
    const notShard = join(dir, 'whole-b.ndjson');
    await ok([...args, '-o', notShard]);
    await refuse([notShard], new RegExp(`^vfpu: ${notShard}:1: not a vfpu sweep shard`));
  });

  it('a shard does not write CSV; --shard-index needs a count', async () => {
    const csv = await cli([
      'sweep',
      'preset:idle',
      '--shard-index',
      '0',
      '--shard-count',
      '2',
      '--csv',
      'x.csv',
    ]);
    expect([csv.code, csv.err]).toEqual([
      2,
      'vfpu: --csv: a shard writes NDJSON only; give --csv to vfpu merge\n',
    ]);
    const idx = await cli(['sweep', 'preset:idle', '--shard-index', '1']);
    expect(idx.code).toBe(2);
    expect(idx.err).toMatch(/give --shard-count/);
  });

  it('a workload file with a state violation: the sweep and the merge exit 1 and keep the rows', async () => {
    const file = writeFile(dir, 'fault.ndjson', [
      { ...HEADER, cpus: 1, threads: [], config: { faults: ['skip-msa-upper-restore'] } },
      { op: 'load', vcpu: 0, cpu: 0 },
      { op: 'enter', vcpu: 0 },
      { op: 'use', vcpu: 0, unit: 'fpu', access: 'write', reg: 3 },
      { op: 'use', vcpu: 0, unit: 'msa', access: 'write', reg: 3 },
      { op: 'exit', vcpu: 0, reason: 'irq' },
      { op: 'put', vcpu: 0 },
      { op: 'load', vcpu: 1, cpu: 0 },
      { op: 'enter', vcpu: 1 },
      { op: 'use', vcpu: 1, unit: 'msa', access: 'write', reg: 3 },
      { op: 'exit', vcpu: 1, reason: 'irq' },
      { op: 'put', vcpu: 1 },
      { op: 'load', vcpu: 0, cpu: 0 },
      { op: 'enter', vcpu: 0 },
      { op: 'use', vcpu: 0, unit: 'fpu', access: 'read', reg: 3 },
      { op: 'use', vcpu: 0, unit: 'msa', access: 'read', reg: 3 },
    ]);
    const args = ['sweep', file, '--set', 'policy=kvm,eager', '--seeds', '2'];
    const whole = await cli(args);
    expect(whole.code).toBe(1);
    expect(whole.out).toMatch(/"kind":"run".*"violations":[1-9]/);
    const parts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const path = join(dir, `fault-${i}.ndjson`);
      expect(
        (await cli([...args, '--shard-index', String(i), '--shard-count', '2', '-o', path])).code,
      ).toBe(1);
      parts.push(path);
    }
    const merged = await cli(['merge', ...parts]);
    expect(merged.code).toBe(1);
    expect(merged.out).toBe(whole.out);
  });
});
