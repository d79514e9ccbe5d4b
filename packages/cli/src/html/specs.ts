/**
 * The report's charts as vega-lite 5 specs: per policy × architecture (FP overhead, FP traps to
 * the hypervisor, bytes moved, LazyFP exposure) when the results hold reports, and for each sweep
 * one chart per figure: the mean over seeds as a line, its 95 % interval as a band, each seed as a
 * point. Pure functions of the results: the same input gives the same specs.
 */
import { NORMALIZED_LABELS, type Normalized } from '../compare-table.js';
import type { Results, SimRow } from './results.js';
import type { Scalar, Sweep } from './sweep-rows.js';

export interface Chart {
  /** Unique within a report; letters, digits and `-` (an HTML id). */
  readonly id: string;
  readonly title: string;
  readonly spec: Readonly<Record<string, unknown>>;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const WIDTH = 520;

const distinct = <T>(xs: readonly T[]): T[] => [...new Set(xs)];

function label(figure: string): string {
  return (NORMALIZED_LABELS as Record<string, string>)[figure]?.trim() ?? figure;
}

/** The rows the simulator charts share: who, and the figures they plot. */
function simData(rows: readonly SimRow[]): Record<string, unknown>[] {
  return rows.map((r) => ({
    workload: r.workload,
    simulator: r.simulator,
    policy: r.policy,
    fp_overhead_percent: r.fp_overhead_percent,
    fp_cycles: r.fp_cycles,
    fp_ratio_to_bound: r.fp_ratio_to_bound ?? null,
    fp_traps_to_hypervisor: r.fp_traps_to_hypervisor,
    bytes_saved: r.bytes_saved,
    bytes_restored: r.bytes_restored,
    bytes_moved: r.bytes_moved,
    lazyfp_exposure_events: r.lazyfp_exposure_events,
    lazyfp_guest_exposure_events: r.lazyfp_guest_exposure_events,
    lazyfp_exposure_bytes: r.lazyfp_exposure_bytes,
  }));
}

/** Bars per policy, one per architecture/variant side by side; a column per workload if several. */
function grouped(
  id: string,
  title: string,
  field: keyof Normalized,
  rows: readonly SimRow[],
): Chart {
  const workloads = distinct(rows.map((r) => r.workload));
  return {
    id,
    title,
    spec: {
      $schema: SCHEMA,
      title,
      width: workloads.length > 1 ? Math.round(WIDTH / workloads.length) : WIDTH,
      height: 220,
      data: { values: simData(rows) },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: policyAxis(rows),
        xOffset: { field: 'simulator', type: 'nominal' },
        y: { field, type: 'quantitative', title: label(field) },
        color: { field: 'simulator', type: 'nominal', title: 'architecture/variant' },
        ...(workloads.length > 1 ? { column: { field: 'workload', type: 'nominal' } } : {}),
      },
    },
  };
}

/** The x axis of a per-policy bar chart: the policies in the order the inputs give them. */
function policyAxis(rows: readonly SimRow[]) {
  return {
    field: 'policy',
    type: 'nominal',
    sort: distinct(rows.map((r) => r.policy)),
    axis: { labelAngle: 0 },
  } as const;
}

/** Bytes saved and restored, stacked, per policy; a column per architecture/variant. */
function bytesChart(rows: readonly SimRow[]): Chart {
  const title = 'Bytes moved (saved + restored) per policy × architecture';
  const sims = distinct(rows.map((r) => r.simulator));
  return {
    id: 'bytes',
    title,
    spec: {
      $schema: SCHEMA,
      title,
      data: { values: simData(rows) },
      transform: [{ fold: ['bytes_saved', 'bytes_restored'], as: ['direction', 'bytes'] }],
      mark: { type: 'bar', tooltip: true },
      width: Math.max(60, Math.round(WIDTH / sims.length)),
      height: 220,
      encoding: {
        x: policyAxis(rows),
        y: { field: 'bytes', type: 'quantitative', title: 'bytes', stack: 'zero' },
        color: { field: 'direction', type: 'nominal', title: 'bytes' },
        column: { field: 'simulator', type: 'nominal', title: 'architecture/variant', sort: sims },
        ...(distinct(rows.map((r) => r.workload)).length > 1
          ? { row: { field: 'workload', type: 'nominal' } }
          : {}),
      },
    },
  };
}

