/**
 * `vfpu sweep`: the grid's expansion order, the 95 % interval against a hand computation, rows
 * equal to separate runs, determinism, and which shard a process takes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalize } from '../src/compare-table.js';
import { buildGrid, parseSet, pointValues } from '../src/sweep/grid.js';
import { planPasses, resolveShard } from '../src/sweep/shard.js';
import { ci95, mean } from '../src/sweep/stats.js';
import { cleanup, cli, tempDir } from './helpers.js';

const dir = tempDir();
afterAll(() => cleanup(dir));

const rowsOf = (out: string) =>
  out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('sweep grid', () => {
  it('expands events, param.* (in vfpu list order), arch, policy; the last fastest', () => {
    const grid = buildGrid(
      {
        policy: ['kvm', 'eager'],
        arch: ['mips-vz', 'arm-vfp'],
        'param.vcpus': [2, 4],
        'param.scalar': [0.1],
        events: [100, 200],
      },
      3,
    );
    expect(grid.dims.map((d) => d.key)).toEqual([
      'events',
      'param.scalar',
      'param.vcpus',
      'arch',
      'policy',
    ]);
    expect(grid.points).toBe(16);
    expect(grid.runs).toBe(48);
    expect(grid.seeds).toEqual([1, 2, 3]);
    const order = Array.from({ length: grid.points }, (_, p) =>
      Object.values(pointValues(grid, p)).join(' '),
    );
    expect(order.slice(0, 5)).toEqual([
      '100 0.1 2 mips-vz kvm',
      '100 0.1 2 mips-vz eager',
      '100 0.1 2 arm-vfp kvm',
      '100 0.1 2 arm-vfp eager',
      '100 0.1 4 mips-vz kvm',
    ]);
    expect(order[15]).toBe('200 0.1 4 arm-vfp eager');
    expect(new Set(order).size).toBe(16);
  });

  it('--set parses numbers for numeric keys, maps vcpus/cpus, and refuses bad values', () => {
    expect(parseSet('vcpus=1,2')).toEqual(['param.vcpus', [1, 2]]);
    expect(parseSet('policy=kvm,adaptive:threshold=3')).toEqual([
      'policy',
      ['kvm', 'adaptive:threshold=3'],
    ]);
    expect(() => parseSet('events=10,x')).toThrow(/events: expected a number/);
    expect(() => parseSet('seed=1,1')).toThrow(/given twice/);
    expect(() => parseSet('param.nope=1')).toThrow(/unknown grid key/);
    expect(() => buildGrid({ seed: [1] }, 2)).toThrow(/choose one/);
  });

  it('the CLI writes rows in point order, each seed under each point, then one summary per point', async () => {
    const r = await cli([
      'sweep',
      'preset:desktop',
      '--events',
      '500',
      '--set',
      'policy=kvm,eager',
      '--set',
      'arch=mips-vz,x86-xfd',
      '--seeds',
      '2',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rows = rowsOf(r.out);
    expect(rows).toHaveLength(8 + 4);
    expect(rows.slice(0, 8).map((x) => `${x.arch} ${x.policy} ${x.seed}`)).toEqual([
      'mips-vz kvm 1',
      'mips-vz kvm 2',
      'mips-vz eager 1',
      'mips-vz eager 2',
      'x86-xfd kvm 1',
      'x86-xfd kvm 2',
      'x86-xfd eager 1',
      'x86-xfd eager 2',
    ]);
    expect(rows.map((x) => x.run)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, ...Array(4).fill(undefined)]);
    expect(rows.slice(8).map((x) => [x.kind, x.point, x.n])).toEqual([
      ['summary', 0, 2],
      ['summary', 1, 2],
      ['summary', 2, 2],
      ['summary', 3, 2],
    ]);
    const s = rows[8];
    expect(s.bytes_moved).toBeCloseTo(mean([rows[0].bytes_moved, rows[1].bytes_moved]), 4);
    expect(s.bytes_moved_ci95).toBeCloseTo(
      ci95([rows[0].bytes_moved, rows[1].bytes_moved]) as number,
      4,
    );
  });
});

describe('grid files', () => {
  it('a grid file gives the same sweep as --set; --set replaces a key of the file', async () => {
    const grid = join(dir, 'grid.json');
    writeFileSync(
      grid,
      JSON.stringify({ arch: 'arm-vfp', vcpus: [1, 3], policy: ['kvm', 'lazy'] }),
    );
    const base = ['sweep', 'preset:io-heavy', '--events', '600', '--seeds', '2'];
    const fromFile = await cli([...base, '--grid', grid, '--set', 'policy=eager']);
    const fromSet = await cli([
      ...base,
      '--set',
      'arch=arm-vfp',
      '--set',
      'vcpus=1,3',
      '--set',
      'policy=eager',
    ]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.out).toBe(fromSet.out);
    expect(rowsOf(fromFile.out).filter((x) => x.kind === 'summary')).toHaveLength(2);
  });

  it('refuses a grid that is not an object, has an unknown or duplicate key, or a bad value', async () => {
    const cases: [string, RegExp][] = [
      ['[1]', /expected a JSON object/],
      [
        '{"arch": "mips-vz", "arch": "arm-vfp"}',
        /arch: given twice \(JSON would keep only the last/,
      ],
      ['{"colour": [1]}', /unknown grid key "colour"/],
      ['{"vcpus": [1], "param.vcpus": [2]}', /given twice \(as param.vcpus\)/],
      ['{"events": [0]}', /events: expected an integer in 1\.\./],
      ['{"policy": []}', /policy: no values/],
      ['{"arch": ', /malformed JSON/],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const path = join(dir, `bad-${i}.json`);
      writeFileSync(path, text);
      const r = await cli(['sweep', 'preset:idle', '--events', '10', '--grid', path]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe('');
    }
  });
});

describe('95 % interval', () => {
  it('matches a hand computation (Student t, n − 1 degrees of freedom)', () => {
    // 2 4 4 4 5 5 7 9: mean 5, s = √(32/7) = 2.138090, t(0.975, 7) = 2.364624 (tables)
    expect(mean([2, 4, 4, 4, 5, 5, 7, 9])).toBe(5);
    expect(ci95([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo((2.364624 * 2.13809) / Math.sqrt(8), 4);
    // 1 3: s = √2, t(0.975, 1) = 12.7062
    expect(ci95([1, 3])).toBeCloseTo(12.7062, 3);
    expect(ci95([3, 3, 3])).toBe(0);
    expect(ci95([7])).toBeNull();
  });

  it('n = 1 gives no interval in the output', async () => {
    const r = await cli(['sweep', 'preset:idle', '--events', '300']);
    const rows = rowsOf(r.out);
    expect(rows).toHaveLength(2);
    expect(rows[1].n).toBe(1);
    expect(rows[1].saves_ci95).toBeNull();
    expect(rows[1].saves).toBe(rows[0].saves);
  });
});

describe('sweep runs', () => {
  it('each row equals a separate vfpu run of its point and seed', async () => {
    const r = await cli([
      'sweep',
      'preset:simd-bursty',
      '--events',
      '2000',
      '--set',
      'arch=arm-vfp:armv7-c,loongarch',
      '--set',
      'policy=kvm,adaptive:threshold=3',
      '--set',
      'vcpus=3',
      '--seeds',
      '2',
    ]);
    expect(r.code).toBe(0);
    for (const row of rowsOf(r.out).filter((x) => x.kind === 'run')) {
      const alone = await cli([
        'run',
        'preset:simd-bursty',
        '--events',
        '2000',
        '--param',
        'vcpus=3',
        '--arch',
        row.arch,
        '--variant',
        row.variant,
        '--policy',
        row.policy,
        '--seed',
        String(row.seed),
        '--json',
      ]);
      const report = JSON.parse(alone.out);
      expect(row).toMatchObject({ ...normalize(report), events: 2000, 'param.vcpus': 3 });
      expect(row.cycles_total).toBe(Math.round(report.cycles.total));
    }
  });

  it('is deterministic: the same sweep twice gives the same bytes', async () => {
    const args = ['sweep', 'preset:overcommit', '--events', '1500', '--set', 'policy=kvm,lazy'];
    const a = await cli([...args, '--seeds', '3']);
    const b = await cli([...args, '--seeds', '3']);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
  });

  it('refuses events and param.* for a workload file, unknown archs and policies (exit 2)', async () => {
    const file = await cli(['sweep', 'some.ndjson', '--set', 'events=10']);
    expect([file.code, file.err]).toEqual([
      2,
      'vfpu: events and param.* grid keys apply to preset: workloads only\n',
    ]);
    const arch = await cli(['sweep', 'preset:idle', '--set', 'arch=sparc']);
    expect(arch.code).toBe(2);
    expect(arch.err).toMatch(/unknown architecture "sparc"/);
    const pol = await cli(['sweep', 'preset:idle', '--events', '10', '--set', 'policy=nope']);
    expect(pol.code).toBe(2);
    expect(pol.out).toBe('');
  });
});

describe('shards', () => {
  it('N shards take every run once, in near-equal contiguous shares', () => {
    const grid = buildGrid({ arch: ['mips-vz', 'arm-vfp', 'x86-xfd'], 'param.vcpus': [1, 2] }, 5);
    for (const n of [1, 2, 4, 7, 40]) {
      const taken = Array.from({ length: n }, (_, i) =>
        planPasses(grid, 3, { index: i, count: n }).flatMap((p) => p.runs.map((r) => r.run)),
      );
      const all = taken.flat().sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: grid.runs }, (_, i) => i));
      const sizes = taken.map((t) => t.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
    // one pass per (workload point, seed) without shards, with all 3 archs in it
    const passes = planPasses(grid, 3, undefined);
    expect(passes).toHaveLength(10);
    expect(passes.every((p) => p.runs.length === 3)).toBe(true);
  });

  it('defaults from Slurm array and Kubernetes Indexed Job variables', () => {
    expect(resolveShard({}, {})).toBeUndefined();
    expect(resolveShard({}, { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({
      index: 2,
      count: 4,
    });
    expect(
      resolveShard(
        {},
        { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '3', SLURM_ARRAY_TASK_MAX: '6' },
      ),
    ).toEqual({ index: 2, count: 4 });
    expect(resolveShard({ shardCount: 3 }, { JOB_COMPLETION_INDEX: '1' })).toEqual({
      index: 1,
      count: 3,
    });
    expect(resolveShard({ shardIndex: 0, shardCount: 2 }, { SLURM_ARRAY_TASK_ID: '1' })).toEqual({
      index: 0,
      count: 2,
    });
    expect(() => resolveShard({}, { JOB_COMPLETION_INDEX: '1' })).toThrow(/--shard-count/);
    expect(() => resolveShard({ shardIndex: 4, shardCount: 4 }, {})).toThrow(/outside 0..3/);
    expect(() => resolveShard({ shardCount: 4 }, {})).toThrow(/--shard-index too/);
  });
});
