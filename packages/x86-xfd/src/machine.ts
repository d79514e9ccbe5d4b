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
import {
  guestInstruction,
  ldtilecfg,
  ldtilecfgAllowed,
  movCr0GuestOwned,
  touch,
  written,
  wrmsrXfdPassthrough,
  xsetbvFaults,
} from './hw/guest.js';
import { fpregs_restore_userregs, switch_fpu } from './kernel/fpu/context.js';
import { kernel_fpu_begin_mask } from './kernel/fpu/core.js';
import { handle_xfd_event } from './kernel/fpu/xstate.js';
import * as ioctl from './kvm/ioctl.js';
import { handle_exception_nmi, vmexitNm, vmx_set_msr } from './kvm/vmx.js';
import {
  __kvm_set_xcr,
  enterGuestFpuReload,
  kvm_arch_vcpu_create,
  kvm_emulate_xsetbv,
  kvm_load_guest_fpu,
  kvm_put_guest_fpu,
  MSR_IA32_XFD,
  MSR_IA32_XFD_ERR,
  vcpu_enter_guest,
  vcpuEnterGuestAfterExit,
} from './kvm/x86.js';
import { hex, MASK, MXCSR_OFFSET, UNIT, USER_DYNAMIC, unitSlice } from './layout.js';
import * as linux48 from './linux-4.8/lazy-cr0ts.js';
import type { X86Options } from './options.js';
import { lazyGuestLdtilecfg, lazyGuestNm, saveGuestAtExit } from './policy-paths.js';
import { NONE, TRAP_LAZY_TS, TRAP_LAZY_XFD, X86 } from './state.js';

// control registers (variants.ts controlRegisters: keep the order)
const REG_XCR0 = 0;
const REG_CR0 = 1;
const REG_CPL = 2;
const REG_MXCSR = 3;
const REG_XFD = 4;
const REG_XFD_ERR = 5;
const REG_TILECFG = 6;
const CR0_TS = 1 << 3;

export class X86Machine implements Machine {
  private readonly m: X86;

  constructor(host: MachineHost, o: X86Options) {
    const m = new X86(host, o);
    this.m = m;
    for (const v of m.vcpus) {
      kvm_arch_vcpu_create(m, v);
      const want = o.guestXcr0 < 0 ? v.guestSupportedXcr0 | MASK.FP : o.guestXcr0;
      if (!__kvm_set_xcr(m, v, want))
        host.warn(
          `config guest.xcr0 ${hex(want)} is not a valid XCR0 for vcpu ${v.id}'s CPUID (__kvm_set_xcr); the guest keeps XCR0 = ${hex(v.xcr0)}`,
        );
      v.cr0ts = o.guestCr0ts ? 1 : 0;
    }
    m.ready = true;
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
    return reg === REG_MXCSR ? packSlice(MXCSR_OFFSET, 4) : -1;
  }

  // ---- KVM_RUN, load, put, entry and exit ----------------------------------------------------
  kvmRunBegin(vi: number, cpu: number): void {
    const v = this.m.vcpu(vi);
    if (v.inKvmRun) return; // the vCPU thread is scheduled in again inside KVM_RUN
    v.inKvmRun = true;
    if (!this.m.legacy) kvm_load_guest_fpu(this.m, this.m.cpu(cpu), v);
  }
  vcpuLoad(vi: number, cpu: number): void {
    this.m.vcpu(vi).cpu = cpu;
  }
  vcpuPut(vi: number): void {
    const m = this.m;
    const v = m.vcpu(vi);
    if (m.legacy) linux48.kvm_put_guest_fpu(m, v, false);
    else if (v.leaving) kvm_put_guest_fpu(m, m.cpu(v.cpu), v);
    if (v.leaving) {
      v.leaving = false;
      v.inKvmRun = false;
    }
    v.cpu = NONE;
  }
  enter(vi: number, _reentry: boolean): void {
    vcpu_enter_guest(this.m, this.m.vcpu(vi));
  }
  load(vi: number, want: number): void {
    const v = this.m.vcpu(vi);
    if (want === 0 || this.m.resident(v)) return;
    if (this.m.legacy) linux48.kvm_load_guest_fpu(this.m, v, 0);
    else enterGuestFpuReload(this.m, v);
  }
  exit(vi: number, reason: number, save: boolean): Resume {
    const v = this.m.vcpu(vi);
    const resume = takeExit(this.m.host, this.m.exits, reason);
    vcpuEnterGuestAfterExit(this.m, v);
    if (save) saveGuestAtExit(this.m, v);
    if (resume === RESUME_HOST) v.leaving = true;
    return resume;
  }

