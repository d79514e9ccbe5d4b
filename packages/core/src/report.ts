/**
 * Report format v1 (`vfpu run --json`). Key order is fixed and every count is exact, so the
 * same workload and seed give byte-identical JSON.
 */
import type { CostTable } from './costs.js';
import type { Simulator } from './engine.js';
import type { Violation } from './oracle.js';

export interface ReportV1 {
  readonly format: 'vfpu-report';
  readonly version: 1;
  readonly arch: string;
  readonly variant: string;
  readonly policy: string;
  readonly workload: { readonly name: string; readonly events: number; readonly seed: number };
  readonly traps: Record<string, number>;
  readonly exits: Record<string, number>;
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

export function buildReport(
  sim: Simulator,
  workloadName: string,
  config: ResolvedConfig,
): ReportV1 {
  const a = sim.acct;
  const fp = a.cyclesTrap + a.cyclesSave + a.cyclesRestore + a.cyclesControl;
  return {
    format: 'vfpu-report',
    version: 1,
    arch: config.backend,
    variant: config.variant,
    policy: config.policy.name,
    workload: { name: workloadName, events: sim.events, seed: config.seed },
    traps: a.section('traps'),
    exits: a.section('exits'),
    ops: a.ops(),
    bytes: { saved: a.bytesSaved, restored: a.bytesRestored },
    cycles: {
      total: a.cyclesWork + fp + a.cyclesExit,
      work: a.cyclesWork,
      fp,
      breakdown: {
        trap: a.cyclesTrap,
        exit: a.cyclesExit,
        save: a.cyclesSave,
        restore: a.cyclesRestore,
        control: a.cyclesControl,
      },
    },
    check: {
      reads: sim.oracle.reads,
      violations: sim.oracle.violations,
      first: sim.oracle.first,
      unenabled_restores: sim.unenabledRestores,
    },
    exposure: {
      events: sim.exposureEvents,
      bytes: sim.exposureBytes,
      guest: { events: sim.exposureGuestEvents, bytes: sim.exposureGuestBytes },
    },
    outcomes: a.section('outcomes'),
    warnings: sim.warningList(),
    config,
  };
}
