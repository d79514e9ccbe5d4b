/**
 * The clairvoyant bound of a workload on one variant, and each policy's FP cycles as a ratio to
 * it (docs/clairvoyant.md): the FP cycles of `clairvoyant` (the per-slice optimum) run on the
 * same workload, seed and cost table. No built-in policy at its defaults that ran the whole
 * workload is below it on random workloads with every event (a property test in CI, and the
 * samples docs/clairvoyant.md lists). A run an oops cut short (`workload.not_run`) stopped part
 * of the workload: `clairvoyant`'s then bounds nothing.
 */
import type { PolicyDefinition } from './policy/types.js';
import type { ReportBound, ReportV1 } from './report.js';

/** The policy whose run is the bound. */
export const BOUND_POLICY = 'clairvoyant';

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
 * `configs` followed by a `clairvoyant` run for each (arch, variant) of them that lacks one: run
 * them all in one pass, then {@link withBounds} on the reports and keep the first `configs.length`.
 */
export function withCandidates<C extends BoundConfig>(
  configs: readonly C[],
  make: (base: C, policy: string) => C,
): C[] {
  const out = [...configs];
  const have = new Set<string>();
  for (const c of configs) if (policyName(c.policy) === BOUND_POLICY) have.add(key(c));
  for (const c of configs) {
    const k = key(c);
    if (have.has(k)) continue;
    have.add(k);
    out.push(make(c, BOUND_POLICY));
  }
  return out;
}

function policyName(p: string | PolicyDefinition): string {
  return typeof p === 'string' ? p : p.name;
}

/**
 * Each report with its `bound`: the FP cycles of the `clairvoyant` report of its arch and variant
 * (on the same workload: every report given must come from one pass). Reports of a variant
 * without one, or whose `clairvoyant` run an oops cut short, get no bound.
 */
export function withBounds(reports: readonly ReportV1[]): ReportV1[] {
  const bound = new Map<string, number>();
  for (const r of reports)
    if (r.policy === BOUND_POLICY && r.workload.not_run === undefined)
      bound.set(`${r.arch}\u0000${r.variant}`, r.cycles.fp);
  return reports.map((r) => {
    const fp = bound.get(`${r.arch}\u0000${r.variant}`);
    if (fp === undefined) return r;
    return attachBound(r, { fp, by: BOUND_POLICY, ratio: ratio(r.cycles.fp, fp) });
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
