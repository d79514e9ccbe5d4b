/** One run of a workload (file, stdin or preset:NAME) under one policy, as run and explain do it. */
import {
  type BackendV2,
  InputError,
  type RunRequest,
  type RunResult,
  runFileMany,
  runPresetMany,
} from '@vfpu/core';
import { DUPLICATE, duplicateKey } from '@vfpu/core/internal';
import { UsageError } from './context.js';
import type { CommonOptions } from './options.js';
import { loadPolicyModules } from './policy-module.js';
import { readText } from './read-text.js';

/** A JSON file (a cost table, a sweep grid): refused if unreadable, not UTF-8, malformed or with a duplicate key. */
export function readJsonFile(path: string): unknown {
  const text = readText(path);
  let costs: unknown;
  try {
    costs = JSON.parse(text);
  } catch (e) {
    throw new InputError(path, 0, '', `malformed JSON (${(e as Error).message})`);
  }
  // JSON.parse keeps the last of two equal keys: refuse them, as in workloads
  const dup = duplicateKey(text);
  if (dup !== undefined) throw new InputError(path, 0, dup, DUPLICATE);
  return costs;
}

export async function runOne(
  backends: readonly BackendV2[],
  workload: string,
  policy: string,
  o: CommonOptions,
  extra: Partial<RunRequest>,
): Promise<RunResult> {
  return (await runAll(backends, workload, [policy], o, extra))[0] as RunResult;
}

/** The workload under each policy, in one pass over it (a file or stdin is read once). */
export function runAll(
  backends: readonly BackendV2[],
  workload: string,
  policies: readonly string[],
  o: CommonOptions,
  extra: Partial<RunRequest>,
): Promise<RunResult[]> {
  const base = {
    ...(o.arch !== undefined ? { arch: o.arch } : {}),
    ...(o.variant !== undefined ? { variant: o.variant } : {}),
  };
  return runConfigurations(
    backends,
    workload,
    policies.map((policy) => ({ ...base, policy })),
    o,
    extra,
  );
}

/** Which simulator: a backend, its variant (default: the backend's) and a policy. */
export interface Configuration {
  readonly arch?: string;
  readonly variant?: string;
  readonly policy: string;
}

/** The workload under each configuration, in one pass over it. */
export async function runConfigurations(
  backends: readonly BackendV2[],
  workload: string,
  configs: readonly Configuration[],
  o: CommonOptions,
  extra: Partial<RunRequest>,
): Promise<RunResult[]> {
  const costs = o.costs !== undefined ? { costs: readJsonFile(o.costs), costsFile: o.costs } : {};
  const modules = await loadPolicyModules(o.policyModule);
  const reqs: RunRequest[] = configs.map((c) => ({
    backends,
    policy: modules.find((d) => d.name === c.policy) ?? c.policy,
    seed: o.seed,
    ...(c.arch !== undefined ? { arch: c.arch } : {}),
    ...(c.variant !== undefined ? { variant: c.variant } : {}),
    ...costs,
    ...extra,
  }));
  if (workload.startsWith('preset:')) {
    return runPresetMany(
      { preset: workload.slice('preset:'.length), events: o.events, params: o.param ?? {} },
      reqs,
    );
  }
  if (Object.keys(o.param ?? {}).length > 0)
    throw new UsageError('--param applies to preset: workloads only');
  return runFileMany(workload, reqs);
}
