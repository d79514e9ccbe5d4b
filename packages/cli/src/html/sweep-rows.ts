/**
 * A sweep's NDJSON, as `vfpu report` reads it: the rows `vfpu sweep` writes, one JSON object a
 * line (the shape of the sweep helper's packages/cli/src/sweep/rows.ts when this was written):
 *
 * - a *run row*, one per (point, seed): `"kind": "run"`, `run` (its index), `point` (its point's
 *   index), the point's keys (`workload`, `arch`, `variant`, `policy`, `events`, `param.*`, …),
 *   `seed`, then the figures as numbers (`normalize(report)` and a few totals);
 * - a *summary row*, one per point: `"kind": "summary"`, `point`, the point's keys, `n` (seeds),
 *   and for each figure F its mean as `F` and the half-width of its 95 % interval as `F_ci95`
 *   (null when n = 1). A summary's figures are the keys F that have an `F_ci95`.
 *
 * A line that is not one of these, or a sweep with no summary row, is an InputError naming the
 * line and field.
 */
import { type At, at, failAt, isObject, type Json, numberAt, parseDocument } from './json-input.js';

export type Scalar = string | number | boolean;

export interface Interval {
  readonly mean: number;
  readonly lo: number | null;
  readonly hi: number | null;
}

export interface SweepSummary {
  readonly point: Readonly<Record<string, Scalar>>;
  readonly figures: Readonly<Record<string, Interval>>;
}

export interface SweepRun {
  readonly point: Readonly<Record<string, Scalar>>;
  readonly seed: number;
  readonly figures: Readonly<Record<string, number>>;
}

export interface Sweep {
  readonly file: string;
  /** The points' keys, in the order first seen. */
  readonly keys: readonly string[];
  /** The summarized figures, in the order first seen. */
  readonly figures: readonly string[];
  readonly summaries: readonly SweepSummary[];
  readonly runs: readonly SweepRun[];
}

const CI = '_ci95';
const BOOKKEEPING = new Set(['kind', 'run', 'point', 'n', 'seed']);

function isScalar(v: unknown): v is Scalar {
  return (
    typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))
  );
}

/** The summary row's point keys and figures (added to `keys`/`figures` in first-seen order). */
function summary(row: Json, a: At, keys: string[], figures: string[]): SweepSummary {
  const point: Record<string, Scalar> = {};
  const values: Record<string, Interval> = {};
  for (const [k, v] of Object.entries(row)) {
    if (BOOKKEEPING.has(k) || k.endsWith(CI)) continue;
    if (`${k}${CI}` in row) {
      const mean = numberAt(v, at(a, k));
      const half = row[`${k}${CI}`];
      const h = half === null ? null : numberAt(half, at(a, `${k}${CI}`));
      values[k] = { mean, lo: h === null ? null : mean - h, hi: h === null ? null : mean + h };
      if (!figures.includes(k)) figures.push(k);
    } else if (isScalar(v)) {
      point[k] = v;
      if (!keys.includes(k)) keys.push(k);
    }
  }
  if (Object.keys(values).length === 0) failAt(a, 'a summary row without figures (F and F_ci95)');
  return { point, figures: values };
}

export function readSweep(text: string, file: string): Sweep {
  const keys: string[] = [];
  const figures: string[] = [];
  const summaries: SweepSummary[] = [];
  const byPoint = new Map<number, Record<string, Scalar>>();
  const raw: { row: Json; index: number }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    const a: At = { file, line: i + 1, path: '' };
    const row = parseDocument(line, file, i + 1);
    if (!isObject(row)) failAt(a, 'expected a JSON object (a sweep row)');
    const index = numberAt(row.point, at(a, 'point'));
    if (row.kind === 'summary') {
      numberAt(row.n, at(a, 'n'));
      const s = summary(row, a, keys, figures);
      summaries.push(s);
      byPoint.set(index, s.point);
    } else if (row.kind === 'run') {
      numberAt(row.seed, at(a, 'seed'));
      raw.push({ row, index });
    } else failAt(at(a, 'kind'), 'unknown row shape (a sweep row has kind "run" or "summary")');
  }
  if (summaries.length === 0)
    failAt({ file, line: 1, path: '' }, 'a sweep without summary rows (kind "summary")');
  const runs = raw.map(({ row, index }): SweepRun => {
    const values: Record<string, number> = {};
    for (const f of figures) if (typeof row[f] === 'number') values[f] = row[f];
    return { point: byPoint.get(index) ?? {}, seed: row.seed as number, figures: values };
  });
  return { file, keys, figures, summaries, runs };
}
