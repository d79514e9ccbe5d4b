/**
 * Whether an event is possible, judged by the workload's own lifecycle alone: which vCPU the
 * workload has loaded where, which it has in guest mode, which thread it made current on each
 * pCPU. The kernel's lifecycle (lifecycle.ts) can differ from it: a handler may return KVM_RUN
 * to userspace under one policy and not under another, and an oops may kill a thread. Those
 * differences are the kernel's and never make an event impossible, so a workload is valid or
 * not whatever the policy (the kernel side catches up: see VcpuLifecycle).
 *
 * Runs before the kernel side of every event and allocates nothing.
 */
import { EXIT_REASONS, EXITS_TO_USERSPACE } from '../backend-utils/exit-table.js';
import { ImpossibleEvent } from '../errors.js';
import { Op, type WorkloadEvent } from '../workload/event.js';
import { type EngineState, Lifecycle as L, NONE } from './state.js';

export class WorkloadLifecycle {
  /** Lifecycle.* of each vCPU as the workload has it (never `preempted` → `outside` by itself). */
  private readonly run: Uint8Array;
  /** The pCPU the workload has a vCPU loaded on, or NONE; and the last one it was loaded on. */
  private readonly vcpuCpu: Int32Array;
  private readonly lastCpu: Int32Array;
  /** KVM_RUN returned (a vCPU ioctl, or its thread's user code) after the vCPU was loaded. */
  private readonly returned: Uint8Array;
  /** The vCPU the workload has loaded on a pCPU, or NONE. */
  private readonly cpuVcpu: Int32Array;
  /** The thread the workload made current on a pCPU (NONE: idle), and the pCPU of a thread. */
  readonly cpuThread: Int32Array;
  private readonly threadCpu: Int32Array;
  /** By exit-reason id: its handler always returns KVM_RUN to userspace (ExitReasonSpec.toUserspace). */
  private readonly exitsToUserspace: Uint8Array;

  private readonly s: EngineState;

  constructor(s: EngineState) {
    this.s = s;
    this.run = new Uint8Array(s.vcpus);
    this.vcpuCpu = new Int32Array(s.vcpus).fill(NONE);
    this.lastCpu = new Int32Array(s.vcpus).fill(NONE);
    this.returned = new Uint8Array(s.vcpus);
    this.cpuVcpu = new Int32Array(s.cpus).fill(NONE);
    this.cpuThread = new Int32Array(s.cpus).fill(NONE);
    this.threadCpu = new Int32Array(s.contexts).fill(NONE);
    this.exitsToUserspace = Uint8Array.from([
      ...EXIT_REASONS.map((r) => (EXITS_TO_USERSPACE.includes(r) ? 1 : 0)),
      ...(s.variant.exitReasons ?? []).map((r) => (r.toUserspace ? 1 : 0)),
    ]);
  }

  /** The name of exit reason `reason` (for messages). */
  exitName(reason: number): string {
    return (
      [...EXIT_REASONS, ...(this.s.variant.exitReasons ?? []).map((r) => r.name)][reason] ??
      `${reason}`
    );
  }

  /** Does the handler of exit reason `reason` always return KVM_RUN to userspace? */
  toUserspace(reason: number): boolean {
    return this.exitsToUserspace[reason] === 1;
  }

  /**
   * The pCPU the workload last loaded `v` on: where it is now if loaded, and where its KVM_RUN
   * ran if an exit to userspace (already applied here) has just taken it off.
   */
  cpuOf(v: number): number {
    return this.lastCpu[v] as number;
  }

  /** Checks `ev` against the workload's lifecycle and advances it; throws if it is impossible. */
  step(ev: WorkloadEvent): void {
    const v = ev.vcpu;
    switch (ev.op) {
      case Op.load:
        this.load(v, ev.cpu);
        break;
      case Op.enter:
        this.enter(v);
        break;
      case Op.run:
        this.runVcpu(v, ev.cpu);
        break;
      case Op.use:
        this.inGuest(v, 'use');
        break;
      case Op.guestWrite:
        this.inGuest(v, 'guest-write');
        break;
      case Op.work:
        if (v !== NONE) this.inGuest(v, 'work');
        break;
      case Op.exit:
        this.inGuest(v, 'exit');
        this.run[v] = L.loaded;
        if (this.exitsToUserspace[ev.reason]) this.leaveKvmRun(v);
        break;
      case Op.put:
        this.put(v, 'put');
        break;
      case Op.schedOut:
        if (this.run[v] === L.inGuest) this.run[v] = L.loaded;
        this.put(v, 'sched-out');
        break;
      case Op.hostUse:
        this.hostUse(ev.cpu, ev.thread);
        break;
      case Op.switch:
        this.noVcpuLoaded(ev.cpu, 'switch');
        this.schedule(ev.cpu, ev.thread);
        break;
      case Op.kernelFpu:
        this.notInGuest(ev.cpu);
        break;
      case Op.userGet:
      case Op.userSet:
      case Op.syscall:
        if (v !== NONE) this.leaveKvmRun(v);
        break;
    }
  }

  private load(v: number, cpu: number): void {
    const state = this.run[v] as number;
    if (state === L.loaded || state === L.inGuest)
      throw new ImpossibleEvent('vcpu', `vcpu ${v} is already loaded on cpu ${this.vcpuCpu[v]}`);
    const other = this.cpuVcpu[cpu] as number;
    if (other !== NONE)
      throw new ImpossibleEvent('cpu', `cpu ${cpu} already has vcpu ${other} loaded; put it first`);
    this.schedule(cpu, this.s.vmmThread(v));
    this.vcpuCpu[v] = cpu;
    this.lastCpu[v] = cpu;
    this.cpuVcpu[cpu] = v;
    this.returned[v] = 0;
    this.run[v] = L.loaded;
  }

