/**
 * The x86 KVM machine: each hook of core's `Machine` calls the kernel routines named after Linux
 * (6.16: kernel/fpu/, kvm/; 4.8: linux-4.8/lazy-cr0ts.ts) or, for what only a non-`kvm` policy
 * asks, policy-paths.ts. The state is in state.ts; core owns the KVM_RUN lifecycle.
 */
import type {
  AccessResult,
  ControlWrites,
  GuestWriteResult,
  Machine,
  MachineHostThreads,
  MachineInit,
  MachineSyscalls,
  MachineUapi,
  MachineUserRegisters,
  Resume,
  Slice,
} from '@vfpu/core';
import { NO_EXIT, RESUME_GUEST, takeExit } from '@vfpu/core/backend-utils';
import * as hw from './hw/guest.js';
import { fpregs_restore_userregs, switch_fpu } from './kernel/fpu/context.js';
import { kernel_fpu_begin_mask } from './kernel/fpu/core.js';
import { exc_device_not_available } from './kernel/traps.js';
import * as ioctl from './kvm/ioctl.js';
import * as vmx from './kvm/vmx.js';
import * as x86 from './kvm/x86.js';
import { MASK, transferBytes, USER_DYNAMIC } from './layout.js';
import * as linux48 from './linux-4.8/lazy-cr0ts.js';
import { toX86Options } from './options.js';
import {
  kvmLoadGuestFpuDeferred,
  lazyGuestLdtilecfg,
  lazyGuestNm,
  saveGuestAtExit,
} from './policy-paths.js';
import { inspectState, NONE, TRAP_LAZY_TS, TRAP_LAZY_XFD, X86 } from './state.js';
import { guestWriteEffect } from './write-effect.js';

/** 4.8: vmx_fpu_activate's 2 VMCS writes on a trap's load and on a CLTS's. */
const LAZY_CR0TS_CONTROL: ControlWrites = Object.freeze({
  load: 0,
  trap: 2,
  writeLoad: 2,
  entryLive: 0,
  entryIdle: 0,
  exitLive: 0,
  putLive: 0,
});
/** 6.16: no control write differs between plans. */
const NO_PLAN_CONTROL: ControlWrites = Object.freeze({
  ...LAZY_CR0TS_CONTROL,
  trap: 0,
  writeLoad: 0,
});

export class X86Machine implements Machine {
  private readonly m: X86;

