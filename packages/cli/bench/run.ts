/**
 * `npm run bench`: simulated events per second on a 1 M-event overcommit workload with the oracle
 * on, for kvm and eager on mips-vz, arm-vfp (arm64-e5, armv7-2013), x86-xfd (kvm-6.16), loongarch
 * (gen-1) and riscv (kvm-6.17), and the ratio to an honest *floor*: memcpy of the bytes the same
 * run copied (one copy per routine call, same sizes, same number of calls) plus producing the
 * same events (the generator alone). Then the figures of sections.ts (replay, scale, policies,
 * jobs at 250 K, 1 M and 4 M events; VFPU_BENCH_SECTIONS picks: e.g. `main,replay`) and a
 * 10 M-event run for peak memory.
 * Not a test: it prints numbers (measure on an idle machine).
 */

import { armVfp } from '@vfpu/arm-vfp';
import { simulatePreset } from '@vfpu/core/internal';
import { loongarch } from '@vfpu/loongarch';
import { mipsVz } from '@vfpu/mips-vz';
import { riscv } from '@vfpu/riscv';
import { x86Xfd } from '@vfpu/x86-xfd';
import {
  jobsSection,
  policiesSection,
  productionMs,
  replaySection,
  SCALE_MIN_EVENTS,
  scaleSection,
} from './sections.js';

const EVENTS = Number(process.env.VFPU_BENCH_EVENTS ?? 1_000_000);
/** The run whose peak RSS the memory section prints (VFPU_BENCH_MEMORY_EVENTS). */
const MEMORY_EVENTS = Number(process.env.VFPU_BENCH_MEMORY_EVENTS ?? 10_000_000);
const backends = [mipsVz(), armVfp(), x86Xfd(), loongarch(), riscv()];
const TARGETS: readonly [string, string][] = [
  ['mips-vz', 'loongson-3a4000'],
  ['arm-vfp', 'arm64-e5'],
  ['x86-xfd', 'kvm-6.16'],
  ['arm-vfp', 'armv7-2013'],
  ['loongarch', 'gen-1'],
  ['riscv', 'kvm-6.17'],
];

function run(
  policy: string,
  events: number,
  [arch, variant]: readonly [string, string] = TARGETS[0] as [string, string],
): { ms: number; result: Run } {
  const t0 = process.hrtime.bigint();
  const result = simulatePreset(
    { preset: 'overcommit', events },
    { backends, arch, variant, policy, seed: 1 },
  );
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
}

type Run = ReturnType<typeof simulatePreset>;

/**
 * The floor: memcpy of the same bytes, call for call (`copyWithin` of each routine's bytes per
 * call, as many calls as the run made), with nothing else: what the copies alone cost.
 */
function floor(copies: Array<[number, number]>): number {
  const max = Math.max(64, ...copies.map(([bytes]) => bytes));
  const buf = new Uint8Array(2 * max);
  const t0 = process.hrtime.bigint();
  for (const [bytes, calls] of copies) {
    for (let c = 0; c < calls; c++)
      buf.copyWithin(c & 1 ? 0 : max, c & 1 ? max : 0, (c & 1 ? max : 0) + bytes);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (buf[0] === 1 && buf[max] === 2) console.log('');
  return ms;
}

const SECTIONS = new Set(
  (process.env.VFPU_BENCH_SECTIONS ?? 'main,replay,scale,policies,jobs,memory').split(','),
);
const rows: string[] = [];
let production = Number.POSITIVE_INFINITY;
if (SECTIONS.has('main'))
  for (let i = 0; i < 3; i++) production = Math.min(production, productionMs(EVENTS));
for (const target of SECTIONS.has('main') ? TARGETS : [])
  for (const policy of ['kvm', 'eager']) {
    run(policy, Math.min(EVENTS, 100_000), target); // warm-up
    let best = Number.POSITIVE_INFINITY;
    let result: Run | undefined;
    for (let i = 0; i < 3; i++) {
      const r = run(policy, EVENTS, target);
      if (r.ms < best) {
        best = r.ms;
        result = r.result;
      }
    }
    if (result === undefined) throw new Error('no run');
    const copies = result.simulator.state.acct.copies();
    let copyMs = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) copyMs = Math.min(copyMs, floor(copies));
    const floorMs = copyMs + production;
    const bytes = result.result.report.bytes.saved + result.result.report.bytes.restored;
    rows.push(
      `${target[1].padEnd(16)} ${policy.padEnd(6)} ${Math.round((EVENTS / best) * 1000)
        .toLocaleString('en-US')
        .padStart(12)} events/s` +
        `  ${best.toFixed(0).padStart(6)} ms  floor ${floorMs.toFixed(1).padStart(6)} ms (memcpy ${copyMs.toFixed(1)} + events ${production.toFixed(1)})` +
        `  ratio ${(best / floorMs).toFixed(1).padStart(5)}×  (${bytes.toLocaleString('en-US')} bytes copied, ${result.result.report.check.reads.toLocaleString('en-US')} oracle reads, ${result.result.report.check.violations} violations)`,
    );
  }
if (rows.length > 0) {
  console.log(
    `vfpu bench: preset:overcommit, ${EVENTS.toLocaleString('en-US')} events, oracle on, best of 3`,
  );
  for (const r of rows) console.log(`  ${r}`);
}
const SECTION_EVENTS = Math.min(EVENTS, 500_000);
/** `--jobs` pays once its worker has started: measured at sizes a user would split (VFPU_BENCH_JOBS_EVENTS). */
const JOBS_EVENTS = (process.env.VFPU_BENCH_JOBS_EVENTS ?? '250000,1000000,4000000')
  .split(',')
  .map(Number);
/** Replay at a size read in the calling thread and at one read by core's worker (VFPU_BENCH_REPLAY_EVENTS). */
const REPLAY_EVENTS = (process.env.VFPU_BENCH_REPLAY_EVENTS ?? `${SECTION_EVENTS},4000000`)
  .split(',')
  .map(Number);
const extra: [string, () => Promise<string[]> | string[]][] = [
  ['replay', () => replaySection(REPLAY_EVENTS)],
  ['scale', () => scaleSection(backends, TARGETS, Math.max(SCALE_MIN_EVENTS, SECTION_EVENTS))],
  ['policies', () => policiesSection(backends, SECTION_EVENTS)],
  ['jobs', () => jobsSection(JOBS_EVENTS)],
];
for (const [name, f] of extra) {
  if (!SECTIONS.has(name)) continue;
  for (const line of await f()) console.log(line);
}

if (MEMORY_EVENTS > 0 && SECTIONS.has('memory')) {
  const before = process.memoryUsage().rss;
  const { ms } = run('kvm', MEMORY_EVENTS);
  const peak = process.resourceUsage().maxRSS * 1024;
  console.log(
    `memory: ${MEMORY_EVENTS.toLocaleString('en-US')} events (kvm) in ${(ms / 1000).toFixed(1)} s; peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (RSS before ${(before / 2 ** 20).toFixed(0)} MiB)`,
  );
}
