/**
 * The clairvoyant bound as a property (docs/clairvoyant.md): on random valid workloads, no
 * built-in policy's FP cycles are below the bound; and the per-slice dynamic program is optimal
 * on its model: no sequence of decisions (the built-ins' among them) costs less than its value.
 */
import {
  type BackendV2,
  buildLattice,
  COST_KEYS,
  type CostTable,
  closeMask,
  POLICY_NAMES,
  type ReportV1,
  runText,
  SLICE_AVOID,
  SLICE_ENTRY,
  SLICE_EXIT,
  SLICE_FLUSH,
  SLICE_KERNEL_FPU,
  SLICE_PREEMPTED,
  SLICE_RETURN,
  SLICE_UNIT,
  withBounds,
} from '@vfpu/core';
import { SliceCosts, solveSlice } from '@vfpu/core/internal';
import fc from 'fast-check';
import { validWorkload, validWorkloadChoices } from './random-workload.js';

/** What {@link checkBound} found over its random workloads. */
export interface BoundCheckResult {
  /** Workloads run (each under every policy). */
  readonly workloads: number;
  /** Workloads where `clairvoyant` alone attains the bound (no built-in beats the slice optimum). */
  readonly attained: number;
  /** The first workload with a policy below the bound, and what was below. */
  readonly failure?: {
    /** The workload, as NDJSON lines. */
    readonly ndjson: string;
    /** Each policy below the bound, with its FP cycles and the bound's. */
    readonly problems: readonly string[];
  };
}

/** Every policy of `policies` on one workload, with the bound attached (reports in that order). */
export function boundReports(
  backend: BackendV2,
  text: string,
  policies: readonly string[] = POLICY_NAMES,
): ReportV1[] {
  const reports = policies.map(
    (policy) => runText(text, { backends: [backend], policy }, 'random.ndjson').report,
  );
  return withBounds(reports);
}

/** What one workload's reports break (empty: nothing), and whether `clairvoyant` attains the bound. */
type Judge = (reports: readonly ReportV1[]) => { problems: string[]; attained: boolean };

/**
 * Every built-in on random valid workloads of a variant, judged by `judge`. `shrink`: a failure
 * fails the property, so fast-check shrinks it and the result holds the shrunk case; else every
 * workload passes and the result holds the first failure.
 */
function overRandomWorkloads(
  backend: BackendV2,
  o: { readonly variant: string; readonly runs: number; readonly seed: number },
  shrink: boolean,
  judge: Judge,
): BoundCheckResult {
  let workloads = 0;
  let attained = 0;
  let failure: BoundCheckResult['failure'];
  fc.check(
    fc.property(validWorkloadChoices(40), (c) => {
      const ndjson = validWorkload(backend, o.variant, c).lines.join('\n');
      const j = judge(boundReports(backend, ndjson));
      workloads++;
      if (j.attained) attained++;
      if (j.problems.length === 0) return true;
      // the last failure fast-check sees is its shrunk counterexample
      if (shrink || failure === undefined) failure = { ndjson, problems: j.problems };
      return !shrink;
    }),
    { numRuns: o.runs, seed: o.seed },
  );
  return { workloads, attained, ...(failure !== undefined ? { failure } : {}) };
}

/** Random valid workloads of a variant: every built-in at or above the bound. */
export function checkBound(
  backend: BackendV2,
  o: { readonly variant: string; readonly runs: number; readonly seed: number },
): BoundCheckResult {
  return overRandomWorkloads(backend, o, false, (reports) => {
    const problems: string[] = [];
    let attained = false;
    // clairvoyant's run stopped part of the workload (a thread killed by an oops): no bound
    const cv = reports.find((r) => r.policy === 'clairvoyant');
    if (cv?.workload.not_run !== undefined) return { problems, attained };
    for (const r of reports) {
      if (r.bound === undefined) problems.push(`${r.policy}: no bound`);
      // a run that stopped part of the workload is not comparable (bound.ts leaves it out)
      else if (r.workload.not_run !== undefined) continue;
      else if (r.cycles.fp < r.bound.fp)
        problems.push(`${r.policy}: ${r.cycles.fp} FP cycles < the bound's ${r.bound.fp}`);
      else if (r.policy === 'clairvoyant' && r.cycles.fp === r.bound.fp) attained = true;
    }
    return { problems, attained };
  });
}

