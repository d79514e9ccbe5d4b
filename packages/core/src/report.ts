/**
 * Report format v1 (`vfpu run --json`). Key order is fixed and every count is exact, so the
 * same workload and seed give byte-identical JSON.
 */
import type { Accounting } from './accounting.js';
import type { TrapWhere } from './contract/machine-host.js';
import type { CostTable } from './costs.js';
import type { Exposure } from './engine/exposure.js';
import type { EngineState } from './engine/state.js';
import type { Violation } from './oracle.js';
import type { ExitWork, FpWork } from './per-exit.js';

export interface ReportV1 {
  readonly format: 'vfpu-report';
  readonly version: 1;
  readonly arch: string;
  readonly variant: string;
  readonly policy: string;
  readonly workload: {
    readonly name: string;
    readonly events: number;
    readonly seed: number;
    /** The header's `assumptions` (what its source could not show), when it has them. */
    readonly assumptions?: readonly string[];
    /** The header's `source` (e.g. the trace `vfpu import` read), when it has one. */
    readonly source?: Readonly<Record<string, unknown>>;
  };
  readonly traps: Record<string, number>;
  readonly exits: Record<string, number>;
  /**
   * FP work per exit reason: for each exit name (the event's `label`, else its `reason`) and the
   * causes `(first entry)`, `(preemption)`, `(host)`, `(uapi)`, the exits and the root FP traps,
   * saves, restores and bytes charged to it (per-exit.ts says how).
   */
  readonly per_exit_reason: Record<string, ExitWork>;
  /**
   * The same FP work by vCPU (the vCPU of the event; host events: `none`) and by pCPU (where the
   * event runs; an event of a vCPU on no pCPU: `none`).
   */
  readonly per_vcpu: readonly FpWork[];
  readonly per_cpu: readonly FpWork[];
  readonly per_none: { readonly vcpu: FpWork; readonly cpu: FpWork };
  readonly ops: Record<string, { calls: number; bytes: number }>;
  readonly bytes: { readonly saved: number; readonly restored: number };
  readonly cycles: {
    readonly total: number;
    readonly work: number;
    readonly fp: number;
    readonly breakdown: {
      readonly trap: number;
      readonly exit: number;
      readonly save: number;
      readonly restore: number;
      readonly control: number;
    };
  };
  readonly check: {
    readonly reads: number;
    readonly violations: number;
    readonly first: Violation | null;
    readonly unenabled_restores: number;
  };
  readonly exposure: {
    readonly events: number;
    readonly bytes: number;
    readonly guest: { readonly events: number; readonly bytes: number };
  };
  readonly outcomes: Record<string, number>;
  readonly warnings: readonly string[];
  readonly config: ResolvedConfig;
}

/** Everything needed to reproduce a result. */
export interface ResolvedConfig {
  readonly versions: Readonly<Record<string, string>>;
  readonly backend: string;
  readonly variant: string;
  readonly kernel: string;
  readonly policy: {
    readonly name: string;
    readonly runs: string;
    readonly params: Readonly<Record<string, number>>;
  };
  readonly options: Readonly<Record<string, unknown>>;
  readonly costs: CostTable;
  readonly seed: number;
  readonly input: { readonly source: string; readonly sha256: string };
  readonly topology: {
    readonly cpus: number;
    readonly vcpus: number;
    readonly threads: readonly string[];
  };
}

/** What a report is made of: the run's counts, the oracle's verdict and the exposure. */
export interface ReportSources {
  readonly state: EngineState;
  readonly exposure: Exposure;
}

/** What the workload's header says of itself, carried into the report. */
export interface WorkloadOrigin {
  readonly assumptions?: readonly string[];
  readonly source?: Readonly<Record<string, unknown>>;
}

export function buildReport(
  { state, exposure }: ReportSources,
  workloadName: string,
  config: ResolvedConfig,
  origin: WorkloadOrigin = {},
): ReportV1 {
  const a: Accounting = state.acct;
  const oracle = state.oracle;
  // estimates, reported as whole cycles: each part rounded once, the sums from the rounded parts
  const c = {
    trap: Math.round(a.cyclesTrap),
    exit: Math.round(a.cyclesExit),
    save: Math.round(a.cyclesSave),
    restore: Math.round(a.cyclesRestore),
    control: Math.round(a.cyclesControl),
  };
  const fp = c.trap + c.save + c.restore + c.control;
  const byVcpu = a.perVcpu.report();
  const byCpu = a.perCpu.report();
  return {
    format: 'vfpu-report',
    version: 1,
    arch: config.backend,
    variant: config.variant,
    policy: config.policy.name,
    workload: {
      name: workloadName,
      events: state.events,
      seed: config.seed,
      ...(origin.assumptions !== undefined ? { assumptions: origin.assumptions } : {}),
      ...(origin.source !== undefined ? { source: origin.source } : {}),
    },
    traps: a.section('traps'),
    exits: a.section('exits'),
    per_exit_reason: a.perExit.report(),
    per_vcpu: byVcpu.items,
    per_cpu: byCpu.items,
    per_none: { vcpu: byVcpu.none, cpu: byCpu.none },
    ops: a.ops(),
    bytes: { saved: a.bytesSaved, restored: a.bytesRestored },
    cycles: {
      total: a.cyclesWork + fp + c.exit,
      work: a.cyclesWork,
      fp,
      breakdown: c,
    },
    check: {
      reads: oracle.reads,
      violations: oracle.violations,
      first: oracle.first,
      unenabled_restores: state.unenabledRestores,
    },
    exposure: {
      events: exposure.events,
      bytes: exposure.bytes,
      guest: { events: exposure.guestEvents, bytes: exposure.guestBytes },
    },
    outcomes: a.section('outcomes'),
    warnings: state.warningList(),
    config,
  };
}

/**
 * Where a trap kind of a report's `traps` was taken: `root` (by the hypervisor: the FP/SIMD
 * first-use traps a policy can avoid), `host` (by a host thread) or `guest` (inside the guest).
 */
export function trapWhere(kind: string): TrapWhere {
  if (kind.startsWith('host:')) return 'host';
  if (kind.startsWith('guest:')) return 'guest';
  return 'root';
}

/** The sum of a report's root traps (those that exit to the hypervisor). */
export function rootTraps(report: Pick<ReportV1, 'traps'>): number {
  let n = 0;
  for (const [kind, count] of Object.entries(report.traps))
    if (trapWhere(kind) === 'root') n += count;
  return n;
}
