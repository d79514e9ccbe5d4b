/**
 * A trace's events as workload lines: the vCPU lifecycle the trace shows, replayed as the
 * workload's own (core's engine/validity.ts) so that every line written is possible.
 *
 * - kvm_entry / kvm_enter / kvm_reenter → `run` on the pCPU of the line.
 * - kvm_exit → `exit` with `label` = the kernel's name; its `reason` waits for what the kernel
 *   did next: KVM_RUN returned (kvm_userspace_exit, or MIPS/LoongArch kvm_out) before the vCPU's
 *   next entry → `mmio` (`signal` for KVM_EXIT_INTR / -EINTR, `io` for KVM_EXIT_IO where the
 *   variant has it); else in the kernel → `irq`/`hlt`/`hypercall` by name, or `other`.
 * - an FP/SIMD-disabled trap → a `use` of the unit the kernel then loaded (the next kvm_aux
 *   restore/enable of the vCPU); x86 #NM → a `use` at once (arch.ts x86TrapUnit); a MIPS
 *   COP-unusable exit with no FP load after it was a COP0 access: an `exit`.
 * - sched_switch of a vCPU thread off a pCPU inside KVM_RUN → `sched-out`; of a host task (or a
 *   vCPU thread outside KVM_RUN) onto a pCPU → `switch`. A vCPU thread scheduled back in inside
 *   KVM_RUN is loaded by its next `run`.
 * - where the trace skips a step (a vCPU that moved pCPU or lost its pCPU without a
 *   sched_switch, an exit before any entry), the step is made explicit or the line dropped, and
 *   counted in `adjusted`.
 */

import { InputError } from '@vfpu/core';
import { auxUnit, inKernelReason, isFpTrap, userspaceReason, workloadLabel } from './arch.js';
import { ExitForm, Kind, type TraceEvent } from './bodies.js';
import type { Frame } from './framing.js';
import type { Identity } from './identity.js';
import { LineQueue, type Slot } from './queue.js';
import { TrapWindow } from './trap-window.js';

const MAX_CPUS = 1024;
const OUT = 0;
const LOADED = 1;
const GUEST = 2;
const PREEMPTED = 3;
/** An exit whose reason is still open: the vCPU is on its pCPU (EXITED) or was put (EXITED_PUT). */
const EXITED = 4;
const EXITED_PUT = 5;

export interface MapperOptions {
  /** Keep the lines (pass 2) or only count them (pass 1). */
  readonly keep: boolean;
  /** --guest-fp every-slice: the unit used once per slice (or a placeholder: replay.ts). */
  readonly everySlice?: string | undefined;
  /** The unit an x86 #NM loads (or a placeholder). */
  readonly x86Trap: string;
  /** The reason of KVM_EXIT_IO: `io` where the variant has it, else `mmio` (or a placeholder). */
  readonly ioReason: string;
}

export class Mapper {
  readonly q: LineQueue;
  /** Steps the trace did not show, made explicit or dropped (`source.adjusted`). */
  readonly adjusted: Record<string, number> = {};
  maxCpu = -1;
  /** The trace has no pid column (perf script -F without pid): vCPUs by field and pCPU. */
  noPid = false;
  private readonly lastOnCpu: number[] = [];
  private readonly state: number[] = [];
  private readonly cpuOf: number[] = [];
  private readonly cpuVcpu: number[] = [];
  private readonly pending: (Slot | undefined)[] = [];
  private readonly signalled: boolean[] = [];
  /** An entry or exit of the vCPU was seen. */
  private readonly seen: boolean[] = [];
  /** KVM_RUN was seen returning to userspace (the vCPU's next KVM_RUN begins in the trace). */
  private readonly returned: boolean[] = [];
  /** An FP trap was answered in guest mode: the next entry is its re-entry. */
  private readonly trapped: boolean[] = [];
  private readonly id: Identity;
  private readonly o: MapperOptions;
  /** Between an FP trap's handler and the re-entry (trap-window.ts). */
  private readonly w = new TrapWindow();
  file = '';

  constructor(id: Identity, o: MapperOptions) {
    this.id = id;
    this.o = o;
    this.q = new LineQueue(o.keep, (s) => this.force(s));
  }

  private count(what: string): void {
    this.adjusted[what] = (this.adjusted[what] ?? 0) + 1;
  }

