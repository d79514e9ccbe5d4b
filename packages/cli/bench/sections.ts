/**
 * The bench's figures beyond events/s (issue 16), each from paired runs in this process (or, for
 * `--jobs`, of the built CLI), medians of VFPU_BENCH_PAIRS pairs (scale: of as many rounds):
 * - production: what producing the events alone costs (the generator), part of the floor;
 * - replay: a workload file (plain and .gz) against generating the same events, on the build
 *   (goal ≥ 0.8×), at 500 K events (read in the calling thread) and 4 M (read by core's worker);
 * - scale: ns/event in the steady state from 1 to 1,024 vCPUs and from 1 to 512 pCPUs, on every
 *   target (goal: flat within ±10 %), and each configuration's setup apart;
 * - policies: six policies in one pass against one (goal ≤ 2×);
 * - jobs: six policies with `--jobs 2` against `--jobs 1`, wall time, at several sizes and where
 *   it starts to pay (goal: faster).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackendV2 } from '@vfpu/core';
import { type runFile, runPresetMany } from '@vfpu/core';
import {
  PROGRESS_EVERY,
  PresetGenerator,
  simulatePreset,
  WorkloadEvent,
} from '@vfpu/core/internal';

const PAIRS = Number(process.env.VFPU_BENCH_PAIRS ?? 5);
const BIN = new URL('../dist/bin.js', import.meta.url).pathname;
export const POLICIES = ['kvm', 'eager', 'lazy', 'lazy-per-exit', 'widest', 'adaptive'];

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function timed(f: () => void): number {
  const t0 = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function timedAsync(f: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/** Milliseconds to produce `events` overcommit events (the generator alone, nothing simulated). */
export function productionMs(events: number, params: Record<string, number> = {}): number {
  return timed(() => {
    const g = new PresetGenerator('overcommit', events, 1, params);
    const ev = new WorkloadEvent();
    while (g.next(ev));
  });
}

/** Paired A/B: runs `a` and `b` alternately PAIRS times; medians and the median ratio b/a. */
async function paired(
  a: () => Promise<number> | number,
  b: () => Promise<number> | number,
): Promise<{ a: number; b: number; ratio: number }> {
  const as: number[] = [];
  const bs: number[] = [];
  const rs: number[] = [];
  for (let i = 0; i < PAIRS; i++) {
    const x = await a();
    const y = await b();
    as.push(x);
    bs.push(y);
    rs.push(y / x);
  }
  return { a: median(as), b: median(bs), ratio: median(rs) };
}

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;

/**
 * The built core and backends (as `vfpu run` uses them): from source, core reads a file in the
 * calling thread (its worker is a built file), so replay is measured on the build.
 */
async function builtCore() {
  const imp = (p: string) => import(new URL(`../../${p}`, import.meta.url).href);
  const core = await imp('core/dist/internal.js');
  const { runFile: run } = await imp('core/dist/index.js');
  const backends = [
    (await imp('mips-vz/dist/index.js')).mipsVz(),
    (await imp('arm-vfp/dist/index.js')).armVfp(),
    (await imp('x86-xfd/dist/index.js')).x86Xfd(),
  ];
  return {
    simulate: core.simulatePreset as typeof simulatePreset,
    run: run as typeof runFile,
    backends,
  };
}