  constructor({ options, host, ids }: MachineInit) {
    this.m = new X86(host, toX86Options(options), ids);
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
  slice(_v: number, unit: number, reg: number): Slice {
    return this.m.units.slice(unit, reg);
  }

  // ---- KVM_RUN, load, put, entry and exit ----------------------------------------------------
  kvm_arch_vcpu_load(vi: number, cpu: number): void {
    this.m.vcpu(vi).cpu = cpu;
  }
  kvm_arch_vcpu_put(vi: number): void {
    const m = this.m;
    const v = m.vcpu(vi);
    if (m.legacy) linux48.kvm_put_guest_fpu(m, v, false);
    v.cpu = NONE;
  }
  kvmRunBegin(vi: number, cpu: number, preload: number): void {
    const m = this.m;
    if (m.legacy) return; // 4.8: kvm_load_guest_fpu runs before an entry
    // kvm_arch_vcpu_ioctl_run → kvm_load_guest_fpu: the kernel's (kvm = eager) loads the guest
    if (preload !== 0) x86.kvm_load_guest_fpu(m, m.cpu(cpu), m.vcpu(vi));
    else kvmLoadGuestFpuDeferred(m, m.cpu(cpu), m.vcpu(vi));
  }
  kvmRunEnd(vi: number, cpu: number | null): void {
    const m = this.m;
    if (m.legacy) return; // 4.8: kvm_put_guest_fpu is in kvm_arch_vcpu_put
    x86.kvmRunEnd(m, m.vcpu(vi), cpu === null ? null : m.cpu(cpu));
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
    return resume;
  }

  // ---- guest execution ---------------------------------------------------------------------
  guestAccess(vi: number, unit: number, _control: number | null, _cond: boolean): AccessResult {
    return hw.guestInstruction(this.m, this.m.vcpu(vi), unit);
  }
  handleTrap(vi: number, _unit: number, _grant: number): Resume {
    const m = this.m;
    const v = m.vcpu(vi);
    const trap = v.trap;
    vmx.vmexitNm(m, v);
    if (trap !== TRAP_LAZY_TS && trap !== TRAP_LAZY_XFD)
      return vmx.handle_exception_nmi(m, v, trap);
    return m.legacy ? linux48.handle_exception(m, v, trap) : lazyGuestNm(m, v, trap);
  }
  guestRead(vi: number, reg: number): number {
    return hw.registerValue(this.m, this.m.vcpu(vi), reg);
  }
  /**
   * 4.8 (linux-4.8/lazy-cr0ts.ts): a trap's load and a CLTS's load run vmx_fpu_activate (GUEST_CR0
   * and the exception bitmap: 2 VMCS writes), a preload's kvm_load_guest_fpu none. 6.16: none
   * that differ between plans.
   */
  controlWrites(): ControlWrites {
    return this.m.legacy ? LAZY_CR0TS_CONTROL : NO_PLAN_CONTROL;
  }
  /**
   * 4.8 (linux-4.8/lazy-cr0ts.ts kernel_fpu_begin): refused while KVM holds the guest FPU;
   * otherwise the VMM thread's state is saved and restored around it (its XSTATE_BV's bytes,
   * as the slice's start leaves them). 6.16: kernel_fpu_begin_mask saves the guest (a flush).
   */
  kernelFpuUnusableWhileLive(vi: number): number {
    return this.m.legacy ? transferBytes(this.m.vcpu(vi).vmm.fpstate.xstateBv) : -1;
  }
  /** hw/guest.ts guestInstruction: XCR0's #UD comes before any #NM: a disabled use never loads. */
  readonly disabledUseLoads = false;
  guestWriteEffect(vi: number, reg: number, values: Uint32Array, old: number): number {
    return guestWriteEffect(this.m, this.m.vcpu(vi), reg, values, old);
  }
  guestWrite(vi: number, reg: number, x: number): GuestWriteResult {
    const m = this.m;
    const v = m.vcpu(vi);
    const r = m.regs;
    if (reg === r.xcr0) return hw.xsetbvFaults(m, v) ? NO_EXIT : x86.kvm_emulate_xsetbv(m, v, x);
    if (reg === r.cr0) {
      if (!m.legacy || v.guestFpuLoaded) return hw.movCr0GuestOwned(m, v, x & hw.CR0_TS ? 1 : 0);
      return linux48.handle_cr(m, v, x & hw.CR0_TS ? 1 : 0);
    }
    if (reg === r.cpl) {
      v.cpl = x & 3;
      return NO_EXIT;
    }
    if (reg === r.xfd) {
      if (v.xfdNoWriteIntercept) return hw.wrmsrXfdPassthrough(m, v, x);
      return vmx.vmx_set_msr(m, v, x86.MSR_IA32_XFD, x);
    }
    if (reg === r.xfdErr) return vmx.vmx_set_msr(m, v, x86.MSR_IA32_XFD_ERR, x);
    if (reg === r.tilecfg) {
      if (!hw.ldtilecfgAllowed(m, v)) return NO_EXIT;
      const notLoaded = !m.resident(v);
      if (notLoaded) lazyGuestLdtilecfg(m, v);
      hw.ldtilecfg(m, v, x);
      return notLoaded ? RESUME_GUEST : NO_EXIT;
    }
    if (reg === r.mxcsr) return hw.ldmxcsr(m, v, x); // core already ran the instruction's #NM
    return NO_EXIT;
  }

  // ---- host side ---------------------------------------------------------------------------
  readonly hostThreads: MachineHostThreads = {
    hostSwitch: (cpu: number, prev: number | null, next: number | null): void => {
      const m = this.m;
      const c = m.cpu(cpu);
      // core passes no thread killed by an oops (prev: null, nothing to save; next: never)
      if (prev !== null) switch_fpu(m, c, m.task(prev));
      const t = next === null ? null : m.task(next);
      c.current = t;
      // a vCPU thread inside KVM_RUN stays in the kernel: no return to user space
      if (t === null || t.kthread || m.inKvmRun(t)) return;
      fpregs_restore_userregs(m, c, t, 0);
    },
    hostUse: (cpu: number, ti: number, unit: number): boolean => {
      const m = this.m;
      const c = m.cpu(cpu);
      const t = m.task(ti);
      fpregs_restore_userregs(m, c, t, 0);
      if (t.dead) return false; // its restore oopsed (kernel/dumpstack.ts die)
      if (unit !== m.units.amx) {
        hw.touch(c, m.units.components[unit] as number);
        return true;
      }
      // XFD #NM: traps.c exc_device_not_available → handle_xfd_event (retried, or SIGILL)
      if (t.fpstate.xfd & USER_DYNAMIC && !exc_device_not_available(m, c, true, 0)) return false;
      // a tile instruction #UDs unless the tiles are configured: the thread's LDTILECFG put
      // TILECFG in use too, so os_xsave writes components 17 and 18
      hw.touch(c, MASK.XTILE);
      return true;
    },
    hostSlice: (_t: number, unit: number, reg: number): Slice => this.m.units.slice(unit, reg),
    kernelFpu: (cpu: number): boolean => {
      if (this.m.legacy) linux48.kernel_fpu_begin(this.m, this.m.cpu(cpu));
      else kernel_fpu_begin_mask(this.m, this.m.cpu(cpu));
      return true;
    },
  };

  // ---- userspace ---------------------------------------------------------------------------
  readonly uapi: MachineUapi = {
    userRead: (vi: number, unit: number, reg: number, out: Uint8Array): Slice | null =>
      ioctl.readGuestRegister(this.m, this.m.vcpu(vi), unit, reg, out),
    userWrite: (vi: number, unit: number, reg: number, src: Uint8Array): boolean =>
      ioctl.writeGuestRegister(this.m, this.m.vcpu(vi), unit, reg, src),
  };
  readonly userRegisters: MachineUserRegisters = {
    getRegister: (vi: number, handle: number, out: Uint8Array): Slice | null =>
      ioctl.kvm_vcpu_ioctl_x86_get_xsave(this.m, this.m.vcpu(vi), handle, out),
    registerSlice: (vi: number, _handle: number): Slice => ioctl.xsaveImageSlice(this.m.vcpu(vi)),
    setRegister: (vi: number, _handle: number, src: Uint8Array): boolean =>
      ioctl.kvm_vcpu_ioctl_x86_set_xsave(this.m, this.m.vcpu(vi), src),
  };
  readonly syscalls: MachineSyscalls = {
    syscall: (vi: number | null, call: number, value: number): number =>
      ioctl.vmmSyscall(this.m, vi, call, value),
  };

  inspect(): Record<string, unknown> {
    return inspectState(this.m);
  }
}
