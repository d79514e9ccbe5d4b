/** What core gives a backend's machine: the register files, counters, the trace and the lifecycle. */
import type { UnitMask } from '../units.js';
import type { Slice } from './registers.js';

/** A counter, trap kind or routine registered with core at machine creation. */
export type CounterId = number;

/** What a registered routine does to register state: saves it to memory, restores it to registers, or neither (an enable, a flush); bytes count as saved or restored accordingly. */
export type OpDirection = 'save' | 'restore' | 'other';

/** Where a trap is taken: by the hypervisor (`root`), by a host thread, or inside the guest. */
export type TrapWhere = 'root' | 'host' | 'guest';

/** Where a backend writes what `vfpu explain` shows and what `vfpu check` compares: explanation lines, kernel function calls and tracepoints. */
export interface Tracer {
  /** True when someone listens; backends build trace text only then. */
  readonly on: boolean;
  /** A line of explanation under the current event (depth 0 = first indent). */
  line(depth: number, text: string): void;
  /** A named kernel function runs (recorded in the call sequence). */
  fn(depth: number, name: string, detail?: string): void;
  /**
   * The kernel fires a tracepoint where it does (`trace_kvm_aux(vcpu, KVM_TRACE_AUX_RESTORE, …)`):
   * `event` is its name as `trace-cmd report` prints it (`kvm_aux`, `kvm_fpu`, `kvm_exit`), `detail`
   * the part of its TP_printk that identifies what happened, in the kernel's own words (`restore
   * FPU`, `load`, `MSA Disabled`), without addresses or values the model does not keep. What
   * `vfpu check` compares with a recorded trace. Call it only when `on`.
   */
  tracepoint(vcpu: number, event: string, detail: string): void;
}

/** What core gives a backend's machine: the pCPU register files, the counters and routines it registers, the state oracle's hooks, warnings and the trace. */
export interface MachineHost {
  /** Number of pCPUs. */
  readonly cpus: number;
  /** Number of vCPUs. */
  readonly vcpus: number;
  /** Number of contexts: vCPUs, then their VMM threads, then the declared host threads. */
  readonly contexts: number;
  /** The hardware register file of each pCPU. */
  readonly registerFile: readonly Uint8Array[];
  /** Context index of vCPU v's guest state is v; its VMM thread and other host threads follow. */
  vmmThread(vcpu: number): number;
  /** The context's name for messages and traces (`vcpu0`, `vmm0`, a host thread's name). */
  contextName(ctx: number): string;
  /** Whether the context is a vCPU's guest state (not a host thread). */
  isVcpu(ctx: number): boolean;
  /**
   * Is `vcpu` inside KVM_RUN (loaded, in the guest, or preempted inside the ioctl)? Core owns the
   * lifecycle; a machine asks, e.g. whether a VMM thread scheduled in returns to user mode.
   */
  inKvmRun(vcpu: number): boolean;
  /** Registers a counter in a report section (`exits`, `outcomes`). */
  counter(section: 'exits' | 'outcomes', name: string): CounterId;
  /**
   * Registers a trap kind; `host` traps are taken by host threads, `guest` ones inside the guest.
   * Reports name them `host:NAME` and `guest:NAME` (root traps: `NAME`).
   */
  trapKind(name: string, where: TrapWhere): CounterId;
  /** Registers a routine that moves register state (or not: direction `other`). */
  op(name: string, direction: OpDirection): CounterId;
  /** Adds one to a counter or trap kind registered with `counter` or `trapKind`. */
  count(id: CounterId): void;
  /** A routine runs for `ctx`, moving `bytes` of the `units`' state (`depth`: trace indentation). */
  call(op: CounterId, ctx: number, bytes: number, units: UnitMask, depth: number): void;
  /** `n` writes of root control registers (costed as `control`). */
  control(n: number): void;
  /** pCPU `cpu` now holds `ctx`'s state for the parts of `units` (`ctx` null: nobody's). */
  loaded(cpu: number, ctx: number | null, units: UnitMask): void;
  /** The state of `units` of `ctx` is architecturally unpredictable until written again. */
  undefine(ctx: number, units: UnitMask): void;
  /**
   * The kernel defines the state of `ctx` at `p` (e.g. the init state of a re-created or reset
   * buffer): its truth becomes `src`'s bytes at `p`, the bytes the machine itself stored there,
   * and they are checked from now on. For state the architecture leaves unpredictable, use
   * {@link undefine}. Not for hot paths' register moves: only where userspace or the kernel
   * replaces a context's state outright.
   */
  define(ctx: number, p: Slice, src: Uint8Array): void;
  /**
   * The thread of context `ctx` was killed (an oops: the kernel's `die`). Core runs none of its
   * later events: a VMM thread's death takes its vCPU with it (it held vcpu->mutex inside
   * KVM_RUN, which never returns); each later event of either is accepted, runs nothing and warns
   * (whether and where a kernel oopses may depend on the policy; a workload's validity does not).
   */
  killed(ctx: number): void;
  /** A warning for the report (counted when repeated). */
  warn(message: string): void;
  /** The trace of this run: write to it only behind `if (host.trace.on)`. */
  readonly trace: Tracer;
}
