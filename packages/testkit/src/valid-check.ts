/**
 * Random valid workloads × every policy, in process: zero violations and zero refusals expected
 * (a refusal of a workload valid by its own lifecycle is a validity-depends-on-policy bug, or an
 * engine rule the generator does not know). A failure shrinks (fast-check) to a minimal workload,
 * printed as NDJSON.
 */
import { type BackendV2, InputError, POLICY_NAMES, type ReportV1, runText } from '@vfpu/core';
import fc from 'fast-check';
import {
  type ValidWorkload,
  type ValidWorkloadChoices,
  validWorkload,
  validWorkloadChoices,
} from './random-workload.js';

/** What one workload did under one policy. */
export interface PolicyOutcome {
  /** The policy run. */
  readonly policy: string;
  /** Oracle violations (0 when refused or crashed). */
  readonly violations: number;
  /** The refusal (exit 2) message, if the workload was refused. */
  readonly refused?: string;
  /** Any other exception (a crash). */
  readonly crashed?: string;
  /** The first violation, when there was one. */
  readonly first?: unknown;
  /** The report, when the run finished. */
  readonly report?: ReportV1;
}

/** Runs one random valid workload under one policy and says how it ended: a report, a refusal (an input error) or a crash. */
export function runValidWorkload(
  backend: BackendV2,
  w: ValidWorkload,
  policy: string,
): PolicyOutcome {
  const text = w.lines.join('\n');
  try {
    const { report } = runText(text, { backends: [backend], policy }, 'random.ndjson');
    return { policy, violations: report.check.violations, first: report.check.first, report };
  } catch (e) {
    if (InputError.isInstance(e)) return { policy, violations: 0, refused: (e as Error).message };
    return { policy, violations: 0, crashed: (e as Error).stack ?? String(e) };
  }
}

/** Problems of one workload under every policy (empty: none); `determinism` also re-runs each. */
export function validWorkloadProblems(
  backend: BackendV2,
  w: ValidWorkload,
  policies: readonly string[] = POLICY_NAMES,
  determinism = false,
): string[] {
  const problems: string[] = [];
  for (const policy of policies) {
    const o = runValidWorkload(backend, w, policy);
    if (o.crashed !== undefined) problems.push(`${policy}: crashed: ${o.crashed}`);
    else if (o.refused !== undefined) problems.push(`${policy}: refused: ${o.refused}`);
    else if (o.violations !== 0)
      problems.push(`${policy}: ${o.violations} violations, first ${JSON.stringify(o.first)}`);
    else if (determinism) {
      const again = runValidWorkload(backend, w, policy);
      if (JSON.stringify(again.report) !== JSON.stringify(o.report))
        problems.push(`${policy}: two runs of the same workload gave different reports`);
    }
  }
  return problems;
}

/** Options of `checkValidWorkloads`. */
export interface ValidCheckOptions {
  /** The variant (default: the backend's default). */
  readonly variant?: string;
  /** Number of random workloads. */
  readonly runs: number;
  /** fast-check's seed (default: random). */
  readonly seed?: number;
  /** Most events per workload (default 60). */
  readonly maxEvents?: number;
  /** Policies to run each workload under (default: every name in `POLICY_NAMES`). */
  readonly policies?: readonly string[];
  /** Re-run every n-th workload to compare reports (0: never). */
  readonly determinismEvery?: number;
}

/** What `checkValidWorkloads` counted, and the first failure shrunk. */
export interface ValidCheckResult {
  /** Workloads generated. */
  readonly workloads: number;
  /** Events in them. */
  readonly events: number;
  /** Runs (workloads × policies). */
  readonly runs: number;
  /** Runs with an oracle violation. */
  readonly violations: number;
  /** Runs refused as invalid input (should be 0: the workloads are valid). */
  readonly refusals: number;
  /** Runs that threw anything else. */
  readonly crashes: number;
  /** The shrunk counterexample and its problems, when a workload failed. */
  readonly failure?: {
    /** The smallest failing workload fast-check found, as NDJSON. */
    readonly ndjson: string;
    /** What went wrong with it, one line per policy. */
    readonly problems: readonly string[];
  };
}

/**
 * Runs `runs` random valid workloads × every policy (all of them: a failure does not stop the
 * count); the first failing workload is then shrunk by fast-check to a minimal one.
 */
export function checkValidWorkloads(backend: BackendV2, o: ValidCheckOptions): ValidCheckResult {
  const policies = o.policies ?? POLICY_NAMES;
  const maxEvents = o.maxEvents ?? 60;
  const every = o.determinismEvery ?? 0;
  const stats = { workloads: 0, events: 0, runs: 0, violations: 0, refusals: 0, crashes: 0 };
  let failing: ValidWorkloadChoices | undefined;
  fc.check(
    fc.property(validWorkloadChoices(maxEvents), (c) => {
      const w = validWorkload(backend, o.variant, c);
      const det = every > 0 && stats.workloads % every === 0;
      const problems = validWorkloadProblems(backend, w, policies, det);
      stats.workloads++;
      stats.events += w.lines.length - 1;
      stats.runs += policies.length;
      for (const p of problems) {
        if (p.includes(': refused: ')) stats.refusals++;
        else if (p.includes(': crashed: ')) stats.crashes++;
        else stats.violations++;
      }
      if (problems.length > 0 && failing === undefined) failing = c;
      return true;
    }),
    { numRuns: o.runs, ...(o.seed !== undefined ? { seed: o.seed } : {}) },
  );
  if (failing === undefined) return stats;
  // shrink the first failure (the choices shrink without context: arrays of naturals)
  const shrunk = fc.check(
    fc.property(
      validWorkloadChoices(maxEvents),
      (c) =>
        validWorkloadProblems(backend, validWorkload(backend, o.variant, c), policies).length === 0,
    ),
    { numRuns: 1, examples: [[failing]] },
  );
  const c = (shrunk.counterexample?.[0] as ValidWorkloadChoices | undefined) ?? failing;
  const w = validWorkload(backend, o.variant, c);
  return {
    ...stats,
    failure: { ndjson: w.lines.join('\n'), problems: validWorkloadProblems(backend, w, policies) },
  };
}