  /** The vCPU of an event line (its thread, or its `vcpu` field). */
  vcpuOf(f: Frame, e: TraceEvent, line: number): number {
    let v: number;
    if (f.pid < 0) {
      // no pid column: the event's vcpu field, else the vCPU last seen on the line's pCPU
      this.noPid = true;
      const last = this.lastOnCpu[f.cpu];
      v =
        e.vcpu >= 0
          ? this.id.field(e.vcpu, this.file, line)
          : (last ?? this.id.vcpu(f.pid, f, -1, this.file, line));
      this.lastOnCpu[f.cpu] = v;
    } else v = this.id.vcpu(f.pid, f, e.vcpu, this.file, line);
    if (this.state[v] === undefined) {
      this.state[v] = OUT;
      this.cpuOf[v] = -1;
    }
    return v;
  }

  /** One event line. Returns the vCPU it concerned, or -1. */
  step(f: Frame, e: TraceEvent, line: number): number {
    if (f.cpu > this.maxCpu) {
      // the workload format's LIMITS.cpus (core workload/format.ts)
      if (f.cpu >= MAX_CPUS)
        throw new InputError(
          this.file,
          line,
          'cpu',
          `pCPU ${f.cpu} is beyond the workload format's ${MAX_CPUS} pCPUs`,
        );
      this.maxCpu = f.cpu;
    }
    switch (e.kind) {
      case Kind.entry: {
        const v = this.vcpuOf(f, e, line);
        this.seen[v] = true;
        this.entry(v, f.cpu, f.ts, line);
        return v;
      }
      case Kind.exit: {
        const v = this.vcpuOf(f, e, line);
        // the recording began while this vCPU ran the guest: its first exit follows an entry
        // before the trace (a `run` is added, so every exit the trace shows is counted)
        if (this.state[v] === OUT && this.returned[v] !== true && this.seen[v] !== true) {
          this.count('the trace begins in guest mode (run added before the first exit)');
          this.entry(v, f.cpu, f.ts, line);
        }
        this.seen[v] = true;
        this.exit(v, e, f.ts, line);
        return v;
      }
      case Kind.aux: {
        const v = this.vcpuOf(f, e, line);
        this.aux(v, e);
        return v;
      }
      case Kind.userspaceExit:
      case Kind.out: {
        const v = this.vcpuOf(f, e, line);
        this.userspace(v, e.kind === Kind.out ? 'kvm_out' : e.label, f.ts, line);
        return v;
      }
      case Kind.fpu: {
        const v = this.vcpuOf(f, e, line);
        // kvm_load_guest_fpu after KVM_RUN returned: the next KVM_RUN began (x86 >= 4.15 loads at
        // its start; its entry may be past the trace's end). At a vCPU's first appearance it says
        // nothing (the recording may begin inside KVM_RUN, and before 4.15 the load is at entry).
        if (e.label === 'load' && this.state[v] === OUT && this.returned[v] === true)
          this.kvmRunBegins(v, f.cpu, f.ts, line);
        return v;
      }
      case Kind.schedSwitch:
        this.sched(f.cpu, e, f.ts, line);
        return -1;
      default:
        return -1;
    }
  }

  /** A guest-side FP use at `ts` (from-guest-trace): a `use` if vCPU `v` is in a guest slice. */
  guestUse(v: number, unit: string, ts: string, line: number): void {
    if (this.state[v] !== GUEST || this.pending[v] !== undefined) {
      this.count('guest FP use outside every slice (dropped)');
      return;
    }
    this.push(`{"op":"use","vcpu":${v},"unit":"${unit}","ts":${ts}}`, line);
  }

  /** The end of the trace: open exits are taken as handled in the kernel. */
  finish(): void {
    for (let v = 0; v < this.state.length; v++) this.closeWindow(v, '', 0);
    for (let v = 0; v < this.pending.length; v++) {
      if (this.pending[v] !== undefined) {
        this.count('exit open at the end of the trace (taken as in-kernel)');
        this.resolveInKernel(v);
      }
    }
    this.q.drain();
  }

  private push(text: string, line: number): void {
    if (this.o.keep) this.q.push(text, line);
    else this.q.push('', line);
  }

  /** `load`: KVM_RUN's vcpu_load, shown before the first entry (x86 kvm_fpu: load). */
  private kvmRunBegins(v: number, cpu: number, ts: string, line: number): void {
    this.freeCpu(cpu, v, ts, line);
    this.push(`{"op":"load","vcpu":${v},"cpu":${cpu},"ts":${ts}}`, line);
    this.state[v] = LOADED;
    this.cpuOf[v] = cpu;
    this.cpuVcpu[cpu] = v;
  }

