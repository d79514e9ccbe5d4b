/**
 * The vCPU lifecycle, as `virt/kvm/kvm_main.c` drives it: KVM_RUN begins (vcpu_load, then the
 * arch's run prologue), the vCPU enters and leaves guest mode, its thread is preempted
 * (kvm_sched_out → kvm_arch_vcpu_put) and scheduled in again (kvm_sched_in → kvm_arch_vcpu_load),
 * and KVM_RUN returns (the arch's run epilogue, then vcpu_put). Each arch hook runs exactly once
 * per transition. The workload's lifecycle (validity.ts) has already judged the event possible;
 * where the kernel's differs (a handler returned to userspace), this one catches up.
 */
import { RESUME_HOST } from '../backend-utils/results.js';
import { ContractError } from '../errors.js';
import { maskNames } from '../units.js';
import { Op, type WorkloadEvent } from '../workload/event.js';
import { type EngineState, Lifecycle as L, NONE } from './state.js';
import type { WorkloadLifecycle } from './validity.js';

export class VcpuLifecycle {
  /** Counts `KVM_RUN returned to userspace` (exits whose handler resumes the host). */
  private readonly returned: number;
  /** Exit-reason ids: `signal` (a pending signal kicks the vCPU out), `irq` (a preemption's). */
  private readonly signal: number;
  private readonly irq: number;

  private readonly s: EngineState;
  /** The workload's own lifecycle, checked before this one runs: where the workload has each vCPU. */
  private readonly view: WorkloadLifecycle;

  constructor(
    s: EngineState,
    view: WorkloadLifecycle,
    exitReasons: Readonly<Record<string, number>>,
  ) {
    this.s = s;
    this.view = view;
    this.signal = exitReasons.signal as number;
    this.irq = exitReasons.irq as number;
    this.returned = s.acct.counter('outcomes', 'KVM_RUN returned to userspace');
  }

  /** The host scheduler makes `thread` current on `cpu`, taking it off any other pCPU. */
  schedule(cpu: number, thread: number): void {
    const s = this.s;
    const prev = s.cpuThread[cpu] as number;
    if (prev === thread) return;
    const host = s.machine.hostThreads;
    const elsewhere = s.threadCpu[thread] as number;
    if (elsewhere !== NONE) {
      if (s.trace.on) s.trace.line(0, `schedule: ${s.contextName(thread)} leaves cpu ${elsewhere}`);
      host?.hostSwitch(elsewhere, s.dead[thread] ? null : thread, null);
      s.cpuThread[elsewhere] = NONE;
      s.threadCpu[thread] = NONE;
    }
    if (s.trace.on) {
      const from = prev === NONE ? 'idle' : s.contextName(prev);
      s.trace.line(0, `switch_to on cpu ${cpu}: ${from} → ${s.contextName(thread)}`);
    }
    // a thread killed by an oops left nothing to save (its exit dropped its FP state)
    host?.hostSwitch(cpu, prev === NONE || s.dead[prev] ? null : prev, thread);
    if (prev !== NONE) s.threadCpu[prev] = NONE;
    s.cpuThread[cpu] = thread;
    s.threadCpu[thread] = cpu;
  }

  /** Did `v`'s VMM thread just die in an oops (inside the hook that ran)? Then the step stops. */
  died(v: number): boolean {
    const s = this.s;
    return s.deaths !== s.buried && s.dead[s.vmmThread(v)] === 1;
  }

  /** `load`: KVM_RUN begins on `cpu` (vcpu_load, run prologue), or a preempted vCPU is scheduled in. */
  load(v: number, cpu: number): void {
    const s = this.s;
    const state = s.run[v] as number;
    this.schedule(cpu, s.vmmThread(v));
    s.vcpuCpu[v] = cpu;
    s.cpuVcpu[cpu] = v;
    s.entered[v] = 0;
    s.run[v] = L.loaded;
    const preload = this.preload(v);
    s.machine.kvm_arch_vcpu_load(v, cpu, preload);
    s.policy.sliceBegin(v);
    if (state === L.outside) s.machine.kvmRunBegin(v, cpu, preload);
  }

  /**
   * What the policy wants live at the next entry, within what the guest enabled and what the
   * kernel's own load reaches besides (`Machine.preloadReach`).
   */
  private preload(v: number): number {
    const m = this.s.machine;
    return this.s.policy.preload(v) & (m.guestEnabled(v) | (m.preloadReach?.(v) ?? 0));
  }

