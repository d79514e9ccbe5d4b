/** Building a variant's default cost table. */
import type { CostKey, CostTable } from '../costs.js';

/** A cost table whose every figure is an estimate (no published source): `{ value, source: 'estimate' }`. */
export function estimates(values: Readonly<Record<CostKey, number>>): CostTable {
  const table: Record<string, { value: number; source: string }> = {};
  for (const [key, value] of Object.entries(values)) table[key] = { value, source: 'estimate' };
  return table as CostTable;
}
