/**
 * `vfpu compare`'s table: a section every architecture shares (normalized from each report), then
 * each architecture's own kernel names, the unit each neutral class maps to, and the warnings.
 */
import { type ReportV1, rootTraps, UNIT_CLASSES, type UnitClass } from '@vfpu/core';
import { costsLabel } from './summary.js';
import { type Row, renderTable } from './table.js';

/** What every architecture's report can say, in the same words. */
export interface Normalized {
  readonly fp_traps_to_hypervisor: number;
  readonly saves: number;
  readonly restores: number;
  readonly bytes_moved: number;
  readonly fp_cycles: number;
  readonly fp_overhead_percent: number;
  readonly lazyfp_exposure_events: number;
  readonly lazyfp_guest_exposure_events: number;
  readonly violations: number;
  /** FP cycles over the clairvoyant bound's on the same workload (present when it was run). */
  readonly fp_ratio_to_bound?: number | null;
}

export const NORMALIZED_LABELS: Readonly<Record<keyof Normalized, string>> = {
  fp_traps_to_hypervisor: 'FP traps to the hypervisor',
  saves: 'save routines run',
  restores: 'restore routines run',
  bytes_moved: 'bytes moved (saved + restored)',
  fp_cycles: 'FP cycles (estimated)',
  fp_overhead_percent: 'FP overhead % of total',
  lazyfp_exposure_events: 'LazyFP exposure events',
  lazyfp_guest_exposure_events: '  guest↔guest',
  violations: 'state violations',
  fp_ratio_to_bound: 'FP cycles / clairvoyant bound',
};

export function normalize(r: ReportV1): Normalized {
  let saves = 0;
  let restores = 0;
  for (const w of Object.values(r.per_exit_reason)) {
    saves += w.saves;
    restores += w.restores;
  }
  return {
    fp_traps_to_hypervisor: rootTraps(r),
    saves,
    restores,
    bytes_moved: r.bytes.saved + r.bytes.restored,
    fp_cycles: Math.round(r.cycles.fp),
    fp_overhead_percent: r.cycles.total
      ? Math.round((10000 * r.cycles.fp) / r.cycles.total) / 100
      : 0,
    lazyfp_exposure_events: r.exposure.events,
    lazyfp_guest_exposure_events: r.exposure.guest.events,
    violations: r.check.violations,
    ...(r.bound !== undefined ? { fp_ratio_to_bound: r.bound.ratio } : {}),
  };
}

/** A figure as a table cell: an infinite ratio (null: the bound is 0) is shown as ∞. */
export function ratioCell(x: number | null | undefined): number | string {
  return x === null ? '∞' : x === undefined ? '' : x;
}

/** A column's title: `arch (variant)` over `policy`. */
export function columnName(r: ReportV1): string {
  return `${r.arch}/${r.variant} ${r.policy}`;
}

export function renderComparison(
  reports: readonly ReportV1[],
  classMaps: ReadonlyMap<string, Readonly<Record<UnitClass, string>>>,
  costsFile?: string,
): string {
  const first = reports[0];
  if (first === undefined) return '';
  const norm = reports.map(normalize);
  const rows: Row[] = [['every architecture', ...reports.map(() => '')]];
  for (const [k, label] of Object.entries(NORMALIZED_LABELS) as [keyof Normalized, string][])
    if (norm.some((n) => n[k] !== undefined))
      rows.push([`  ${label}`, ...norm.map((n) => ratioCell(n[k]))]);
  const archs = [...new Set(reports.map((r) => `${r.arch}/${r.variant}`))];
  for (const a of archs) {
    const mine = (r: ReportV1) => `${r.arch}/${r.variant}` === a;
    const kinds = new Set<string>();
    const routines = new Set<string>();
    for (const r of reports.filter(mine)) {
      for (const [k, n] of Object.entries(r.traps)) if (n > 0) kinds.add(k);
      for (const [k, o] of Object.entries(r.ops)) if (o.calls > 0) routines.add(k);
    }
    rows.push('rule', [`${a}: traps`, ...reports.map(() => '')]);
    for (const k of kinds)
      rows.push([`  ${k}`, ...reports.map((r) => (mine(r) ? (r.traps[k] ?? 0) : ''))]);
    rows.push([`${a}: routines (calls)`, ...reports.map(() => '')]);
    for (const k of routines)
      rows.push([`  ${k}`, ...reports.map((r) => (mine(r) ? (r.ops[k]?.calls ?? 0) : ''))]);
  }
  const head = `${first.workload.name}, ${first.workload.events.toLocaleString('en-US')} events, seed ${first.workload.seed}; cycles are estimates: ${costsFile === undefined ? "each backend's default table" : costsLabel(costsFile)}`;
  let out = `${head}\n\n${renderTable(['', ...reports.map(columnName)], rows)}`;
  out += '\nneutral classes → units\n';
  for (const [a, map] of classMaps)
    out += `  ${a}: ${UNIT_CLASSES.map((c) => `${c}→${map[c]}`).join(', ')}\n`;
  const warnings = reports.flatMap((r) => r.warnings.map((w) => `${columnName(r)}: ${w}`));
  if (warnings.length) out += `\nwarnings:\n${warnings.map((w) => `  - ${w}`).join('\n')}\n`;
  return out;
}

/** One CSV line per simulator: arch, variant, policy, then the normalized figures. */
export function comparisonCsv(reports: readonly ReportV1[]): string {
  const keys = (Object.keys(NORMALIZED_LABELS) as (keyof Normalized)[]).filter(
    (k) => k !== 'fp_ratio_to_bound' || reports.some((r) => r.bound !== undefined),
  );
  const lines = [['arch', 'variant', 'policy', 'events', 'seed', ...keys].join(',')];
  for (const r of reports) {
    const n = normalize(r);
    lines.push(
      [
        r.arch,
        r.variant,
        r.policy,
        r.workload.events,
        r.workload.seed,
        ...keys.map((k) => n[k] ?? ''),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}