  private entry(v: number, cpu: number, ts: string, line: number): void {
    if (this.w.held(v) && this.w.isPreempted(v) && this.cpuOf[v] === cpu) {
      // the re-entry after a preemption inside the window, on the same pCPU: one `use`
      this.w.settle(v, true, this.o.keep);
      this.q.drain();
      this.cpuVcpu[cpu] = v;
      this.trapped[v] = false;
      return;
    }
    this.closeWindow(v, ts, line);
    if (this.pending[v] !== undefined) this.resolveInKernel(v);
    const st = this.state[v] as number;
    if (st === GUEST && this.trapped[v] === true) {
      this.trapped[v] = false;
      return;
    }
    if (st === GUEST) {
      this.count('entry while in guest mode (the exit is not in the trace; dropped)');
      return;
    }
    if (st === LOADED && this.cpuOf[v] !== cpu) {
      this.count('vCPU moved pCPU without a sched_switch (sched-out added)');
      this.leaveCpu(v, ts, line);
    }
    this.freeCpu(cpu, v, ts, line);
    this.push(`{"op":"run","vcpu":${v},"cpu":${cpu},"ts":${ts}}`, line);
    this.state[v] = GUEST;
    this.cpuOf[v] = cpu;
    this.cpuVcpu[cpu] = v;
    if (this.o.everySlice !== undefined)
      this.push(`{"op":"use","vcpu":${v},"unit":"${this.o.everySlice}","ts":${ts}}`, line);
  }

  private exit(v: number, e: TraceEvent, ts: string, line: number): void {
    const open = this.pending[v];
    if (this.state[v] !== GUEST || open?.fp === true) {
      // MIPS kvm_mips_handle_exit traces a second exit, [Signal], when a signal is pending
      if (e.label === 'Signal' && open !== undefined) this.signalled[v] = true;
      else this.count('exit outside guest mode (before the first entry, or a lost entry; dropped)');
      return;
    }
    this.closeWindow(v, ts, line);
    if (isFpTrap(e) && this.w.reexecuted(v, e.pc)) {
      this.count('a preempted instruction trapped again at its PC (part of its use)');
      return;
    }
    const label = workloadLabel(e.label);
    if (isFpTrap(e)) {
      this.w.trapPc[v] = e.pc;
      if (e.exitForm === ExitForm.x86) {
        this.push(`{"op":"use","vcpu":${v},"unit":"${this.o.x86Trap}","ts":${ts}}`, line);
        this.trapped[v] = true;
        return;
      }
      this.pending[v] = this.q.slot(line, v, label, ts, true);
      return;
    }
    this.pending[v] = this.q.slot(line, v, label, ts, false);
    this.state[v] = EXITED;
  }

  private aux(v: number, e: TraceEvent): void {
    const load = e.auxOp === 'restore' || e.auxOp === 'enable';
    if (this.w.absorbing[v] === true && load) {
      // the re-executed instruction's load: part of its `use`
      this.w.absorbing[v] = false;
      this.trapped[v] = true;
      return;
    }
    const s = this.pending[v];
    if (s === undefined || !s.fp || !load) return;
    const unit = auxUnit(e.auxState);
    if (unit === undefined) return;
    // decided at the re-entry: was the thread preempted in between? (trap-window.ts)
    this.w.hold(v, s, unit);
    this.pending[v] = undefined;
    this.trapped[v] = true;
  }

  /**
   * Ends the trap window of `v` other than by a re-entry on the same pCPU: its held `use` is
   * written without the preemption, and if its thread left the pCPU in the window, a `sched-out`.
   */
  private closeWindow(v: number, ts: string, line: number): void {
    const preempted = this.w.isPreempted(v);
    if (this.w.settle(v, false, this.o.keep)) this.q.drain();
    if (!preempted) return;
    this.fpToExit(v);
    this.trapped[v] = false;
    this.push(`{"op":"sched-out","vcpu":${v}${ts ? `,"ts":${ts}` : ''}}`, line);
    const st = this.state[v] as number;
    this.state[v] = st === EXITED ? EXITED_PUT : PREEMPTED;
  }

  /** An open FP trap that loaded nothing is an exit after all. */
  private fpToExit(v: number): void {
    const s = this.pending[v];
    if (s?.fp === true) {
      s.fp = false;
      this.state[v] = EXITED;
    }
  }

