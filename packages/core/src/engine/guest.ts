/**
 * What runs on a pCPU: guest instructions (with the hardware's check, the root trap and the
 * kernel's handler), guest control-register writes, host threads' FP use and kernel-mode FP.
 */
import { EXECUTES, NO_EXIT, RESUME_HOST, ROOT_TRAP } from '../backend-utils/results.js';
import type { Slice } from '../contract/registers.js';
import { ImpossibleEvent } from '../errors.js';
import type { UnitSpec } from '../units.js';
import { Access, type WorkloadEvent } from '../workload/event.js';
import { access, Subject } from './check.js';
import type { Exposure } from './exposure.js';
import type { VcpuLifecycle } from './lifecycle.js';
import { type EngineState, Lifecycle, NONE } from './state.js';

export class GuestPath {
  private readonly classWarned = new Set<string>();
  /** Per unit: the name its last use was checked under (classWarning). */
  private readonly classChecked: string[] = [];
  /** By control-register id: the unit it belongs to, or NONE. */
  private readonly controlUnit: Int32Array;
  /** By unit u: the control registers every read of u also reads are unitControl[start[u] … start[u+1]). */
  private readonly unitControl: Int32Array;
  private readonly unitControlStart: Int32Array;
  /** By control-register id: its slice in the register file (registers with a unit have one). */
  private readonly controlSlice: readonly (Slice | undefined)[];

  private readonly s: EngineState;
  private readonly life: VcpuLifecycle;
  private readonly exposure: Exposure;

  constructor(s: EngineState, life: VcpuLifecycle, exposure: Exposure) {
    this.s = s;
    this.life = life;
    this.exposure = exposure;
    const regs = s.variant.controlRegisters;
    this.controlSlice = regs.map((r) => r.slice);
    this.controlUnit = Int32Array.from(regs, (r) =>
      r.unit === undefined ? NONE : s.lattice.indexOf(r.unit),
    );
    const readBy: number[][] = s.lattice.units.map(() => []);
    regs.forEach((r, id) => {
      const u = this.controlUnit[id] as number;
      if (u >= 0 && r.readByUse !== false) readBy[u]?.push(id);
    });
    this.unitControl = Int32Array.from(readBy.flat());
    this.unitControlStart = new Int32Array(readBy.length + 1);
    readBy.forEach((list, u) => {
      this.unitControlStart[u + 1] = (this.unitControlStart[u] as number) + list.length;
    });
  }

  pickReg(unit: number, reg: number): number {
    if (reg >= 0) return reg;
    return this.s.rng.int((this.s.lattice.units[unit] as UnitSpec).registers);
  }

  classWarning(ev: WorkloadEvent): void {
    const name = ev.unitName;
    // per unit, the name checked last: a workload names each unit the same way again and again
    if (this.classChecked[ev.unit] === name) return;
    this.classChecked[ev.unit] = name;
    const unit = this.s.lattice.units[ev.unit] as UnitSpec;
    const exact = Array.isArray(unit.class) ? unit.class.includes(name) : unit.class === name;
    if (name === unit.id || exact || this.classWarned.has(name)) return;
    this.classWarned.add(name);
    this.s.warn(`class ${name} has no exact unit here; mapped to ${unit.id}`);
  }

  /** `use`: a guest instruction of a unit, then its checked access (and its control registers'). */
  use(ev: WorkloadEvent): void {
    const s = this.s;
    const v = ev.vcpu;
    const cpu = this.life.inGuest(v);
    if (cpu === NONE) return;
    if (ev.unitName !== '') this.classWarning(ev);
    const unit = ev.unit;
    if (s.trace.on) s.trace.line(0, `guest ${unitAccess(ev.access)} ${s.lattice.units[unit]?.id}`);
    if (!this.instruction(v, unit, null, ev.conditionFails, ev.preemptAfterTrap)) return;
    const reg = this.pickReg(unit, ev.reg);
    const hw = s.registerFile[cpu] as Uint8Array;
    access(s, hw, v, s.machine.slice(v, unit, reg), ev.access, Subject.unit, unit, reg);
    // the instruction also reads the unit's control registers (e.g. the rounding mode in FCSR)
    if (ev.access & Access.read) {
      const end = this.unitControlStart[unit + 1] as number;
      for (let i = this.unitControlStart[unit] as number; i < end; i++) {
        const id = this.unitControl[i] as number;
        const p = this.controlSlice[id];
        if (p) access(s, hw, v, p, Access.read, Subject.control, unit, id);
      }
    }
  }