/**
 * Random valid workloads of a variant with every event (guest writes of enable and mode registers
 * included, which the slice model follows through `Machine.guestWriteEffect`): `clairvoyant`'s own
 * FP cycles at or below every other built-in policy's at its defaults, `kvm` included
 * (docs/clairvoyant.md).
 */
export function checkClairvoyant(
  backend: BackendV2,
  o: { readonly variant: string; readonly runs: number; readonly seed: number },
): BoundCheckResult {
  return overRandomWorkloads(backend, o, true, (reports) => {
    const cv = reports.find((r) => r.policy === 'clairvoyant');
    const own = cv?.cycles.fp ?? Infinity;
    // runs that stopped part of the workload (a thread killed by an oops) are not comparable
    const complete = (r: ReportV1) => r.workload.not_run === undefined;
    const problems = reports
      .filter((r) => cv !== undefined && complete(cv) && complete(r) && r.cycles.fp < own)
      .map((r) => `${r.policy}: ${r.cycles.fp} FP cycles < clairvoyant's ${own}`);
    return { problems, attained: problems.length === 0 };
  });
}

/** A three-unit lattice (fpu ⊂ msa ⊂ lasx, as MIPS) and a cost table drawn by fast-check. */
const LATTICE = buildLattice([
  { id: 'a', description: '', parent: 'b', partBytes: 256, registers: 32 },
  { id: 'b', description: '', parent: 'c', partBytes: 256, registers: 32 },
  { id: 'c', description: '', partBytes: 512, registers: 32 },
  { id: 'd', description: '', partBytes: 64, registers: 8 },
]);

/** What one slice's decisions cost in the model (what solveSlice minimises), from `live0 = 0`. */
interface ModelRun {
  readonly codes: readonly number[];
  /**
   * By code: at an entry (and a preempted use's re-entry) the units a preload is passed on for;
   * at a {@link SLICE_AVOID}, the unit whose liveness avoids its exit (0: none).
   */
  readonly enabled: readonly number[];
  readonly choice: readonly number[];
  readonly trapEnablesAll: boolean;
  /** The units a trap enables when one trap enables all (the slice's used units' closure). */
  readonly all: number;
  /** By unit: what the kernel loads along with it (a load is widened to include it). */
  readonly also: readonly number[];
  /** What it loads along whatever the enables (else only within those a preload is passed on for). */
  readonly always: number;
  /** The units whose liveness avoids an exit: no load passes them on, they come only along. */
  readonly avoid: number;
  /** The workload ends in the slice: no save at its end. */
  readonly endsRun: boolean;
}

/**
 * `pick` over `live`, widened by what each unit it adds contains and what the kernel loads along
 * (within `within`).
 */
function widen(live: number, pick: number, also: readonly number[], within: number): number {
  let m = pick;
  for (let grew = true; grew; ) {
    grew = false;
    also.forEach((a, u) => {
      const more = ((LATTICE.closure[u] as number) | (a & within)) & ~(m | live);
      if (m & ~live & (1 << u) && more) {
        m |= more;
        grew = true;
      }
    });
  }
  return m;
}

/**
 * The model cost of one decision sequence (what solveSlice minimises), from `live0 = 0`; `seen`,
 * when given, gets the live units before each code.
 */
