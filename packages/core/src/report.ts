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

/**
 * The result of one run under one policy: the kernel's counters, the work and bytes of every
 * save and restore, cycle estimates, the state oracle's verdict, the exposure and the
 * configuration that reproduces it (what `vfpu run --json` prints; `reportSchema()` is its schema).
 */
export interface ReportV1 {
  /** Always `vfpu-report`: what the JSON document is. */
  readonly format: 'vfpu-report';
  /** Report format version; 1 for this shape. */
  readonly version: 1;
  /** The backend's id (`mips-vz`, `x86-xfd`, …). */
  readonly arch: string;
  /** The variant (kernel generation) that ran. */
  readonly variant: string;
  /** The policy's name as given (`kvm`, `lazy`, `adaptive:threshold=3`, …). */
  readonly policy: string;
  /** The workload that ran: its name, its number of events and the seed of its values. */
  readonly workload: {
    /** The header's `name`, else the file name or `preset:NAME`. */
    readonly name: string;
    /** Events run (header line excluded). */
    readonly events: number;
    /** Seed of the oracle's register values (and of a preset's generator). */
    readonly seed: number;
    /**
     * Events not run because the thread they belong to had died in an oops (a kernel bug some
     * paths reproduce), when there were any: such a run stopped part of the workload, so its
     * cycles are not comparable with a run that completed it (the bound leaves it out).
     */
    readonly not_run?: number;
    /** The header's `assumptions` (what its source could not show), when it has them. */
    readonly assumptions?: readonly string[];
    /** The header's `source` (e.g. the trace `vfpu import` read), when it has one. */
    readonly source?: Readonly<Record<string, unknown>>;
  };
  /** Count per trap kind, in the kernel's names; a `host:` or `guest:` prefix says where it was taken (`trapWhere`), none means the hypervisor. */
  readonly traps: Record<string, number>;
  /** The kernel's exit counters (its `kvm_vcpu_stat` names), by name. */
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
  /** The FP work by pCPU, indexed by pCPU number (see `per_vcpu`). */
  readonly per_cpu: readonly FpWork[];
  /** FP work of events with no vCPU (host events) and of vCPU events on no pCPU. */
  readonly per_none: {
    /** Work of events that belong to no vCPU (host threads). */
    readonly vcpu: FpWork;
    /** Work of vCPU events while the vCPU was on no pCPU (uapi of a put vCPU). */
    readonly cpu: FpWork;
  };
  /** Each kernel save/restore/enable routine by its kernel name: how often it ran and the bytes it moved. */
  readonly ops: Record<
    string,
    {
      /** Times the routine ran. */
      calls: number;
      /** Bytes it saved or restored in all (0 for routines that move no state). */
      bytes: number;
    }
  >;
  /** FP/SIMD state moved between registers and memory in all, both ways. */
  readonly bytes: {
    /** Bytes written to memory by saves. */
    readonly saved: number;
    /** Bytes loaded into registers by restores. */
    readonly restored: number;
  };
  /** Cycle estimates from the cost table (whole cycles): `fp` = trap + save + restore + control, `total` = work + fp + exit. */
  readonly cycles: {
    /** Everything: the guest's own work, the FP overhead and the exits. */
    readonly total: number;
    /** The guest's own `work` events (exact, not an estimate). */
    readonly work: number;
    /** The FP/SIMD overhead the policy chooses: traps, saves, restores and control-register writes. */
    readonly fp: number;
    /** The parts of `fp`, and the exits' cost. */
    readonly breakdown: {
      /** First-use traps taken by the hypervisor. */
      readonly trap: number;
      /** Every exit's entry and return (the same under every policy). */
      readonly exit: number;
      /** Saves of FP/SIMD state. */
      readonly save: number;
      /** Restores of FP/SIMD state. */
      readonly restore: number;
      /** Writes of the enable/trap control registers. */
      readonly control: number;
    };
  };
  /**
   * The clairvoyant bound on the same workload (bound.ts), when it was asked for: its FP cycles,
   * the candidate that attains it, and this report's FP cycles over it (null: the bound is 0).
   */
  readonly bound?: ReportBound;
  /** The state oracle's verdict: every guest and userspace read compared with what the context last wrote. */
  readonly check: {
    /** Register reads the oracle compared. */
    readonly reads: number;
    /** Reads that did not find the context's own value (lost or leaked state): 0 for a correct kernel. */
    readonly violations: number;
    /** The first violation in full, or null. */
    readonly first: Violation | null;
    /** Restores of a unit the guest never enabled (should stay 0). */
    readonly unenabled_restores: number;
  };
  /** The LazyFP window: while a vCPU runs with a unit it has enabled but the hypervisor has not loaded, its pCPU still holds another context's state. */
  readonly exposure: {
    /** Events run inside such a window. */
    readonly events: number;
    /** Bytes of another context's state held, summed over those events. */
    readonly bytes: number;
    /** The part where the state held belongs to another vCPU (guest↔guest), not the host. */
    readonly guest: {
      /** Events during which the state held was another guest's. */
      readonly events: number;
      /** Bytes of another guest's state held, summed over those events. */
      readonly bytes: number;
    };
  };
  /** Counts of what the kernel did that is not a trap or an exit counter: returns to userspace, injected exceptions, signals, ioctl errors, by description. */
  readonly outcomes: Record<string, number>;
  /** Warnings of the run (a workload event the kernel would not see, a WARN path taken), each once with its count. */
  readonly warnings: readonly string[];
  /** Everything needed to reproduce the run. */
  readonly config: ResolvedConfig;
}

