/**
 * Cost model: exact counts are the result; cycles are an estimate from a per-arch table.
 * Every figure carries its source, or the word `estimate`.
 */
import { unknownChoice } from './suggest.js';

/** One figure of a cost table: cycles, and where the number comes from. */
export interface CostFigure {
  /** Cycles (0 to `COST_MAX`). */
  readonly value: number;
  /** Where the figure comes from (a manual, paper or measurement), or a text containing `estimate`. */
  readonly source: string;
}

/** The keys of a cost table, in report order. */
export const COST_KEYS = [
  'trap',
  'host_trap',
  'exit',
  'save_fixed',
  'save_per_byte',
  'restore_fixed',
  'restore_per_byte',
  'control',
] as const;
/** One key of a cost table (`trap`, `save_per_byte`, …). */
export type CostKey = (typeof COST_KEYS)[number];

/** What each cost key prices. */
export const COST_MEANING: Readonly<Record<CostKey, string>> = {
  trap: 'one FP/SIMD-disabled trap taken to the hypervisor: exit, handler, re-entry',
  host_trap: 'one FP/SIMD-disabled trap taken by a host thread (no VM exit)',
  exit: 'one non-FP VM exit and re-entry (mmio, irq, control-register write, …)',
  save_fixed: 'fixed cost of one save routine call',
  save_per_byte: 'per byte saved',
  restore_fixed: 'fixed cost of one restore routine call',
  restore_per_byte: 'per byte restored',
  control: 'one root control-register write (mtc0, msr, …)',
};

/** A figure for every cost key: what a backend variant declares and `mergeCosts` returns. */
export type CostTable = Readonly<Record<CostKey, CostFigure>>;

/**
 * The largest figure a table may give: 1e9 cycles, one second at 1 GHz. Cycle totals are sums of
 * counts × figures (× bytes), so with this bound no total of any run can overflow to Infinity
 * (10^15 events × 10^5 bytes × 10^9 is 10^29, far below Number.MAX_VALUE).
 */
export const COST_MAX = 1e9;
const COST_MAX_TEXT = '1e9';

/**
 * Merges a user's table over the defaults. The user file is `{ "<key>": number | {value, source} }`;
 * a bare number gets the source `user`; every figure is a finite number from 0 to {@link COST_MAX}.
 * Returns an error naming the field.
 */
export function mergeCosts(
  defaults: CostTable,
  user: unknown,
):
  | {
      /** The table merged. */
      ok: true;
      /** The defaults with the user's figures over them. */
      value: CostTable;
    }
  | {
      /** The user's table is refused. */
      ok: false;
      /** The key at fault (`trap`, `trap.value`, `(top level)`). */
      field: string;
      /** What is wrong with it. */
      message: string;
    } {
  if (typeof user !== 'object' || user === null || Array.isArray(user)) {
    return { ok: false, field: '(top level)', message: 'a cost table is a JSON object' };
  }
  const out: Record<string, CostFigure> = { ...defaults };
  for (const [key, raw] of Object.entries(user as Record<string, unknown>)) {
    if (key === '$comment') continue;
    if (!(COST_KEYS as readonly string[]).includes(key)) {
      return {
        ok: false,
        field: key,
        message: unknownChoice('cost', key, COST_KEYS),
      };
    }
    let figure: CostFigure;
    if (typeof raw === 'number') {
      figure = { value: raw, source: 'user' };
    } else if (
      typeof raw === 'object' &&
      raw !== null &&
      typeof (raw as { value?: unknown }).value === 'number' &&
      typeof (raw as { source?: unknown }).source === 'string'
    ) {
      figure = { value: (raw as CostFigure).value, source: (raw as CostFigure).source };
    } else {
      return {
        ok: false,
        field: key,
        message: 'expected a number or {"value": number, "source": string}',
      };
    }
    if (!Number.isFinite(figure.value) || figure.value < 0) {
      return { ok: false, field: key, message: 'expected a finite number ≥ 0' };
    }
    if (figure.value > COST_MAX) {
      return {
        ok: false,
        field: key,
        message: `${figure.value} is above ${COST_MAX_TEXT} cycles, the bound of one figure (one second at 1 GHz; it keeps every total finite)`,
      };
    }
    out[key] = figure;
  }
  return { ok: true, value: out as CostTable };
}