function modelCost(c: SliceCosts, r: ModelRun, seen?: number[]): number {
  let live = 0;
  let cost = 0;
  let skip = -1;
  r.codes.forEach((code, i) => {
    seen?.push(live);
    if (i < skip) return;
    const pick = (r.choice[i] ?? 0) & (r.trapEnablesAll ? r.all : LATTICE.all);
    const D = code === SLICE_AVOID ? (r.enabled[i] ?? 0) : (r.enabled[i] ?? 0) & ~r.avoid;
    // an exit's or a return's decision: bit 0 (save)
    const save = ((r.choice[i] ?? 0) & 1) !== 0;
    // an entry's load is passed on within D; where one trap enables every unit, any load is of
    // all the slice's units
    const load = (from: number, units: number) =>
      r.trapEnablesAll
        ? units & D & ~from
          ? r.all
          : 0
        : widen(from, units & D, r.also, D | r.always);
    if (code === SLICE_AVOID) {
      // the unit live: its use runs, no trap, vcpu_put or re-entry (the codes up to the entry)
      if (live & D) {
        skip = i + 1;
        if (r.codes[skip] === SLICE_FLUSH) skip++;
        if (r.codes[skip] === SLICE_ENTRY) skip++;
      } else cost += c.handBack;
    } else if (code === SLICE_ENTRY) {
      const p = load(live, pick);
      cost += c.entry(live) + c.restore(p & ~live);
      live |= p;
    } else if (code === SLICE_EXIT) {
      if (save) {
        cost += c.save(live);
        live = 0;
      } else if (live !== 0) cost += c.exitLive;
    } else if (code === SLICE_KERNEL_FPU) {
      // refused while anything is live; else the host task's state saved and restored
      if (live === 0) cost += c.kernelFpu;
    } else if (code === SLICE_RETURN || code === SLICE_FLUSH) {
      // a return not asked to save leaves the save to vcpu_put
      if (code === SLICE_RETURN && !save && live !== 0) cost += c.exitLive + c.putLive;
      cost += c.save(live);
      live = 0;
    } else if (!(live & (1 << (code & SLICE_UNIT)))) {
      const u = code & SLICE_UNIT;
      const g = r.trapEnablesAll
        ? r.all
        : widen(
            live,
            (pick & ~r.avoid) | (LATTICE.closure[u] as number),
            r.also,
            (LATTICE.all & ~r.avoid) | r.always,
          );
      cost += c.trap + c.restore(g & ~live);
      live |= g;
      if (code & SLICE_PREEMPTED) {
        // preempted before the re-entry: vcpu_put saves, the re-entry loads bits 8 and up
        const p = load(0, ((r.choice[i] ?? 0) >> 8) & (r.trapEnablesAll ? r.all : LATTICE.all));
        cost += c.save(live) + (live !== 0 ? c.putLive : 0) + c.entry(0) + c.restore(p);
        live = p;
      }
    }
  });
  return r.endsRun || live === 0 ? cost : cost + c.save(live) + c.putLive;
}

/**
 * fast-check: random slices, cost tables and decision sequences (any preload at each entry, any
 * grant containing the unit at each trap, save or not at each exit): the dynamic program's value
 * is at most every sequence's cost, and its own plan costs exactly its value. Returns the first
 * counterexample's description, or undefined.
 */