export function simulatorCharts(rows: readonly SimRow[]): Chart[] {
  if (rows.length === 0) return [];
  return [
    grouped('overhead', 'FP overhead per policy × architecture', 'fp_overhead_percent', rows),
    grouped(
      'traps',
      'FP traps to the hypervisor per policy × architecture',
      'fp_traps_to_hypervisor',
      rows,
    ),
    bytesChart(rows),
    ...(rows.some((r) => typeof r.fp_ratio_to_bound === 'number')
      ? [
          grouped(
            'bound',
            'FP cycles / clairvoyant bound per policy × architecture (1 = the bound)',
            'fp_ratio_to_bound',
            rows,
          ),
        ]
      : []),
    grouped(
      'exposure',
      'LazyFP exposure per policy × architecture',
      'lazyfp_exposure_events',
      rows,
    ),
  ];
}

/** The figures a sweep's charts show: these four where the sweep has them, else its first four. */
export const SWEEP_FIGURES: readonly (keyof Normalized)[] = [
  'fp_overhead_percent',
  'fp_traps_to_hypervisor',
  'bytes_moved',
  'lazyfp_exposure_events',
];

/** The sweep's x axis (the first varying key, numeric ones first) and what makes a series. */
export function sweepAxes(s: Sweep): { x: string | undefined; numeric: boolean; series: string[] } {
  const values = (k: string) => distinct(s.summaries.map((p) => p.point[k]));
  const varying = s.keys.filter((k) => values(k).length > 1);
  const numeric = varying.find((k) => values(k).every((v) => typeof v === 'number'));
  const x = numeric ?? varying[0] ?? s.keys[0];
  return { x, numeric: numeric !== undefined, series: varying.filter((k) => k !== x) };
}

export function sweepCharts(s: Sweep, n: number): Chart[] {
  const { x, numeric, series } = sweepAxes(s);
  const name = (point: Readonly<Record<string, Scalar>>) =>
    series.length === 1
      ? String(point[series[0] as string])
      : series.length
        ? series.map((k) => `${k}=${String(point[k])}`).join(', ')
        : 'all points';
  const xOf = (point: Readonly<Record<string, Scalar>>) => (x === undefined ? '' : point[x]);
  const preferred = SWEEP_FIGURES.filter((f) => s.figures.includes(f));
  const figures = preferred.length ? preferred : s.figures.slice(0, 4);
  const xEnc = { field: 'x', type: numeric ? 'quantitative' : 'ordinal', title: x ?? '' };
  const color = { field: 'series', type: 'nominal', title: series.join(', ') || 'series' };
  return figures.map((f, i) => {
    const title = `${label(f)} over ${x ?? 'the sweep'} (mean, 95 % interval; sweep ${n + 1})`;
    const means = s.summaries
      .filter((p) => p.figures[f] !== undefined)
      .map((p) => ({ x: xOf(p.point), series: name(p.point), ...p.figures[f] }));
    const seeds = s.runs
      .filter((r) => r.figures[f] !== undefined)
      .map((r) => ({ x: xOf(r.point), series: name(r.point), seed: r.seed, value: r.figures[f] }));
    const layers: Record<string, unknown>[] = [
      {
        data: { values: means },
        mark: { type: 'errorband', opacity: 0.25 },
        encoding: {
          x: xEnc,
          y: { field: 'lo', type: 'quantitative', title: label(f) },
          y2: { field: 'hi' },
          color,
        },
      },
      {
        data: { values: means },
        mark: { type: 'line', point: true, tooltip: true },
        encoding: { x: xEnc, y: { field: 'mean', type: 'quantitative', title: label(f) }, color },
      },
    ];
    if (seeds.length)
      layers.push({
        data: { values: seeds },
        mark: { type: 'point', opacity: 0.35, tooltip: true },
        encoding: { x: xEnc, y: { field: 'value', type: 'quantitative' }, color },
      });
    return {
      id: `sweep-${n + 1}-${i + 1}`,
      title,
      spec: { $schema: SCHEMA, title, width: WIDTH, height: 240, layer: layers },
    };
  });
}

export function buildCharts(results: Results): Chart[] {
  return [
    ...simulatorCharts(results.simulators.map((s) => s.row)),
    ...results.sweeps.flatMap((s, n) => sweepCharts(s, n)),
  ];
}
