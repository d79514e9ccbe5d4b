/**
 * The x86 KVM machine: each hook of core's `Machine` calls the kernel routines named after Linux
 * (6.16: kernel/fpu/, kvm/; 4.8: linux-4.8/lazy-cr0ts.ts) or, for what only a non-`kvm` policy
 * asks, policy-paths.ts. The state is in state.ts.
 */
import {
  type Machine,
  type MachineHost,
  NO_EXIT,
  packSlice,
  RESUME_GUEST,
  RESUME_HOST,
  type Resume,
  takeExit,
} from '@vfpu/core';
import * as hw from './hw/guest.js';
import { fpregs_restore_userregs, switch_fpu } from './kernel/fpu/context.js';
import { kernel_fpu_begin_mask } from './kernel/fpu/core.js';
import { handle_xfd_event } from './kernel/fpu/xstate.js';
import * as ioctl from './kvm/ioctl.js';
import * as vmx from './kvm/vmx.js';
import * as x86 from './kvm/x86.js';
import { MXCSR_OFFSET, UNIT, USER_DYNAMIC, unitSlice } from './layout.js';
import * as linux48 from './linux-4.8/lazy-cr0ts.js';
import type { X86Options } from './options.js';
import { lazyGuestLdtilecfg, lazyGuestNm, saveGuestAtExit } from './policy-paths.js';
import { inspectState, NONE, TRAP_LAZY_TS, TRAP_LAZY_XFD, X86 } from './state.js';

export class X86Machine implements Machine {
  private readonly m: X86;

  constructor(host: MachineHost, o: X86Options) {
    this.m = new X86(host, o);
    x86.vcpusBeforeWorkload(this.m);
  }

  // ---- state -------------------------------------------------------------------------------
  guestEnabled(vi: number): number {
    return this.m.enabledUnits(this.m.vcpu(vi).xcr0);
  }
  live(vi: number): number {
    const v = this.m.vcpu(vi);
    return this.m.resident(v) ? this.m.enabledUnits(v.xcr0) : 0;
  }
  slice(_v: number, unit: number, reg: number): number {
    return unitSlice(unit, reg);
  }
  hostSlice(_t: number, unit: number, reg: number): number {
    return unitSlice(unit, reg);
  }
  controlSlice(reg: number): number {
    return reg === hw.REG_MXCSR ? packSlice(MXCSR_OFFSET, 4) : -1;
  }

  // ---- KVM_RUN, load, put, entry and exit ----------------------------------------------------
  kvmRunBegin(vi: number, cpu: number): void {
    const v = this.m.vcpu(vi);
    if (v.inKvmRun) return; // the vCPU thread is scheduled in again inside KVM_RUN
    v.inKvmRun = true;
    if (!this.m.legacy) x86.kvm_load_guest_fpu(this.m, this.m.cpu(cpu), v);
  }
  vcpuLoad(vi: number, cpu: number): void {
    this.m.vcpu(vi).cpu = cpu;
  }
  vcpuPut(vi: number): void {
    const m = this.m;
    const v = m.vcpu(vi);
    if (m.legacy) linux48.kvm_put_guest_fpu(m, v, false);
    else if (v.leaving) x86.kvm_put_guest_fpu(m, m.cpu(v.cpu), v);
    if (v.leaving) {
      v.leaving = false;
      v.inKvmRun = false;
    }
    v.cpu = NONE;
  }
  enter(vi: number, _reentry: boolean): void {
    x86.vcpu_enter_guest(this.m, this.m.vcpu(vi));
  }
  load(vi: number, want: number): void {
    const v = this.m.vcpu(vi);
    if (want === 0 || this.m.resident(v)) return;
    if (this.m.legacy) linux48.kvm_load_guest_fpu(this.m, v, 0);
    else x86.enterGuestFpuReload(this.m, v);
  }
  exit(vi: number, reason: number, save: boolean): Resume {
    const v = this.m.vcpu(vi);
    const resume = takeExit(this.m.host, this.m.exits, reason);
    x86.vcpuEnterGuestAfterExit(this.m, v);
    if (save) saveGuestAtExit(this.m, v);
    if (resume === RESUME_HOST) v.leaving = true;
    return resume;
  }

