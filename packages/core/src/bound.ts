/**
 * The clairvoyant bound of a workload on one variant, and each policy's FP cycles as a ratio to
 * it (docs/clairvoyant.md). The bound is the least FP cycles of the bound's candidates run on
 * the same workload, seed and cost table: `clairvoyant` (the per-slice optimum) and every
 * built-in policy at its defaults, `kvm` included. `clairvoyant` alone is that least on random
 * workloads with every event (a property test in CI) except where a kernel's own load reaches
 * a unit no policy preload can, or equally priced plans differ in control-register writes
 * (docs/clairvoyant.md): the other candidates keep "no built-in is below the bound" true there.
 */
import { BUILTIN_POLICIES } from './policy/builtin.js';
import type { PolicyDefinition } from './policy/types.js';
import type { ReportBound, ReportV1 } from './report.js';

/** The policies whose runs the bound is the minimum of (`clairvoyant` first). */
export const BOUND_CANDIDATES: readonly string[] = [
  'clairvoyant',
  'kvm',
  ...BUILTIN_POLICIES.map((p) => p.name).filter((n) => n !== 'clairvoyant'),
];

/** What selects a simulator: its architecture, variant and policy. */
export interface BoundConfig {
  /** The backend (`--arch`); default: the workload's. */
  readonly arch?: string;
  /** The backend's variant; default: the workload's or the backend's. */
  readonly variant?: string;
  /** A policy name (`kvm`, `name:key=value`) or a policy of your own. */
  readonly policy: string | PolicyDefinition;
}

const key = (c: { readonly arch?: string; readonly variant?: string }) =>
  `${c.arch ?? ''}\u0000${c.variant ?? ''}`;

/**
 * `configs` followed by the bound's candidates each (arch, variant) of them lacks: run them all
 * in one pass, then {@link withBounds} on the reports and keep the first `configs.length`.
 */
export function withCandidates<C extends BoundConfig>(
  configs: readonly C[],
  make: (base: C, policy: string) => C,
): C[] {
  const out = [...configs];
  const have = new Set(configs.map((c) => `${key(c)}\u0000${policyName(c.policy)}`));
  const seen = new Set<string>();
  for (const c of configs) {
    const k = key(c);
    if (seen.has(k)) continue;
    seen.add(k);
    for (const p of BOUND_CANDIDATES)
      if (!have.has(`${k}\u0000${p}`)) {
        have.add(`${k}\u0000${p}`);
        out.push(make(c, p));
      }
  }
  return out;
}

function policyName(p: string | PolicyDefinition): string {
  return typeof p === 'string' ? p : p.name;
}

/**
 * Each report with its `bound`: the least FP cycles among the candidates' reports of its arch
 * and variant (on the same workload: every report given must come from one pass) that ran the
 * whole workload (no `workload.not_run`). Reports of a variant without every candidate, or
 * with none that ran it all, get no bound.
 */
export function withBounds(reports: readonly ReportV1[]): ReportV1[] {
  const best = new Map<string, { fp: number; by: string; n: number }>();
  for (const r of reports) {
    if (!BOUND_CANDIDATES.includes(r.policy)) continue;
    const k = `${r.arch}\u0000${r.variant}`;
    let b = best.get(k);
    if (b === undefined) {
      b = { fp: Infinity, by: '', n: 0 };
      best.set(k, b);
    }
    b.n++;
    // a run that stopped part of the workload (a thread killed by an oops) bounds nothing
    if (r.workload.not_run === undefined && r.cycles.fp < b.fp) {
      b.fp = r.cycles.fp;
      b.by = r.policy;
    }
  }
  return reports.map((r) => {
    const b = best.get(`${r.arch}\u0000${r.variant}`);
    if (b === undefined || b.n < BOUND_CANDIDATES.length || b.by === '') return r;
    return attachBound(r, { fp: b.fp, by: b.by, ratio: ratio(r.cycles.fp, b.fp) });
  });
}

/** FP cycles over the bound's; 1 when both are 0; null when only the bound is 0 (infinite). */
export function ratio(fp: number, bound: number): number | null {
  if (bound === 0) return fp === 0 ? 1 : null;
  return Math.round((fp / bound) * 10000) / 10000;
}

/** The report with `bound` placed after `cycles` (the key order is fixed). */
function attachBound(r: ReportV1, bound: ReportBound): ReportV1 {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'bound') continue;
    out[k] = v;
    if (k === 'cycles') out.bound = bound;
  }
  return out as unknown as ReportV1;
}
