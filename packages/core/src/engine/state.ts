/**
 * The engine's one state object, allocated once per run: per-vCPU, per-pCPU and per-context typed
 * arrays, the lifecycle of each vCPU, and the objects the other engine files share. Nothing here
 * allocates on the hot path.
 */
import { Accounting } from '../accounting.js';
import { byteArrays } from '../backend-utils/bytes.js';
import type { VariantSpec } from '../contract/backend.js';
import type { Machine } from '../contract/machine.js';
import type { Tracer } from '../contract/machine-host.js';
import type { CostTable } from '../costs.js';
import { Oracle } from '../oracle.js';
import type { PolicyInstance } from '../policy/types.js';
import { Rng } from '../rng.js';
import { SILENT } from '../trace.js';
import { buildLattice, type UnitLattice } from '../units.js';

export const NONE = -1;

/** A vCPU's place in the lifecycle `virt/kvm/kvm_main.c` drives (Lifecycle.*). */
export const Lifecycle = {
  /** Not inside KVM_RUN. */
  outside: 0,
  /** Inside KVM_RUN, loaded on a pCPU, not in guest mode. */
  loaded: 1,
  /** Inside KVM_RUN, in guest mode. */
  inGuest: 2,
  /** Inside KVM_RUN, put (its thread preempted), unless core learns that KVM_RUN returned. */
  preempted: 3,
} as const;

export interface EngineOptions {
  readonly variant: VariantSpec;
  readonly cpus: number;
  readonly vcpus: number;
  readonly threads: readonly string[];
  readonly costs: CostTable;
  readonly seed: number;
  readonly tracer?: Tracer;
}

export class EngineState {
  readonly variant: VariantSpec;
  readonly cpus: number;
  readonly vcpus: number;
  readonly contexts: number;
  readonly names: readonly string[];
  readonly lattice: UnitLattice;
  readonly registerFile: Uint8Array[];
  /** A context image for userspace reads and writes. */
  readonly scratch: Uint8Array;
  readonly acct: Accounting;
  readonly oracle: Oracle;
  readonly rng: Rng;
  readonly trace: Tracer;
  /** Set by the simulator right after the state is built. */
  machine!: Machine;
  policy!: PolicyInstance;

  /** Lifecycle.* of each vCPU. */
  readonly run: Uint8Array;
  /** The pCPU a vCPU is loaded on, or NONE. */
  readonly vcpuCpu: Int32Array;
  /** Entered since the last vcpu_load: a later entry is a re-entry after a kernel-handled exit. */
  readonly entered: Uint8Array;
  readonly everEnabled: Uint32Array;
  /** The vCPU loaded on a pCPU, or NONE. */
  readonly cpuVcpu: Int32Array;
  /** The host thread (context) current on a pCPU, or NONE (idle). */
  readonly cpuThread: Int32Array;
  /** The pCPU a host thread is current on, or NONE. */
  readonly threadCpu: Int32Array;

  /** Per context: its thread was killed (host.killed); `deaths` counts them, `buried` the handled ones. */
  readonly dead: Uint8Array;
  deaths = 0;
  buried = 0;
  /** Restores of units the guest never enabled (an invariant: should stay 0). */
  unenabledRestores = 0;
  events = 0;
  /** Events not run: their thread had died in an oops (lifecycle.ts skipsDead). */
  notRun = 0;
  line = 0;
  op = 0;
  readonly warnings = new Map<string, number>();

  constructor(o: EngineOptions) {
    this.variant = o.variant;
    this.cpus = o.cpus;
    this.vcpus = o.vcpus;
    this.lattice = buildLattice(o.variant.units);
    const names: string[] = [];
    for (let v = 0; v < o.vcpus; v++) names.push(`vcpu${v}`);
    for (let v = 0; v < o.vcpus; v++) names.push(`vmm${v}`);
    names.push(...o.threads);
    this.names = names;
    this.contexts = names.length;
    const bytes = o.variant.registerFileBytes;
    this.registerFile = byteArrays(o.cpus, bytes);
    this.scratch = new Uint8Array(bytes);
    this.acct = new Accounting(o.costs, o.vcpus, o.cpus);
    this.oracle = new Oracle(this.contexts, bytes, o.seed);
    this.rng = new Rng(o.seed, 3);
    this.trace = o.tracer ?? SILENT;
    this.run = new Uint8Array(o.vcpus);
    this.vcpuCpu = new Int32Array(o.vcpus).fill(NONE);
    this.entered = new Uint8Array(o.vcpus);
    this.everEnabled = new Uint32Array(o.vcpus);
    this.cpuVcpu = new Int32Array(o.cpus).fill(NONE);
    this.cpuThread = new Int32Array(o.cpus).fill(NONE);
    this.threadCpu = new Int32Array(this.contexts).fill(NONE);
    this.dead = new Uint8Array(this.contexts);
  }

  contextName(ctx: number): string {
    return this.names[ctx] ?? `ctx${ctx}`;
  }

  vmmThread(vcpu: number): number {
    return this.vcpus + vcpu;
  }

  warn(message: string): void {
    this.warnings.set(message, (this.warnings.get(message) ?? 0) + 1);
  }

  warningList(): string[] {
    const out: string[] = [];
    for (const [msg, n] of this.warnings) out.push(n > 1 ? `${msg} (${n} times)` : msg);
    return out;
  }
}