  // ---- guest execution ---------------------------------------------------------------------
  guestAccess(vi: number, unit: number, _control: number, _conditionFails: boolean): number {
    return guestInstruction(this.m, this.m.vcpu(vi), unit);
  }
  handleTrap(vi: number, trap: number, _unit: number, _grant: number): Resume {
    const m = this.m;
    const v = m.vcpu(vi);
    vmexitNm(m, v);
    if (trap !== TRAP_LAZY_TS && trap !== TRAP_LAZY_XFD) return handle_exception_nmi(m, v, trap);
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
    switch (reg) {
      case REG_XCR0:
        if (xsetbvFaults(m, v)) return NO_EXIT;
        return kvm_emulate_xsetbv(m, v, written(v.xcr0, hasValue, value, set, clear));
      case REG_CR0: {
        const ts = written(v.cr0ts ? CR0_TS : 0, hasValue, value, set, clear) & CR0_TS ? 1 : 0;
        if (!m.legacy || v.guestFpuLoaded) return movCr0GuestOwned(m, v, ts);
        return linux48.handle_cr(m, v, ts);
      }
      case REG_CPL:
        v.cpl = (hasValue ? value : 0) & 3;
        return NO_EXIT;
      case REG_XFD: {
        const x = written(v.guestFpu.fpstate.xfd, hasValue, value, set, clear);
        if (v.xfdNoWriteIntercept) return wrmsrXfdPassthrough(m, v, x);
        return vmx_set_msr(m, v, MSR_IA32_XFD, x);
      }
      case REG_XFD_ERR:
        return vmx_set_msr(
          m,
          v,
          MSR_IA32_XFD_ERR,
          written(v.guestFpu.xfdErr, hasValue, value, set, clear),
        );
      case REG_TILECFG: {
        if (!ldtilecfgAllowed(m, v)) return NO_EXIT;
        const notLoaded = !m.resident(v);
        if (notLoaded) lazyGuestLdtilecfg(m, v);
        ldtilecfg(m, v, hasValue ? value : 0);
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
    if (t.vcpu !== null && m.inKvmRun(t)) {
      // a vCPU thread runs user code only once KVM_RUN has returned (here: a signal, -EINTR)
      if (m.host.trace.on)
        m.line(
          0,
          `${m.host.contextName(ti)} runs user code, so KVM_RUN returned (a pending signal)`,
        );
      kvm_put_guest_fpu(m, c, t.vcpu);
      t.vcpu.inKvmRun = false;
    }
    fpregs_restore_userregs(m, c, t, 0);
    // traps.c exc_device_not_available → handle_xfd_event
    if (unit === UNIT.amx && t.fpstate.xfd & USER_DYNAMIC && !handle_xfd_event(m, c, t))
      return false;
    touch(c, unit);
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
    const m = this.m;
    return {
      vcpus: m.vcpus.map((v) => ({
        xcr0: hex(v.xcr0),
        cr0ts: v.cr0ts === 1,
        xfd: hex(v.guestFpu.fpstate.xfd),
        xfd_err: hex(v.guestFpu.xfdErr),
        xfd_no_write_intercept: v.xfdNoWriteIntercept,
        nm_intercepted: m.legacy ? !v.guestFpuLoaded : v.xfdNoWriteIntercept,
        xfeatures: hex(v.guestFpu.fpstate.xfeatures),
        uabi_size: v.guestFpu.uabiSize,
        guest_supported_xcr0: hex(v.guestSupportedXcr0),
        in_kvm_run: v.inKvmRun,
        loaded: m.resident(v),
      })),
      fpregs_owner_ctx: m.cpus.map((c) =>
        c.owner === null ? null : m.host.contextName(c.owner.ctx),
      ),
    };
  }
}
