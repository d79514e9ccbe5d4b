/**
 * The bench's figures beyond events/s (issue 16), each from paired runs in this process (or, for
 * `--jobs`, of the built CLI), medians of VFPU_BENCH_PAIRS pairs:
 * - production: what producing the events alone costs (the generator), part of the floor;
 * - replay: a workload file (plain and .gz) against generating the same events, on the build
 *   (goal ≥ 0.8×), at 500 K events (read in the calling thread) and 4 M (read by core's worker);
 * - scale: ns/event from 1 to 1,024 vCPUs and from 1 to 512 pCPUs (goal: flat within ±10 %),
 *   and each configuration's setup apart;
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
import { PresetGenerator, simulatePreset, WorkloadEvent } from '@vfpu/core/internal';

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

export function scaleSection(backends: BackendV2[], events: number): string[] {
  // ns per event of a run of twice `events` (its setup, estimated from a run of `events`, is
  // printed apart: register files for 1,024 vCPUs and 512 pCPUs), and the work per event (bytes
  // saved and restored): a configuration with fewer vCPUs than pCPUs switches less, so its
  // events do less work, whatever the engine's speed
  const once = (params: Record<string, number>, n: number) => {
    let bytes = 0;
    const ms = timed(() => {
      const { report } = simulatePreset(
        { preset: 'overcommit', events: n, params },
        { backends, policy: 'kvm', seed: 1 },
      ).result;
      bytes = (report.bytes.saved + report.bytes.restored) / n;
    });
    return { ms, bytes };
  };
  const ns = (params: Record<string, number>) => {
    const perEvent: number[] = [];
    const setups: number[] = [];
    let bytes = 0;
    for (let i = 0; i < PAIRS; i++) {
      const one = once(params, events);
      const two = once(params, 2 * events);
      perEvent.push(two.ms / (2 * events));
      setups.push(2 * one.ms - two.ms);
      bytes = two.bytes;
    }
    return { ns: median(perEvent) * 1e6, setup: Math.max(0, median(setups)), bytes };
  };
  const row = (what: string, points: [number, Record<string, number>][]) => {
    const figures = points.map(([n, p]) => [n, ns(p)] as const);
    const base = figures[0]?.[1].ns ?? 1;
    const worst = Math.max(...figures.map(([, x]) => Math.abs(x.ns / base - 1)));
    return `scale ${what}: ${figures.map(([n, x]) => `${n}: ${x.ns.toFixed(0)} ns (${x.bytes.toFixed(0)} B moved; setup ${x.setup.toFixed(1)} ms)`).join(', ')} per event; widest spread ${(100 * worst).toFixed(0)} % from the first (goal ±10 %)`;
  };
  return [
    row('vCPUs (2 pCPUs)', [
      [1, { vcpus: 1, cpus: 2 }],
      [16, { vcpus: 16, cpus: 2 }],
      [128, { vcpus: 128, cpus: 2 }],
      [1024, { vcpus: 1024, cpus: 2 }],
    ]),
    row('pCPUs (1,024 vCPUs)', [
      [1, { vcpus: 1024, cpus: 1 }],
      [8, { vcpus: 1024, cpus: 8 }],
      [64, { vcpus: 1024, cpus: 64 }],
      [512, { vcpus: 1024, cpus: 512 }],
    ]),
  ];
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
