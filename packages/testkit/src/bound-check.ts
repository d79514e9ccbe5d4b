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
  POLICY_NAMES,
  type ReportV1,
  runText,
  SLICE_ENTRY,
  SLICE_EXIT,
  SLICE_RETURN,
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

/** Random valid workloads of a variant: every built-in at or above the bound. */
export function checkBound(
  backend: BackendV2,
  o: { readonly variant: string; readonly runs: number; readonly seed: number },
): BoundCheckResult {
  let workloads = 0;
  let attained = 0;
  let failure: BoundCheckResult['failure'];
  fc.check(
    fc.property(validWorkloadChoices(40), (c) => {
      const w = validWorkload(backend, o.variant, c);
      const reports = boundReports(backend, w.lines.join('\n'));
      workloads++;
      const problems: string[] = [];
      for (const r of reports) {
        if (r.bound === undefined) problems.push(`${r.policy}: no bound`);
        else if (r.cycles.fp < r.bound.fp)
          problems.push(`${r.policy}: ${r.cycles.fp} FP cycles < the bound's ${r.bound.fp}`);
        else if (r.policy === 'clairvoyant' && r.cycles.fp === r.bound.fp) attained++;
      }
      if (problems.length > 0 && failure === undefined)
        failure = { ndjson: w.lines.join('\n'), problems };
      return true;
    }),
    { numRuns: o.runs, seed: o.seed },
  );
  return { workloads, attained, ...(failure !== undefined ? { failure } : {}) };
}

/** A three-unit lattice (fpu ⊂ msa ⊂ lasx, as MIPS) and a cost table drawn by fast-check. */
const LATTICE = buildLattice([
  { id: 'a', description: '', parent: 'b', partBytes: 256, registers: 32 },
  { id: 'b', description: '', parent: 'c', partBytes: 256, registers: 32 },
  { id: 'c', description: '', partBytes: 512, registers: 32 },
  { id: 'd', description: '', partBytes: 64, registers: 8 },
]);

/** The model cost of one decision sequence (what solveSlice minimises), from `live0 = 0`. */
function modelCost(
  codes: readonly number[],
  c: SliceCosts,
  choice: readonly number[],
  trapEnablesAll: boolean,
  all: number,
): number {
  let live = 0;
  let cost = 0;
  codes.forEach((code, i) => {
    const pick = (choice[i] ?? 0) & all;
    if (code === SLICE_ENTRY) {
      cost += c.restore(pick & ~live);
      live |= pick;
    } else if (code === SLICE_EXIT) {
      if (pick & 1) {
        cost += c.save(live);
        live = 0;
      }
    } else if (code === SLICE_RETURN) {
      cost += c.save(live);
      live = 0;
    } else if (!(live & (1 << code))) {
      const g = trapEnablesAll ? all : pick | (LATTICE.closure[code] as number);
      cost += c.trap + c.restore(g & ~live);
      live |= g;
    }
  });
  return cost + c.save(live);
}

/**
 * fast-check: random slices, cost tables and decision sequences (any preload at each entry, any
 * grant containing the unit at each trap, save or not at each exit): the dynamic program's value
 * is at most every sequence's cost, and its own plan costs exactly its value. Returns the first
 * counterexample's description, or undefined.
 */
export function checkSliceDp(runs: number, seed: number): string | undefined {
  const code = fc.integer({ min: -3, max: 3 });
  const figure = fc.integer({ min: 0, max: 3000 });
  const r = fc.check(
    fc.property(
      fc.array(code, { maxLength: 24 }),
      fc.array(fc.nat(), { maxLength: 24 }),
      fc.array(figure, { minLength: 8, maxLength: 8 }),
      fc.boolean(),
      (codes, choice, figures, all) => {
        const table = Object.fromEntries(
          COST_KEYS.map((k, i) => [k, { value: (figures[i] as number) / 8, source: 'test' }]),
        ) as CostTable;
        const c = new SliceCosts(LATTICE, table);
        const used = codes.reduce((m, x) => (x >= 0 ? m | (LATTICE.closure[x] as number) : m), 0);
        const value = new Float64Array((codes.length + 1) * (LATTICE.all + 1));
        const plan = new Int32Array(codes.length);
        const slice = { codes: Int32Array.from(codes), length: codes.length, truncated: false };
        const best = solveSlice(slice, LATTICE, c, all, 0, value, plan);
        const other = modelCost(codes, c, choice, all, all ? used : LATTICE.all);
        const own = modelCost(codes, c, Array.from(plan), all, all ? used : LATTICE.all);
        return best <= other + 1e-6 && Math.abs(own - best) < 1e-6;
      },
    ),
    { numRuns: runs, seed },
  );
  return r.failed ? `counterexample ${JSON.stringify(r.counterexample)}` : undefined;
}
