/** Userspace: reads and writes of vCPU state (by unit or register id) and the VMM's system calls. */
import { returnName } from '../backend-utils/errno.js';
import type { CounterId } from '../contract/machine-host.js';
import { ImpossibleEvent } from '../errors.js';
import type { UnitSpec } from '../units.js';
import type { WorkloadEvent } from '../workload/event.js';
import { checkRead, Subject } from './check.js';
import type { VcpuLifecycle } from './lifecycle.js';
import { type EngineState, NONE } from './state.js';

export class Uapi {
  /** Outcome counters of system calls, registered at their first result (syscalls are rare). */
  private readonly outcomes = new Map<string, CounterId>();

  private readonly s: EngineState;
  private readonly life: VcpuLifecycle;

  constructor(s: EngineState, life: VcpuLifecycle) {
    this.s = s;
    this.life = life;
  }

  /** A vCPU ioctl takes vcpu->mutex: the vCPU is outside KVM_RUN (or its KVM_RUN returned). */
  private vcpuIoctl(v: number, what: string): void {
    const s = this.s;
    const vmm = s.threadCpu[s.vmmThread(v)] as number;
    this.life.leaveKvmRun(v, vmm === NONE ? null : vmm, what);
  }

  /** `user-get` / `user-set` of a unit's registers, or of a register id. */
  userAccess(ev: WorkloadEvent, write: boolean): void {
    const s = this.s;
    const v = ev.vcpu;
    this.vcpuIoctl(v, write ? 'user-set' : 'user-get');
    if (ev.regId >= 0) {
      this.userRegister(v, ev.regId, write);
      return;
    }
    const uapi = s.machine.uapi;
    if (uapi === undefined)
      throw new ImpossibleEvent(
        'unit',
        `the ${s.variant.id} machine has no userspace access by unit`,
      );
    const unit = ev.unit;
    const regs = (s.lattice.units[unit] as UnitSpec).registers;
    const from = Math.max(ev.reg, 0);
    const to = ev.reg >= 0 ? ev.reg + 1 : regs;
    const buf = s.scratch;
    for (let r = from; r < to; r++) {
      if (write) {
        const p = s.machine.slice(v, unit, r);
        s.oracle.fill(buf, p.offset, p.length);
        if (uapi.userWrite(v, unit, r, buf)) s.oracle.commit(buf, v, p.offset, p.length);
      } else {
        const p = uapi.userRead(v, unit, r, buf);
        if (p !== null) checkRead(s, buf, v, p, Subject.unit, unit, r);
      }
    }
  }

  /** One register of the variant's register-id uapi (MIPS KVM_GET_ONE_REG / KVM_SET_ONE_REG…). */
  private userRegister(v: number, handle: number, write: boolean): void {
    const s = this.s;
    const m = s.machine.userRegisters;
    if (m === undefined) throw new Error('unreachable: checked when the machine was created');
    const buf = s.scratch;
    if (write) {
      const p = m.registerSlice(v, handle);
      if (p !== null) s.oracle.fill(buf, p.offset, p.length);
      if (m.setRegister(v, handle, buf) && p !== null) s.oracle.commit(buf, v, p.offset, p.length);
      return;
    }
    const p = m.getRegister(v, handle, buf);
    if (p !== null) checkRead(s, buf, v, p, Subject.userRegister, 0, handle);
  }

  /** `syscall`: its result is counted as `NAME → 0` or `NAME → -EPERM`. */
  syscall(ev: WorkloadEvent): void {
    const s = this.s;
    const spec = s.variant.syscalls?.[ev.call];
    const m = s.machine.syscalls;
    if (spec === undefined || m === undefined)
      throw new Error('unreachable: checked when the machine was created');
    const name = spec.name;
    if (ev.vcpu !== NONE) this.vcpuIoctl(ev.vcpu, `syscall ${name}`);
    if (s.trace.on) s.trace.line(0, `${name}${ev.hasValue ? `(0x${ev.value.toString(16)})` : ''}`);
    const ret = m.syscall(ev.vcpu === NONE ? null : ev.vcpu, ev.call, ev.value);
    const outcome = `${name} → ${returnName(ret)}`;
    if (s.trace.on) s.trace.line(1, `returns ${returnName(ret)}`);
    let id = this.outcomes.get(outcome);
    if (id === undefined) {
      id = s.acct.counter('outcomes', outcome);
      this.outcomes.set(outcome, id);
    }
    s.acct.count(id);
  }
}
