/**
 * The oracle must be able to fail: a backend's deliberately broken mechanisms (its `faults`
 * option) each corrupt state where the kernel's code does not, and the oracle reports it, while
 * the same workload without the fault reports none. One helper for every backend.
 */
import { type BackendV2, runText } from '@vfpu/core';
import { presetText } from './invariants.js';

/** A workload header's fields (what `workloadText` writes on line 1). */
export interface WorkloadShape {
  /** The backend's arch id. */
  readonly arch: string;
  /** The variant (default: the backend's default). */
  readonly variant?: string;
  /** Number of pCPUs. */
  readonly cpus: number;
  /** Number of vCPUs. */
  readonly vcpus: number;
  /** Host thread names (default none). */
  readonly threads?: readonly string[];
  /** The header's `config` (the fault is added to its `faults`). */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** NDJSON text: the header of `shape`, then `events` (one JSON object per line). */
export function workloadText(shape: WorkloadShape, events: readonly string[]): string {
  const header = { format: 'vfpu-workload', version: 1, threads: [], config: {}, ...shape };
  return [JSON.stringify(header), ...events].join('\n');
}

/** One deliberate fault and a workload that must expose it: the oracle's first violation must name `context` and `unit`. */
export interface FaultCase {
  /** A name of the backend's `faults` option. */
  readonly fault: string;
  /** The workload's header. */
  readonly shape: WorkloadShape;
  /** The workload's events, one JSON object a line. */
  readonly events: readonly string[];
  /** The first violation must name this context and unit (or register). */
  readonly context: string;
  /** The unit (or register) the first violation must name. */
  readonly unit: string;
  /** The policy to run (default `kvm`). */
  readonly policy?: string;
}

/** Problems with one fault case (empty: caught, and clean without the fault). */
export function faultProblems(backend: BackendV2, c: FaultCase): string[] {
  const run = (faults: string[]) =>
    runText(workloadText({ ...c.shape, config: { ...c.shape.config, faults } }, c.events), {
      backends: [backend],
      policy: c.policy ?? 'kvm',
    }).report;
  const problems: string[] = [];
  const good = run([]);
  if (good.check.violations !== 0)
    problems.push(
      `without ${c.fault}: ${good.check.violations} violations, first ${JSON.stringify(good.check.first)}`,
    );
  if (good.check.reads === 0) problems.push(`without ${c.fault}: the workload reads nothing back`);
  const bad = run([c.fault]);
  if (bad.check.violations === 0) problems.push(`${c.fault}: the oracle saw no violation`);
  else if (bad.check.first?.context !== c.context || bad.check.first?.unit !== c.unit)
    problems.push(
      `${c.fault}: first violation in ${bad.check.first?.context} ${bad.check.first?.unit}, expected ${c.context} ${c.unit}`,
    );
  return problems;
}

/** The fault on a generated workload: clean without it, violations with it. */
export function faultOnPresetProblems(
  backend: BackendV2,
  fault: string,
  header: { readonly arch: string; readonly variant?: string },
  preset = 'overcommit',
  events = 20_000,
  seed = 3,
): string[] {
  const run = (faults: string[]) =>
    runText(presetText(preset, events, seed, { ...header, config: { faults } }), {
      backends: [backend],
      policy: 'kvm',
      seed,
    }).report;
  const problems: string[] = [];
  const good = run([]);
  if (good.check.violations !== 0)
    problems.push(
      `${header.variant ?? header.arch} without ${fault}: ${good.check.violations} violations`,
    );
  if (run([fault]).check.violations === 0)
    problems.push(`${fault}: no violation on preset:${preset} (${events} events, seed ${seed})`);
  return problems;
}