  /**
   * A guest instruction of `unit`: the hardware's check, the root trap and the kernel's handler,
   * and the re-entry. True when the instruction then executes.
   */
  instruction(
    v: number,
    unit: number,
    control: number | null,
    conditionFails: boolean,
    preemptAfterTrap = false,
  ): boolean {
    const s = this.s;
    const m = s.machine;
    let result = m.guestAccess(v, unit, control, conditionFails);
    // one trap per instruction; a preemption before the re-entry may cost the kernel a second
    let preempt = preemptAfterTrap;
    for (let round = 0; result === ROOT_TRAP; round++) {
      if (round > (preemptAfterTrap ? 1 : 0)) {
        s.warn(
          'the guest was re-entered with the unit still disabled: it would trap again (a livelock in the kernel)',
        );
        return false;
      }
      const grant = s.policy.grant(v, unit) & ~m.live(v);
      const resume = m.handleTrap(v, unit, grant);
      if (this.life.died(v)) return false;
      if (resume === RESUME_HOST) {
        this.life.toUserspace(v);
        return false;
      }
      if (preempt) {
        preempt = false;
        if (m.reentryPreemptible?.(v) === false) {
          if (s.trace.on)
            s.trace.line(0, 'no preemption: the trap was handled without leaving the guest');
        } else {
          this.life.preemptBeforeReentry(v);
          if (this.life.died(v)) return false;
        }
      }
      this.life.entry(v, true);
      if (this.life.died(v)) return false;
      result = m.guestAccess(v, unit, control, conditionFails);
    }
    if (result !== EXECUTES) return false; // the guest's own exception, or a failed condition
    this.exposure.check(v, s.vcpuCpu[v] as number);
    s.policy.used(v, unit);
    return true;
  }

  /** `guest-write`: the guest writes a control register (`value`, or `set`/`clear` bit masks). */
  guestWrite(ev: WorkloadEvent): void {
    const s = this.s;
    const m = s.machine;
    const v = ev.vcpu;
    const cpu = this.life.inGuest(v);
    if (cpu === NONE) return;
    const reg = ev.controlReg;
    const spec = s.variant.controlRegisters[reg];
    const unit = this.controlUnit[reg] as number;
    let value = ev.value;
    if (unit >= 0 && spec?.slice) {
      // an instruction of the unit (MIPS ctc1 / ctcmsa): it traps like any use of the unit, and
      // its value becomes the context's truth
      if (s.trace.on)
        s.trace.line(0, `guest write of ${spec.name} (a ${s.lattice.units[unit]?.id} instruction)`);
      if (!this.instruction(v, unit, reg, false)) return;
      const off = spec.slice.offset;
      if (!ev.hasValue) {
        const old = s.oracle.readU32(s.registerFile[cpu] as Uint8Array, v, off);
        value = ((old | ev.set) & ~ev.clear) >>> 0;
      }
      s.oracle.setU32(v, off, value);
    } else {
      // an enable or mode register: a look-ahead policy follows its slice's writes
      s.policy.guestWrote?.(v);
      if (!ev.hasValue) value = ((m.guestRead(v, reg) | ev.set) & ~ev.clear) >>> 0;
    }
    const resume = m.guestWrite(v, reg, value);
    if (resume === NO_EXIT || this.life.died(v)) return;
    if (resume === RESUME_HOST) {
      this.life.toUserspace(v);
      return;
    }
    // the write trapped and was completed by the kernel: the guest is re-entered
    s.run[v] = Lifecycle.loaded;
    this.life.entry(v, true);
  }

  /** `host-use`: the thread current on a pCPU touches FP/SIMD (the workload's lifecycle allows it). */
  hostUse(ev: WorkloadEvent): void {
    const s = this.s;
    const cpu = ev.cpu;
    const host = this.requireHost('host-use');
    const current = s.cpuThread[cpu] as number;
    if (ev.unitName !== '') this.classWarning(ev);
    // a vCPU thread runs user code only once its KVM_RUN has returned
    const v = current - s.vcpus;
    if (v >= 0 && v < s.vcpus) this.life.leaveKvmRun(v, cpu, 'its VMM thread runs user code');
    if (!host.hostUse(cpu, current, ev.unit)) return;
    const reg = this.pickReg(ev.unit, ev.reg);
    const p = host.hostSlice(current, ev.unit, reg);
    access(s, s.registerFile[cpu] as Uint8Array, current, p, ev.access, Subject.unit, ev.unit, reg);
  }

  /** `switch`: the host scheduler runs `thread` on `cpu`. */
  hostSwitch(cpu: number, thread: number): void {
    this.life.schedule(cpu, thread);
  }

  /** `kernel-fpu`: kernel_fpu_begin / kernel_neon_begin on `cpu`. */
  kernelFpu(cpu: number): void {
    if (!this.requireHost('kernel-fpu').kernelFpu(cpu)) {
      this.s.warn("kernel-fpu ignored: this architecture's kernel has no kernel-mode FP/SIMD API");
    }
  }

  /** `work`: useful cycles (and, in the guest, a moment the LazyFP window may be open). */
  work(ev: WorkloadEvent): void {
    const s = this.s;
    if (ev.vcpu !== NONE) {
      const cpu = this.life.inGuest(ev.vcpu);
      if (cpu !== NONE) this.exposure.check(ev.vcpu, cpu);
    }
    s.acct.work(ev.cycles);
  }

  private requireHost(what: string) {
    const host = this.s.machine.hostThreads;
    if (host === undefined)
      throw new ImpossibleEvent(
        'op',
        `${what}: the ${this.s.variant.id} machine does not model host threads`,
      );
    return host;
  }
}

function unitAccess(a: number): string {
  return a === Access.read ? 'read of' : a === Access.write ? 'write of' : 'read-modify-write of';
}