  /**
   * KVM_RUN on the pCPU the workload has `v` on, if the kernel returned it to userspace: a
   * handler's return the workload did not ask for (RESUME_HOST under some policies only) is
   * transparent to it, the VMM calls KVM_RUN again. False if the vCPU's thread died in it.
   */
  private again(v: number): boolean {
    const s = this.s;
    if (s.run[v] !== L.outside) return true;
    const cpu = this.view.cpuOf(v);
    if (s.trace.on)
      s.trace.line(0, `KVM_RUN again on cpu ${cpu} (the last exit went to userspace)`);
    this.load(v, cpu);
    return !this.died(v);
  }

  /**
   * The pCPU of a vCPU the workload has in guest mode, entering it first if the kernel has not
   * (KVM_RUN again after a return to userspace). NONE if its thread died on the way.
   */
  inGuest(v: number): number {
    const s = this.s;
    if (s.run[v] !== L.inGuest) {
      if (!this.again(v)) return NONE;
      this.entry(v, s.entered[v] === 1);
      if (this.died(v)) return NONE;
    }
    return s.vcpuCpu[v] as number;
  }

  /** `enter`: guest entry; after a return to userspace, KVM_RUN again on the last pCPU. */
  enter(v: number): void {
    if (this.again(v)) this.entry(v, this.s.entered[v] === 1);
  }

  /** `run`: load if needed, then enter. */
  runVcpu(v: number): void {
    const s = this.s;
    const state = s.run[v] as number;
    if (state === L.outside || state === L.preempted) {
      this.load(v, this.view.cpuOf(v));
      if (this.died(v)) return;
    }
    if (s.run[v] !== L.inGuest) this.entry(v, s.entered[v] === 1);
  }

  /** Every entry into the guest: the backend's entry work, then the policy's preload. */
  entry(v: number, reentry: boolean): void {
    const s = this.s;
    const m = s.machine;
    m.enter(v, reentry);
    if (this.died(v)) return;
    s.run[v] = L.inGuest;
    s.entered[v] = 1;
    const enabled = m.guestEnabled(v);
    s.everEnabled[v] = (s.everEnabled[v] as number) | enabled;
    const want = s.policy.preload(v) & (enabled | (m.preloadReach?.(v) ?? 0)) & ~m.live(v);
    if (want !== 0) {
      if (s.trace.on) s.trace.line(0, `policy preloads ${maskNames(s.lattice, want)}`);
      m.load(v, want);
    }
  }

  /** A non-FP `exit`; its handler may return KVM_RUN to userspace. */
  exit(v: number, reason: number): void {
    if (this.inGuest(v) === NONE) return;
    this.exitGuest(v, reason);
  }

  private exitGuest(v: number, reason: number): void {
    const s = this.s;
    s.run[v] = L.loaded;
    s.acct.exitCost();
    const save = s.policy.saveAtExit(v) && s.machine.live(v) !== 0;
    const resume = s.machine.exit(v, reason, save);
    if (this.died(v)) return;
    if (resume === RESUME_HOST) this.toUserspace(v);
    else if (this.view.toUserspace(reason)) {
      throw new ContractError(
        s.variant.id,
        `the handler of exit reason ${this.view.exitName(reason)} resumed the guest, but the reason is declared to return KVM_RUN to userspace (EXITS_TO_USERSPACE, ExitReasonSpec.toUserspace)`,
      );
    }
  }

  /** A handler returned RESUME_HOST: KVM_RUN's epilogue, vcpu_put; the VMM thread stays current. */
  toUserspace(v: number): void {
    const s = this.s;
    const cpu = s.vcpuCpu[v] as number;
    s.acct.count(this.returned);
    if (s.trace.on) s.trace.line(0, 'KVM_RUN returns to userspace: vcpu_put');
    // the slice ends with what is live when the guest stops, before the epilogue swaps it out
    s.policy.sliceEnd(v);
    s.machine.kvmRunEnd(v, cpu);
    this.release(v, cpu);
    s.run[v] = L.outside;
  }

  /** `put`: vcpu_put of a loaded vCPU (its thread preempted inside KVM_RUN); none if KVM_RUN returned. */
  put(v: number): void {
    const s = this.s;
    if (s.run[v] !== L.loaded) return; // already put when KVM_RUN returned
    s.policy.sliceEnd(v);
    this.release(v, s.vcpuCpu[v] as number);
    s.run[v] = L.preempted;
  }