export function checkSliceDp(runs: number, seed: number): string | undefined {
  // a code with the units passed on there, or a use whose exit a live unit may avoid, with its
  // vcpu_put when preempted and its re-entry
  const plain = fc
    .tuple(fc.integer({ min: -5, max: 3 }), fc.boolean(), fc.nat(LATTICE.all))
    .map(([x, preempted, d]): [number, number][] => [
      [x >= 0 && preempted ? x | SLICE_PREEMPTED : x === -5 ? SLICE_KERNEL_FPU : x, d],
    ]);
  const avoid = fc
    .tuple(fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.boolean(), fc.nat(LATTICE.all))
    .map(([u, runs, preempted, d]): [number, number][] => [
      [SLICE_AVOID, runs ? 1 << u : 0],
      ...(preempted ? [[SLICE_FLUSH, 0] as [number, number]] : []),
      [SLICE_ENTRY, d],
    ]);
  const code = fc.oneof({ arbitrary: plain, weight: 4 }, { arbitrary: avoid, weight: 1 });
  const figure = fc.integer({ min: 0, max: 3000 });
  const r = fc.check(
    fc.property(
      fc.array(code, { maxLength: 16 }),
      fc.array(fc.nat(1 << 16), { maxLength: 24 }),
      fc.array(figure, { minLength: 8, maxLength: 8 }),
      fc.record({
        all: fc.boolean(),
        endsRun: fc.boolean(),
        saveOnTie: fc.boolean(),
        also: fc.array(fc.nat(LATTICE.all), { minLength: 4, maxLength: 4 }),
        always: fc.nat(LATTICE.all),
        control: fc.array(fc.nat(3), { minLength: 7, maxLength: 7 }),
        kernelFpu: fc.nat(1024),
      }),
      (tokens, choice, figures, o) => {
        const codes = tokens.flat().map(([x]) => x);
        // one trap enabling all: every entry is passed on for every unit
        const enabled = tokens
          .flat()
          .map(([x, d]) => (x === SLICE_AVOID ? d : o.all ? LATTICE.all : d));
        const table = Object.fromEntries(
          COST_KEYS.map((k, i) => [k, { value: (figures[i] as number) / 8, source: 'test' }]),
        ) as CostTable;
        const c = new SliceCosts(LATTICE, table);
        const [load, trap, writeLoad, entryLive, entryIdle, exitLive, putLive] = o.control;
        c.setControl({
          load: load ?? 0,
          trap: trap ?? 0,
          writeLoad: writeLoad ?? 0,
          entryLive: entryLive ?? 0,
          entryIdle: entryIdle ?? 0,
          exitLive: exitLive ?? 0,
          putLive: putLive ?? 0,
        });
        c.setKernelFpu(o.kernelFpu);
        // the units a trap enables where one enables all: the used and avoiding units' closure
        const used = codes.reduce(
          (m, x, i) =>
            x >= 0
              ? m | (LATTICE.closure[x & SLICE_UNIT] as number)
              : x === SLICE_AVOID
                ? m | closeMask(LATTICE, enabled[i] as number)
                : m,
          0,
        );
        const value = new Float64Array((codes.length + 1) * (LATTICE.all + 1));
        const plan = new Int32Array(codes.length);
        const expect = new Int32Array(codes.length + 1);
        const slice = { codes: Int32Array.from(codes), length: codes.length, truncated: false };
        // one trap enabling all: what the kernel loads along cannot widen anything
        const also = o.all ? [0, 0, 0, 0] : o.also;
        const best = solveSlice(
          { ...slice, endsRun: o.endsRun },
          LATTICE,
          c,
          o.all,
          0,
          value,
          plan,
          o.saveOnTie,
          Int32Array.from(also),
          Int32Array.from(enabled),
          o.always,
          expect,
        );
        // the units only loaded along: those whose liveness avoids an exit, not used otherwise
        const direct = codes.reduce((m, x) => (x >= 0 ? m | (1 << (x & SLICE_UNIT)) : m), 0);
        const avoid =
          codes.reduce((m, x, i) => (x === SLICE_AVOID ? m | (enabled[i] as number) : m), 0) &
          ~direct;
        const run = {
          avoid,
          codes,
          enabled,
          trapEnablesAll: o.all,
          all: used,
          also,
          always: o.always,
          endsRun: o.endsRun,
        };
        const other = modelCost(c, { ...run, choice });
        const seen: number[] = [];
        const own = modelCost(c, { ...run, choice: Array.from(plan) }, seen);
        // what the plan expects live before each code (clairvoyant re-plans where it differs)
        const N = expect[codes.length] as number;
        const expected = seen.every((l, i) => (l & N) === expect[i]);
        return best <= other + 1e-6 && Math.abs(own - best) < 1e-6 && expected;
      },
    ),
    { numRuns: runs, seed },
  );
  return r.failed ? `counterexample ${JSON.stringify(r.counterexample)}` : undefined;
}
