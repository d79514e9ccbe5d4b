/**
 * A sweep's rows. A run row: `kind: "run"`, its `run` index (output order) and `point`, the
 * point's keys (`workload`, `arch`, `variant`, `policy`, `events`, the `param.*` keys of the
 * grid), the `seed`, then the figures: `normalize(report)` and a few report totals. After every
 * run row, one summary row per point: its keys, `n` (seeds), and each figure's mean over the
 * seeds with `<figure>_ci95`, the half-width of its 95 % interval (null for n = 1).
 *
 * The same rows make the NDJSON (one JSON object a line) and the CSV (their union of columns).
 * Both are computed from run rows alone, so `vfpu merge` rebuilds them from shards exactly.
 */
import type { ReportV1 } from '@vfpu/core';
import { NORMALIZED_LABELS, type Normalized, normalize } from '../compare-table.js';
import { ci95, mean } from './stats.js';

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

/** The report totals kept beside the normalized figures (traps by name would be too wide). */
function totals(r: ReportV1) {
  let traps = 0;
  for (const n of Object.values(r.traps)) traps += n;
  let exits = 0;
  for (const n of Object.values(r.exits)) exits += n;
  return {
    traps_total: traps,
    exits_total: exits,
    cycles_total: Math.round(r.cycles.total),
    cycles_work: Math.round(r.cycles.work),
    lazyfp_exposure_bytes: r.exposure.bytes,
  };
}

export const FIGURES: readonly string[] = [
  ...(Object.keys(NORMALIZED_LABELS) as (keyof Normalized)[]),
  'traps_total',
  'exits_total',
  'cycles_total',
  'cycles_work',
  'lazyfp_exposure_bytes',
];

/** One run's row; `params` are the grid's param.* keys with this point's values. */
export function runRow(
  run: number,
  point: number,
  workload: string,
  policy: string,
  params: Readonly<Record<string, Cell>>,
  seed: number,
  r: ReportV1,
): Row {
  return {
    kind: 'run',
    run,
    point,
    workload,
    arch: r.arch,
    variant: r.variant,
    policy,
    events: r.workload.events,
    ...params,
    seed,
    ...normalize(r),
    ...totals(r),
  };
}

const NOT_KEYS = new Set(['kind', 'run', 'point', 'seed', ...FIGURES]);

/** Means and half-widths are given to 4 decimal places. */
function round(x: number): number {
  return Number(x.toFixed(4));
}

/** The summary of one point's run rows (in seed order). */
function summaryRow(rows: readonly Row[]): Row {
  const first = rows[0] as Row;
  const out: Row = { kind: 'summary', point: first.point as number };
  for (const [k, v] of Object.entries(first)) if (!NOT_KEYS.has(k)) out[k] = v;
  out.n = rows.length;
  for (const f of FIGURES) {
    // a figure some runs lack (the bound's ratio: not run, or infinite) is over the runs with it
    const xs = rows.map((r) => r[f]).filter((x): x is number => typeof x === 'number');
    if (xs.length === 0) continue;
    const half = ci95(xs);
    out[f] = round(mean(xs));
    out[`${f}_ci95`] = half === null ? null : round(half);
  }
  return out;
}

/** Run rows (sorted by `run`) followed by one summary per point, in point order. */
export function withSummaries(runs: readonly Row[]): Row[] {
  const byPoint = new Map<number, Row[]>();
  for (const r of runs) {
    const p = r.point as number;
    const list = byPoint.get(p);
    if (list) list.push(r);
    else byPoint.set(p, [r]);
  }
  const points = [...byPoint.keys()].sort((a, b) => a - b);
  return [...runs, ...points.map((p) => summaryRow(byPoint.get(p) as Row[]))];
}

export function toNdjson(rows: readonly Row[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}

function csvCell(v: Cell | undefined): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The rows as CSV: the union of their columns in first-seen order, except that `n` follows `seed`
 * and each `<figure>_ci95` its figure; absent cells are empty.
 */
export function toCsv(rows: readonly Row[]): string {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  const columns: string[] = [];
  for (const k of seen) {
    if (k === 'n' || (k.endsWith('_ci95') && seen.has(k.slice(0, -'_ci95'.length)))) continue;
    columns.push(k);
    if (k === 'seed' && seen.has('n')) columns.push('n');
    if (seen.has(`${k}_ci95`)) columns.push(`${k}_ci95`);
  }
  const lines = [columns.map(csvCell).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\n')}\n`;
}
