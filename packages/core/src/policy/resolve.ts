import type { VariantSpec } from '../contract/backend.js';
import { unknownChoice } from '../suggest.js';
import { BUILTIN_POLICIES } from './builtin.js';
import type { PolicyDefinition } from './types.js';

/** A policy name resolved on a variant: the definition that runs and its parameters. */
export interface ResolvedPolicy {
  /** The name the user asked for (`kvm`, `eager`, …). */
  readonly name: string;
  /** The policy that runs (for `kvm`, what the variant's kernel does). */
  readonly definition: PolicyDefinition;
  /** The parameters, defaults filled in. */
  readonly params: Readonly<Record<string, number>>;
}

/** Every name `--policy` accepts: `kvm` (the variant's kernel), then the built-in policies. */
export const POLICY_NAMES: readonly string[] = ['kvm', ...BUILTIN_POLICIES.map((p) => p.name)];

/**
 * Parses `name` or `name:key=value:key=value` and resolves `kvm` through the variant.
 * Throws an Error with a user-facing message on a bad name or parameter.
 */
export function resolvePolicy(
  spec: string | PolicyDefinition,
  variant: VariantSpec,
): ResolvedPolicy {
  if (typeof spec !== 'string') return resolveDefinition(spec);
  const [name = '', ...rest] = spec.split(':');
  const ref = name === 'kvm' ? variant.kvm : { policy: name };
  const definition = BUILTIN_POLICIES.find((p) => p.name === ref.policy);
  if (definition === undefined) {
    throw new Error(unknownChoice('policy', name, POLICY_NAMES));
  }
  const params: Record<string, number> = {};
  for (const [key, p] of Object.entries(definition.params)) params[key] = p.default;
  Object.assign(params, ref.params ?? {});
  for (const kv of rest) {
    const m = /^([a-z-]+)=(\d+)$/.exec(kv);
    const key = m?.[1];
    const p =
      key === undefined || !Object.hasOwn(definition.params, key)
        ? undefined
        : definition.params[key];
    if (m === null || key === undefined || p === undefined) {
      const known = Object.keys(definition.params);
      throw new Error(
        `policy ${name}: bad parameter "${kv}" (expected key=integer; keys: ${known.length ? known.join(', ') : 'none'})`,
      );
    }
    const value = Number(m[2]);
    if (value < p.min || value > p.max) {
      throw new Error(`policy ${name}: ${key}=${value} is outside ${p.min}..${p.max}`);
    }
    params[key] = value;
  }
  return { name: rest.length ? spec : name, definition, params };
}

/** A policy given as an object through the API (not built in): its parameters at their defaults. */
function resolveDefinition(definition: PolicyDefinition): ResolvedPolicy {
  if (typeof definition.create !== 'function' || typeof definition.name !== 'string')
    throw new Error('a policy object needs a name and a create() function (see PolicyDefinition)');
  const params: Record<string, number> = {};
  for (const [key, p] of Object.entries(definition.params ?? {})) params[key] = p.default;
  return { name: definition.name, definition, params };
}

/** Why `policy` must give the same result as another on this variant (its trap granularity), if it must. */
export function coincidence(policy: ResolvedPolicy, variant: VariantSpec): string | undefined {
  const g = variant.trapGranularity;
  const same = policy.definition.sameAs;
  if (g.scope !== 'all' || same?.when !== 'trap-enables-all') return undefined;
  return `${policy.name} = ${same.policy} here: ${g.why}, so what a policy grants on a trap cannot matter`;
}