/** The clairvoyant bound of a report's workload and the report's ratio to it (bound.ts). */
export interface ReportBound {
  /** `clairvoyant`'s FP cycles on the same workload, seed and cost table. */
  readonly fp: number;
  /** The policy whose run it is: `clairvoyant`. */
  readonly by: string;
  /** This report's FP cycles over `fp`; 1 when both are 0; null when only `fp` is 0. */
  readonly ratio: number | null;
}

/** Everything needed to reproduce a result. */
export interface ResolvedConfig {
  /** Package versions that produced the report (`@vfpu/core` and the backend's package). */
  readonly versions: Readonly<Record<string, string>>;
  /** The backend's id. */
  readonly backend: string;
  /** The variant's id. */
  readonly variant: string;
  /** The kernel version and files the variant models. */
  readonly kernel: string;
  /** The policy as resolved. */
  readonly policy: {
    /** The name as given. */
    readonly name: string;
    /** The built-in policy that actually ran (for `kvm`, what the variant's kernel does: `lazy`, `eager`, …). */
    readonly runs: string;
    /** The policy's parameters, defaults filled in. */
    readonly params: Readonly<Record<string, number>>;
  };
  /** The backend's header options (`config`), defaults filled in. */
  readonly options: Readonly<Record<string, unknown>>;
  /** The cost table used for the cycle estimates, each figure with its source. */
  readonly costs: CostTable;
  /** Seed of the oracle's values and the preset's generator. */
  readonly seed: number;
  /** Where the workload came from, and a hash that identifies it. */
  readonly input: {
    /** The file name, `-`, or the preset with its events and parameters. */
    readonly source: string;
    /** SHA-256 (hex) of the workload text as read (decompressed). */
    readonly sha256: string;
  };
  /** The workload's machine: pCPUs, vCPUs and named host threads. */
  readonly topology: {
    /** Physical CPUs. */
    readonly cpus: number;
    /** Virtual CPUs the workload schedules on them. */
    readonly vcpus: number;
    /** Names of the host threads (host processes using FP/SIMD). */
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
  /** The header's `assumptions`: what its source could not show. */
  readonly assumptions?: readonly string[];
  /** The header's `source`, e.g. the trace `vfpu import` read. */
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
      ...(state.notRun !== 0 ? { not_run: state.notRun } : {}),
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