  /** `enter`: from loaded; after KVM_RUN returned, KVM_RUN again on the last pCPU. */
  private enter(v: number): void {
    if (this.run[v] === L.outside && this.returned[v]) this.load(v, this.lastCpu[v] as number);
    this.loaded(v, 'enter');
    if (this.run[v] === L.inGuest)
      throw new ImpossibleEvent('vcpu', `enter: vcpu ${v} is already in guest mode`);
    this.run[v] = L.inGuest;
  }

  /** `run`: load if needed (without a cpu: after KVM_RUN returned, on the last pCPU), then enter. */
  private runVcpu(v: number, cpu: number): void {
    const at = this.vcpuCpu[v] as number;
    if (at === NONE) {
      const again = this.run[v] === L.outside && this.returned[v] === 1;
      if (cpu === NONE && !again)
        throw new ImpossibleEvent('cpu', `run: vcpu ${v} is not loaded, so run needs a cpu`);
      this.load(v, cpu === NONE ? (this.lastCpu[v] as number) : cpu);
    } else if (cpu !== NONE && cpu !== at) {
      throw new ImpossibleEvent('cpu', `run: vcpu ${v} is loaded on cpu ${at}, not ${cpu}`);
    }
    this.run[v] = L.inGuest;
  }

  private loaded(v: number, what: string): void {
    if (this.vcpuCpu[v] === NONE)
      throw new ImpossibleEvent('vcpu', `${what}: vcpu ${v} is not loaded`);
  }

  /** In guest mode (so loaded): the check of every guest event, one read on the hot path. */
  private inGuest(v: number, what: string): void {
    if (this.run[v] === L.inGuest) return;
    this.loaded(v, what);
    throw new ImpossibleEvent('vcpu', `${what}: vcpu ${v} is not in guest mode`);
  }

  /** `put` (and the put of `sched-out`): a loaded vCPU's thread is preempted inside KVM_RUN. */
  private put(v: number, what: string): void {
    const state = this.run[v] as number;
    if (state === L.outside && this.returned[v]) return; // already put when KVM_RUN returned
    this.loaded(v, what);
    if (state === L.inGuest)
      throw new ImpossibleEvent(
        'vcpu',
        `put: vcpu ${v} is in guest mode; exit first (or use sched-out)`,
      );
    this.cpuVcpu[this.vcpuCpu[v] as number] = NONE;
    this.vcpuCpu[v] = NONE;
    this.run[v] = L.preempted;
  }

  /** A vCPU ioctl, or user code of the vCPU's thread: KVM_RUN has returned (or never ran). */
  private leaveKvmRun(v: number): void {
    const state = this.run[v] as number;
    if (state === L.outside) return;
    const cpu = this.vcpuCpu[v] as number;
    if (cpu !== NONE) {
      this.cpuVcpu[cpu] = NONE;
      this.vcpuCpu[v] = NONE;
    }
    this.returned[v] = state === L.preempted ? 0 : 1;
    this.run[v] = L.outside;
  }

  private hostUse(cpu: number, thread: number): void {
    const s = this.s;
    this.noVcpuLoaded(cpu, 'host-use');
    const current = this.cpuThread[cpu] as number;
    if (current === NONE)
      throw new ImpossibleEvent(
        'cpu',
        `host-use: no thread is running on cpu ${cpu}; add a switch first`,
      );
    if (thread !== NONE && thread !== current) {
      throw new ImpossibleEvent(
        'thread',
        `host-use: ${s.contextName(thread)} is not running on cpu ${cpu} (${s.contextName(current)} is); add a switch first`,
      );
    }
    // a vCPU thread runs user code only once its KVM_RUN has returned
    const v = current - s.vcpus;
    if (v >= 0 && v < s.vcpus) this.leaveKvmRun(v);
  }

  /** The workload makes `thread` current on `cpu`, taking it off any other pCPU. */
  private schedule(cpu: number, thread: number): void {
    const elsewhere = this.threadCpu[thread] as number;
    if (elsewhere === cpu) return;
    if (elsewhere !== NONE) {
      if (this.cpuVcpu[elsewhere] !== NONE) {
        throw new ImpossibleEvent(
          'thread',
          `${this.s.contextName(thread)} is inside KVM_RUN on cpu ${elsewhere}; put its vcpu first`,
        );
      }
      this.cpuThread[elsewhere] = NONE;
    }
    const prev = this.cpuThread[cpu] as number;
    if (prev !== NONE) this.threadCpu[prev] = NONE;
    this.cpuThread[cpu] = thread;
    this.threadCpu[thread] = cpu;
  }

  /** Host work on `cpu` needs no vCPU loaded there (inside KVM_RUN the vCPU thread owns it). */
  private noVcpuLoaded(cpu: number, what: string): void {
    const v = this.cpuVcpu[cpu] as number;
    if (v !== NONE) {
      throw new ImpossibleEvent(
        'cpu',
        `${what} on cpu ${cpu} while vcpu ${v} is loaded there (inside KVM_RUN); put it first (sched-out)`,
      );
    }
  }

  /** Kernel code may run on `cpu` with a vCPU loaded (between an exit and the next entry), not in guest mode. */
  private notInGuest(cpu: number): void {
    const v = this.cpuVcpu[cpu] as number;
    if (v !== NONE && this.run[v] === L.inGuest) {
      throw new ImpossibleEvent(
        'cpu',
        `kernel-fpu on cpu ${cpu} while vcpu ${v} runs in guest mode there; exit first`,
      );
    }
  }
}
