/**
 * A sweep's grid: the keys a user may vary (from a JSON file and `--set KEY=V1,V2,…`), checked,
 * and expanded into points in one documented order.
 *
 * Keys: `arch` (arch or arch:variant), `policy` (with parameters, `adaptive:threshold=3`),
 * `events`, `seed`, `param.<preset parameter>`, and `vcpus` / `cpus` (the preset parameters
 * `param.vcpus` / `param.cpus`). A point is one value of every key but `seed`; each point runs
 * under every seed.
 *
 * Order: the points are the cartesian product of `events`, the `param.*` keys (in the order
 * `vfpu list` shows them), `arch`, `policy`, the last varying fastest, each key's values in the
 * order given. The runs are the (point, seed) pairs, point-major.
 */
import { DEFAULT_SEED, InputError, PARAM_HELP } from '@vfpu/core';
import { UsageError } from '../context.js';
import { readJsonFile } from '../run-one.js';

export type Value = string | number;

/** Every key's values, as given (before expansion). */
export type GridSpec = Record<string, readonly Value[]>;

const PARAMS = Object.keys(PARAM_HELP);
const ALIASES: Readonly<Record<string, string>> = { vcpus: 'param.vcpus', cpus: 'param.cpus' };
const INTEGER_KEYS = new Set(['events', 'seed', 'param.vcpus', 'param.cpus']);

/** The key's canonical name, or a usage error naming the keys there are. */
export function canonicalKey(key: string, where: string): string {
  const k = ALIASES[key] ?? key;
  if (k === 'arch' || k === 'policy' || k === 'events' || k === 'seed') return k;
  if (k.startsWith('param.') && PARAMS.includes(k.slice('param.'.length))) return k;
  throw new UsageError(
    `${where}: unknown grid key "${key}" (known: arch, policy, events, seed, vcpus, cpus, param.<${PARAMS.join('|')}>)`,
  );
}

/** One value of a key, checked: strings for arch and policy, numbers for the rest. */
function checkValue(key: string, v: unknown, where: string): Value {
  if (key === 'arch' || key === 'policy') {
    if (typeof v !== 'string' || v === '')
      throw new UsageError(
        `${where}: ${key}: expected a non-empty string, got ${JSON.stringify(v)}`,
      );
    return v;
  }
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new UsageError(`${where}: ${key}: expected a number, got ${JSON.stringify(v)}`);
  if (INTEGER_KEYS.has(key)) {
    const max = key === 'seed' ? 0xffffffff : Number.MAX_SAFE_INTEGER;
    const min = key === 'seed' ? 0 : 1;
    if (!Number.isInteger(v) || v < min || v > max)
      throw new UsageError(`${where}: ${key}: expected an integer in ${min}..${max}, got ${v}`);
  }
  return v;
}

function checkValues(key: string, values: readonly unknown[], where: string): Value[] {
  if (values.length === 0) throw new UsageError(`${where}: ${key}: no values`);
  const out = values.map((v) => checkValue(key, v, where));
  const seen = new Set<Value>();
  for (const v of out) {
    if (seen.has(v)) throw new UsageError(`${where}: ${key}: ${JSON.stringify(v)} is given twice`);
    seen.add(v);
  }
  return out;
}

/** A grid file: a JSON object of key → value or array of values. */
export function readGridFile(path: string): GridSpec {
  const doc = readJsonFile(path);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new InputError(path, 0, '', 'expected a JSON object of key → value or [values]');
  const spec: GridSpec = {};
  for (const [key, raw] of Object.entries(doc)) {
    const k = canonicalKey(key, path);
    if (spec[k] !== undefined) throw new UsageError(`${path}: ${key}: given twice (as ${k})`);
    spec[k] = checkValues(k, Array.isArray(raw) ? raw : [raw], path);
  }
  return spec;
}

/** `--set KEY=V1,V2,…`: numbers for the numeric keys; a value with commas needs a grid file. */
export function parseSet(text: string): [string, Value[]] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set: expected KEY=V1,V2,…, got "${text}"`);
  const k = canonicalKey(text.slice(0, eq), '--set');
  const raw = text.slice(eq + 1).split(',');
  const values = raw.map((s) =>
    k === 'arch' || k === 'policy' ? s.trim() : s.trim() === '' ? Number.NaN : Number(s),
  );
  return [k, checkValues(k, values, '--set')];
}

/** The dimensions of a point, in expansion order (the last varies fastest). */
export interface Dimension {
  readonly key: string;
  readonly values: readonly Value[];
}

export interface Grid {
  /** Only the keys given, in expansion order; `seed` is not among them. */
  readonly dims: readonly Dimension[];
  readonly seeds: readonly number[];
  readonly points: number;
  readonly runs: number;
}

/**
 * The grid of `spec` (file values overridden by `--set`), with `--seeds N` = seeds 1..N; without
 * either, the one default seed.
 */
export function buildGrid(spec: GridSpec, seedsOption: number | undefined): Grid {
  if (seedsOption !== undefined && spec.seed !== undefined)
    throw new UsageError('--seeds and a "seed" grid key: choose one');
  const seeds =
    seedsOption !== undefined
      ? Array.from({ length: seedsOption }, (_, i) => i + 1)
      : ((spec.seed as number[] | undefined) ?? [DEFAULT_SEED]);
  const order = ['events', ...PARAMS.map((p) => `param.${p}`), 'arch', 'policy'];
  const dims = order.flatMap((key) => {
    const values = spec[key];
    return values === undefined ? [] : [{ key, values }];
  });
  const points = dims.reduce((n, d) => n * d.values.length, 1);
  return { dims, seeds, points, runs: points * seeds.length };
}

/** Point `p`'s value of every dimension (mixed radix, the last dimension fastest). */
export function pointValues(grid: Grid, p: number): Record<string, Value> {
  const out: Record<string, Value> = {};
  let rest = p;
  for (let i = grid.dims.length - 1; i >= 0; i--) {
    const d = grid.dims[i] as Dimension;
    out[d.key] = d.values[rest % d.values.length] as Value;
    rest = Math.floor(rest / d.values.length);
  }
  // in expansion order
  return Object.fromEntries(grid.dims.map((d) => [d.key, out[d.key] as Value]));
}