  /**
   * The vCPU thread is preempted between a trap's handler and the re-entry (IRQs on there):
   * kvm_sched_out → kvm_arch_vcpu_put, then kvm_sched_in → kvm_arch_vcpu_load on the same pCPU.
   * The workload asks for it with `"preempt": "after-trap"` on the instruction.
   */
  preemptBeforeReentry(v: number): void {
    const s = this.s;
    const cpu = s.vcpuCpu[v] as number;
    if (s.trace.on) s.trace.line(0, 'preempted before the re-entry: kvm_sched_out, kvm_sched_in');
    s.policy.sliceEnd(v);
    s.machine.kvm_arch_vcpu_put(v);
    if (this.died(v)) return;
    s.machine.kvm_arch_vcpu_load(v, cpu, this.preload(v));
    s.policy.sliceBegin(v);
  }

  /** kvm_arch_vcpu_put, and the vCPU leaves its pCPU. */
  private release(v: number, cpu: number): void {
    const s = this.s;
    s.machine.kvm_arch_vcpu_put(v);
    s.vcpuCpu[v] = NONE;
    s.cpuVcpu[cpu] = NONE;
  }

  /** `sched-out`: exit if in guest mode, then put. */
  schedOut(v: number): void {
    const s = this.s;
    if (s.run[v] === L.inGuest) this.exitGuest(v, this.irq);
    if (!this.died(v)) this.put(v);
  }

  /**
   * The VMM does something only a thread outside KVM_RUN can (a vCPU ioctl, or the vCPU's own
   * thread running user code), so KVM_RUN returned first. For a preempted vCPU its epilogue runs
   * on `cpu` (null: the thread is not on a pCPU now). For a vCPU still loaded, a pending signal
   * made it return (-EINTR): an exit for `signal` if the guest runs, then KVM_RUN's epilogue and
   * vcpu_put. Whether a kernel handler already returned to userspace may depend on the policy;
   * the workload is valid either way.
   */
  leaveKvmRun(v: number, cpu: number | null, why: string): void {
    const s = this.s;
    const state = s.run[v] as number;
    if (state === L.outside) return;
    if (state === L.preempted) {
      s.machine.kvmRunEnd(v, cpu);
      s.run[v] = L.outside;
      return;
    }
    if (s.trace.on) s.trace.line(0, `${why} inside KVM_RUN: a pending signal makes it return`);
    if (state === L.inGuest) this.exit(v, this.signal);
    if (s.run[v] === L.loaded && !this.died(v)) this.toUserspace(v);
  }

  /**
   * Does `ev` belong to a context killed by an oops (the vCPU's VMM thread, a thread switched to
   * or using FP)? Then it runs nothing and warns.
   */
  skipsDead(ev: WorkloadEvent): boolean {
    const s = this.s;
    let ctx = NONE;
    if (ev.op === Op.hostUse)
      ctx = ev.thread !== NONE ? ev.thread : (this.view.cpuThread[ev.cpu] as number);
    else if (ev.op === Op.switch) ctx = ev.thread;
    else if (ev.vcpu !== NONE && ev.op !== Op.kernelFpu) ctx = s.vmmThread(ev.vcpu);
    if (ctx === NONE || !s.dead[ctx]) return false;
    const v = ctx - s.vcpus;
    const who =
      v >= 0 && v < s.vcpus ? `vCPU ${v}'s thread (${s.contextName(ctx)})` : s.contextName(ctx);
    s.warn(`${who} died in an oops: event not run`);
    if (s.trace.on) s.trace.line(0, `${who} died in an oops: event not run`);
    return true;
  }

  /** After an oops: a dead VMM thread's vCPU leaves its pCPU for good (KVM_RUN never returns). */
  bury(): void {
    const s = this.s;
    s.buried = s.deaths;
    for (let v = 0; v < s.vcpus; v++) {
      if (!s.dead[s.vmmThread(v)]) continue;
      const cpu = s.vcpuCpu[v] as number;
      if (cpu !== NONE) s.cpuVcpu[cpu] = NONE;
      s.vcpuCpu[v] = NONE;
      s.run[v] = L.outside;
    }
  }
}