export async function replaySection(sizes: readonly number[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vfpu-bench-'));
  const { simulate, run, backends } = await builtCore();
  try {
    const out: string[] = [];
    for (const events of sizes)
      for (const gz of [false, true]) {
        const file = join(dir, gz ? 'w.ndjson.gz' : 'w.ndjson');
        const args = ['gen', 'preset:overcommit', '--events', String(events), '-o', file];
        const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`vfpu gen failed: ${r.stderr}`);
        const req = { backends, policy: 'kvm', seed: 1 };
        const p = await paired(
          () => timed(() => simulate({ preset: 'overcommit', events }, req)),
          () => timedAsync(() => run(file, req)),
        );
        out.push(
          `replay ${gz ? '.gz  ' : 'plain'} ${events.toLocaleString('en-US').padStart(9)} events: generated ${fmt(p.a)}, from the file ${fmt(p.b)}: file rate ${(1 / p.ratio).toFixed(2)}× the generated rate (goal ≥ 0.8×)`,
        );
      }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A configuration of the scale figure: its label and the preset's parameters. */
type ScalePoint = readonly [number, Readonly<Record<string, number>>];

/** The fewest events the scale figure measures: a progress mark at a quarter of the run and one after it. */
export const SCALE_MIN_EVENTS = 4 * PROGRESS_EVERY;

/**
 * Cost per event from 1 to 1,024 vCPUs and from 1 to 512 pCPUs, on each target. A run's cost
 * per event is its steady state: the time between `progress` marks, from the first at or past
 * a quarter of the run to its last, so neither the machine's setup (register files and save
 * areas for 1,024 vCPUs) nor the first touch of its memory counts as events. The setup is
 * printed apart: the time to the first mark less that many events at the steady cost (signed:
 * below 0 is noise in the steady figure). The configurations of a row run in turn in each of
 * PAIRS rounds, in reverse order every other round, so the machine's drift hits them alike; a
 * configuration's spread is the median of its per-round ratios to the first configuration.
 * The work per event (bytes saved and restored) is printed too: a configuration with fewer
 * vCPUs than pCPUs switches less, so its events do less work.
 */
export function scaleSection(
  backends: BackendV2[],
  targets: readonly (readonly [string, string])[],
  events: number,
): string[] {
  if (events < SCALE_MIN_EVENTS)
    throw new Error(`scale: ${events} events are too few (at least ${SCALE_MIN_EVENTS})`);
  const once = (arch: string, variant: string, params: Readonly<Record<string, number>>) => {
    const marks: number[] = [];
    const t0 = process.hrtime.bigint();
    const { report } = simulatePreset(
      { preset: 'overcommit', events, params },
      {
        backends,
        arch,
        variant,
        policy: 'kvm',
        seed: 1,
        progress: (n) => marks.push(n, Number(process.hrtime.bigint() - t0) / 1e6),
      },
    ).result;
    // marks: event count, ms since the start, in pairs
    const from = marks.findIndex((x, i) => i % 2 === 0 && x >= events / 4);
    if (from < 0 || from + 2 >= marks.length) throw new Error(`scale: too few marks (${events})`);
    const [n0, ms0] = [marks[from] as number, marks[from + 1] as number];
    const [n1, ms1] = [marks.at(-2) as number, marks.at(-1) as number];
    const perEvent = (ms1 - ms0) / (n1 - n0);
    const setup = (marks[1] as number) - (marks[0] as number) * perEvent;
    return {
      ns: perEvent * 1e6,
      setup,
      bytes: (report.bytes.saved + report.bytes.restored) / events,
    };
  };
  const row = (arch: string, variant: string, what: string, points: readonly ScalePoint[]) => {
    const perPoint = points.map(() => ({
      ns: [] as number[],
      ratio: [] as number[],
      setup: [] as number[],
      bytes: 0,
    }));
    once(arch, variant, (points[0] as ScalePoint)[1]); // warm-up
    for (let i = 0; i < PAIRS; i++) {
      const order = points.map((_, k) => (i % 2 === 0 ? k : points.length - 1 - k));
      const xs = points.map(() => ({ ns: 0, setup: 0, bytes: 0 }));
      for (const k of order) xs[k] = once(arch, variant, (points[k] as ScalePoint)[1]);
      xs.forEach((x, k) => {
        const r = perPoint[k] as (typeof perPoint)[number];
        r.ns.push(x.ns);
        r.ratio.push(x.ns / (xs[0] as typeof x).ns);
        r.setup.push(x.setup);
        r.bytes = x.bytes;
      });
    }
    const worst = Math.max(...perPoint.map((r) => Math.abs(median(r.ratio) - 1)));
    const figures = points.map(([n], k) => {
      const r = perPoint[k] as (typeof perPoint)[number];
      return `${n}: ${median(r.ns).toFixed(0)} ns ×${median(r.ratio).toFixed(2)} (${r.bytes.toFixed(0)} B moved; setup ${median(r.setup).toFixed(1)} ms)`;
    });
    return `scale ${variant} ${what}: ${figures.join(', ')}; widest spread ${(100 * worst).toFixed(0)} % from the first (goal ±10 %)`;
  };
  const vcpus: ScalePoint[] = [1, 16, 128, 1024].map((n) => [n, { vcpus: n, cpus: 2 }]);
  const cpus: ScalePoint[] = [1, 8, 64, 512].map((n) => [n, { vcpus: 1024, cpus: n }]);
  return targets.flatMap(([arch, variant]) => [
    row(arch, variant, 'vCPUs (2 pCPUs)', vcpus),
    row(arch, variant, 'pCPUs (1,024 vCPUs)', cpus),
  ]);
}

export async function policiesSection(backends: BackendV2[], events: number): Promise<string[]> {
  const pr = { preset: 'overcommit', events };
  const p = await paired(
    () => timed(() => runPresetMany(pr, [{ backends, policy: 'kvm', seed: 1 }])),
    () =>
      timed(() =>
        runPresetMany(
          pr,
          POLICIES.map((policy) => ({ backends, policy, seed: 1 })),
        ),
      ),
  );
  return [
    `policies: one ${fmt(p.a)}, six in one pass ${fmt(p.b)}: ${p.ratio.toFixed(2)}× the cost of one (goal ≤ 2×)`,
  ];
}

/**
 * `--jobs 2` against `--jobs 1` (six policies, wall time of the built CLI) at each size of
 * `sizes`: the start of a worker is paid once, so the speed-up grows with the run; prints each
 * ratio and where `--jobs 2` starts to pay (log-interpolated between the two sizes around 1×).
 */
export async function jobsSection(sizes: readonly number[]): Promise<string[]> {
  const cli = (events: number, jobs: number) => () => {
    const args = ['run', 'preset:overcommit', '--events', String(events), '--policy'];
    const argv = [BIN, ...args, POLICIES.join(','), '--jobs', String(jobs), '--json'];
    return timed(() => {
      const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(`vfpu run --jobs ${jobs} failed: ${r.stderr}`);
    });
  };
  const out: string[] = [];
  const speed: [number, number][] = [];
  for (const events of sizes) {
    const p = await paired(cli(events, 1), cli(events, 2));
    speed.push([events, 1 / p.ratio]);
    out.push(
      `jobs: six policies, ${events.toLocaleString('en-US')} events: --jobs 1 ${fmt(p.a)}, --jobs 2 ${fmt(p.b)} wall: ${(1 / p.ratio).toFixed(2)}× as fast (goal > 1×, on 2 cores)`,
    );
  }
  const k = speed.findIndex(([, x]) => x > 1);
  const [n1, x1] = speed[k - 1] ?? [0, 0];
  const [n2, x2] = speed[k] ?? [0, 0];
  out.push(
    k < 0
      ? `jobs: --jobs 2 is not faster up to ${(speed.at(-1)?.[0] ?? 0).toLocaleString('en-US')} events`
      : k === 0
        ? `jobs: --jobs 2 is faster from ${n2.toLocaleString('en-US')} events on (the smallest size measured)`
        : `jobs: --jobs 2 is faster from about ${Math.round(n1 * (n2 / n1) ** ((1 - x1) / (x2 - x1))).toLocaleString('en-US')} events on`,
  );
  return out;
}