  private exitText(s: Slot, reason: string): string {
    if (!this.o.keep) return '';
    return `{"op":"exit","vcpu":${s.vcpu},"reason":"${reason}","label":"${s.label}","ts":${s.ts}}`;
  }

  private resolveInKernel(v: number): void {
    this.fpToExit(v);
    const s = this.pending[v] as Slot;
    s.text = this.exitText(s, inKernelReason(s.label));
    this.pending[v] = undefined;
    this.state[v] = this.state[v] === EXITED ? LOADED : PREEMPTED;
    this.q.drain();
  }

  /** The look-ahead is full: the oldest open line is decided as if handled in the kernel. */
  private force(s: Slot): void {
    if (this.w.held(s.vcpu)) {
      this.count('trap window closed before its re-entry (look-ahead full)');
      this.closeWindow(s.vcpu, '', s.traceLine);
      return;
    }
    this.count('exit decided before the trace showed its outcome (look-ahead full; in-kernel)');
    this.resolveInKernel(s.vcpu);
  }

  private userspace(v: number, name: string, ts: string, line: number): void {
    this.closeWindow(v, ts, line);
    const reason = this.signalled[v] === true ? 'signal' : userspaceReason(name, this.o.ioReason);
    this.signalled[v] = false;
    this.fpToExit(v);
    const s = this.pending[v];
    const st = this.state[v] as number;
    if (s !== undefined) {
      s.text = this.exitText(s, reason);
      this.pending[v] = undefined;
      if (st === EXITED) this.release(v);
      this.q.drain();
    } else if (st === GUEST) {
      this.count('KVM_RUN returned from guest mode without a traced exit (exit added)');
      this.push(`{"op":"exit","vcpu":${v},"reason":"${reason}","ts":${ts}}`, line);
      this.release(v);
    } else if (st === LOADED) {
      this.push(`{"op":"sched-out","vcpu":${v},"ts":${ts}}`, line);
      this.release(v);
    }
    this.state[v] = OUT;
    this.returned[v] = true;
  }

  private release(v: number): void {
    const c = this.cpuOf[v] as number;
    if (c >= 0 && this.cpuVcpu[c] === v) this.cpuVcpu[c] = -1;
  }

  /** `sched-out` of a vCPU loaded on a pCPU (its thread leaves it inside KVM_RUN). */
  private leaveCpu(v: number, ts: string, line: number): void {
    if (!this.w.isPreempted(v) && (this.w.held(v) || this.pending[v]?.fp === true)) {
      // preempted inside the trap window: the re-entry decides (trap-window.ts)
      this.w.preempt(v);
      this.release(v);
      return;
    }
    this.fpToExit(v);
    this.trapped[v] = false;
    this.push(`{"op":"sched-out","vcpu":${v},"ts":${ts}}`, line);
    const st = this.state[v] as number;
    this.state[v] = st === EXITED ? EXITED_PUT : PREEMPTED;
    this.release(v);
  }

  /** No vCPU but `except` loaded on `cpu` (a sched-out for one the trace left there). */
  private freeCpu(cpu: number, except: number, ts: string, line: number): void {
    const u = this.cpuVcpu[cpu];
    if (u === undefined || u < 0 || u === except) return;
    this.count('pCPU taken from a vCPU without a sched_switch (sched-out added)');
    this.leaveCpu(u, ts, line);
  }

  private sched(cpu: number, e: TraceEvent, ts: string, line: number): void {
    const prev = this.id.known(e.prevPid);
    if (prev !== undefined && this.cpuVcpu[cpu] === prev) this.leaveCpu(prev, ts, line);
    if (e.nextPid === 0) return;
    const next = this.id.scheduled(e.nextPid, e.nextComm, this.file, line);
    let thread: string;
    if (next !== undefined) {
      if (this.state[next] === undefined) {
        this.state[next] = OUT;
        this.cpuOf[next] = -1;
      }
      // inside KVM_RUN: kvm_sched_in's vcpu_load is replayed by the next run
      if (this.state[next] !== OUT) return;
      thread = `vmm${next}`;
    } else thread = this.id.thread(e.nextPid, e.nextComm);
    this.freeCpu(cpu, -1, ts, line);
    this.push(`{"op":"switch","cpu":${cpu},"thread":"${thread}","ts":${ts}}`, line);
  }
}