  // ---- guest execution ---------------------------------------------------------------------
  guestAccess(vi: number, unit: number, _control: number, _conditionFails: boolean): number {
    return hw.guestInstruction(this.m, this.m.vcpu(vi), unit);
  }
  handleTrap(vi: number, trap: number, _unit: number, _grant: number): Resume {
    const m = this.m;
    const v = m.vcpu(vi);
    vmx.vmexitNm(m, v);
    if (trap !== TRAP_LAZY_TS && trap !== TRAP_LAZY_XFD)
      return vmx.handle_exception_nmi(m, v, trap);
    return m.legacy ? linux48.handle_exception(m, v, trap) : lazyGuestNm(m, v, trap);
  }
  guestWrite(
    vi: number,
    reg: number,
    hasValue: boolean,
    value: number,
    set: number,
    clear: number,
  ): Resume | typeof NO_EXIT {
    const m = this.m;
    const v = m.vcpu(vi);
    const x = hw.written(hw.registerValue(v, reg), hasValue, value, set, clear);
    switch (reg) {
      case hw.REG_XCR0:
        return hw.xsetbvFaults(m, v) ? NO_EXIT : x86.kvm_emulate_xsetbv(m, v, x);
      case hw.REG_CR0:
        if (!m.legacy || v.guestFpuLoaded) return hw.movCr0GuestOwned(m, v, x & hw.CR0_TS ? 1 : 0);
        return linux48.handle_cr(m, v, x & hw.CR0_TS ? 1 : 0);
      case hw.REG_CPL:
        v.cpl = (hasValue ? value : 0) & 3;
        return NO_EXIT;
      case hw.REG_XFD:
        if (v.xfdNoWriteIntercept) return hw.wrmsrXfdPassthrough(m, v, x);
        return vmx.vmx_set_msr(m, v, x86.MSR_IA32_XFD, x);
      case hw.REG_XFD_ERR:
        return vmx.vmx_set_msr(m, v, x86.MSR_IA32_XFD_ERR, x);
      case hw.REG_TILECFG: {
        if (!hw.ldtilecfgAllowed(m, v)) return NO_EXIT;
        const notLoaded = !m.resident(v);
        if (notLoaded) lazyGuestLdtilecfg(m, v);
        hw.ldtilecfg(m, v, hasValue ? value : 0);
        return notLoaded ? RESUME_GUEST : NO_EXIT;
      }
      default:
        return NO_EXIT; // MXCSR: the SSE instruction itself (core checked and trapped it)
    }
  }

  // ---- host side ---------------------------------------------------------------------------
  hostSwitch(cpu: number, prev: number, next: number): void {
    const m = this.m;
    const c = m.cpu(cpu);
    if (prev >= 0) switch_fpu(m, c, m.task(prev));
    const t = next >= 0 ? m.task(next) : null;
    c.current = t;
    // a vCPU thread inside KVM_RUN stays in the kernel: no return to user space
    if (t === null || t.kthread || m.inKvmRun(t)) return;
    fpregs_restore_userregs(m, c, t, 0);
  }
  hostUse(cpu: number, ti: number, unit: number): boolean {
    const m = this.m;
    const c = m.cpu(cpu);
    const t = m.task(ti);
    // a vCPU thread runs user code only once KVM_RUN has returned (here: a signal, -EINTR)
    if (t.vcpu !== null && m.inKvmRun(t)) x86.kvmRunReturnsToUser(m, c, t.vcpu);
    fpregs_restore_userregs(m, c, t, 0);
    // traps.c exc_device_not_available → handle_xfd_event
    if (unit === UNIT.amx && t.fpstate.xfd & USER_DYNAMIC && !handle_xfd_event(m, c, t))
      return false;
    hw.touch(c, unit);
    return true;
  }
  kernelFpu(cpu: number): boolean {
    if (this.m.legacy) linux48.kernel_fpu_begin(this.m, this.m.cpu(cpu));
    else kernel_fpu_begin_mask(this.m, this.m.cpu(cpu));
    return true;
  }

  // ---- userspace ---------------------------------------------------------------------------
  userGetRegister(vi: number, handle: number, out: Uint8Array): number {
    return ioctl.kvm_vcpu_ioctl_x86_get_xsave(this.m, this.m.vcpu(vi), handle, out);
  }
  userRegisterSlice(vi: number, _handle: number): number {
    return ioctl.xsaveImageSlice(this.m.vcpu(vi));
  }
  userSetRegister(vi: number, _handle: number, src: Uint8Array): boolean {
    return ioctl.kvm_vcpu_ioctl_x86_set_xsave(this.m, this.m.vcpu(vi), src);
  }
  userRead(vi: number, unit: number, reg: number, out: Uint8Array): number {
    return ioctl.readGuestRegister(this.m.vcpu(vi), unit, reg, out);
  }
  userWrite(vi: number, unit: number, reg: number, src: Uint8Array): boolean {
    return ioctl.writeGuestRegister(this.m, this.m.vcpu(vi), unit, reg, src);
  }
  syscall(vi: number, call: number, value: number): number {
    return ioctl.vmmSyscall(this.m, vi, call, value);
  }

  inspect(): Record<string, unknown> {
    return inspectState(this.m);
  }
}
