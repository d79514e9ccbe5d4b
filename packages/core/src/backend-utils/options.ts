/**
 * Checks every backend's `resolveConfig` makes the same way, with the same messages: unknown
 * option names, lists of bit names, and the `quirks` / `faults` options.
 */
import type { ConfigFailure, OptionSpec } from '../contract/backend.js';
import { fieldLabel } from '../workload/parse-header.js';

/** A `resolveConfig` failure naming `field`: the one shape every backend returns. */
export function configFailure(field: string, message: string): ConfigFailure {
  return { ok: false, field, message };
}

/** Whether `x` is a JSON object (not null, not an array): what a `config` option of objects must be. */
export function isConfigObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The first key of `config` that is not an option of `options`, or the first `null` an option's
 * schema does not admit (anywhere inside it too), as a failure: a `null` must never be taken
 * silently as the default.
 */
export function unknownOption(
  config: Readonly<Record<string, unknown>>,
  options: Readonly<Record<string, OptionSpec>>,
): ConfigFailure | undefined {
  for (const key of Object.keys(config)) {
    if (!Object.hasOwn(options, key))
      return configFailure(
        fieldLabel(key),
        `unknown option (known: ${Object.keys(options).join(', ')})`,
      );
    const v = config[key];
    if (v === null && !admitsNull((options[key] as OptionSpec).schema))
      return configFailure(key, NULL_OPTION);
    const inner = nullInside(v, key);
    if (inner !== undefined) return configFailure(inner, NULL_OPTION);
  }
  return undefined;
}

const NULL_OPTION = 'null is not a value here; omit the option to take its default';

function admitsNull(schema: Readonly<Record<string, unknown>> | undefined): boolean {
  if (schema === undefined) return false;
  const { type, enum: values, const: only } = schema as Record<string, unknown>;
  return (
    type === 'null' ||
    (Array.isArray(type) && type.includes('null')) ||
    (Array.isArray(values) && values.includes(null)) ||
    (Object.hasOwn(schema, 'const') && only === null)
  );
}

/** The path of the first `null` inside an object or array `v` (at `path`), if any. */
function nullInside(v: unknown, path: string): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) {
      if (x === null) return `${path}[${i}]`;
      const inner = nullInside(x, `${path}[${i}]`);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  for (const [k, x] of Object.entries(v)) {
    if (x === null) return `${path}.${k}`;
    const inner = nullInside(x, `${path}.${k}`);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** `list` (at `field`, e.g. `guest.Status`) must be an array of names of `bits`. */
export function badBitList(
  field: string,
  list: unknown,
  bits: Readonly<Record<string, number>>,
): ConfigFailure | undefined {
  if (!Array.isArray(list)) return configFailure(field, 'expected an array of bit names');
  for (const [i, b] of list.entries()) {
    if (typeof b !== 'string' || !Object.hasOwn(bits, b))
      return configFailure(
        `${field}[${i}]`,
        `unknown bit ${JSON.stringify(b)} (known: ${Object.keys(bits).join(', ')})`,
      );
  }
  return undefined;
}

/**
 * `quirks` ("kernel": reproduce the kernel's bugs, the default; "fixed") and `faults` (names of
 * `faults`, default none) into `out`.
 */
export function resolveQuirksAndFaults(
  config: Readonly<Record<string, unknown>>,
  faults: Readonly<Record<string, string>>,
  out: Record<string, unknown>,
): ConfigFailure | undefined {
  const quirks = config.quirks ?? 'kernel';
  if (quirks !== 'kernel' && quirks !== 'fixed')
    return configFailure('quirks', 'expected "kernel" or "fixed"');
  out.quirks = quirks;
  const list = config.faults ?? [];
  if (!Array.isArray(list)) return configFailure('faults', 'expected an array of fault names');
  for (const [i, f] of list.entries()) {
    if (typeof f !== 'string' || !Object.hasOwn(faults, f)) {
      return configFailure(
        `faults[${i}]`,
        `unknown fault ${JSON.stringify(f)} (known: ${Object.keys(faults).join(', ')})`,
      );
    }
  }
  out.faults = list;
  return undefined;
}

/**
 * The resolved `faults` list as one flag per fault name (all keys present), so a hot path reads
 * a field (`o.faults['skip-put-save']`) instead of looking a string up in a set.
 */
export function faultFlags<F extends string>(
  faults: Readonly<Record<F, string>>,
  list: readonly string[],
): Readonly<Record<F, boolean>> {
  const flags = {} as Record<F, boolean>;
  for (const f of Object.keys(faults) as F[]) flags[f] = list.includes(f);
  return Object.freeze(flags);
}
