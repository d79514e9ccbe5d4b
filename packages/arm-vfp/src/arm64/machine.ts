/**
 * arm64 KVM: the core Machine hooks mapped onto the kernel's routines. Variant arm64-e4 follows
 * v6.0–v6.13 (the host is saved in the trap handler), arm64-e5 v6.14+ (the host is saved and
 * flushed at vcpu_load). The routines live in fpsimd.ts, switch.ts, hyp-fpsimd.ts,
 * host-fpsimd.ts, handle-exit.ts and guest.ts, the hardware's checks in guest-access.ts,
 * policy-only paths in policy-paths.ts.
 */
import {
  type ExitRow,
  type Machine,
  type MachineHost,
  NO_EXIT,
  packSlice,
  RESUME_GUEST,
  type Resume,
  takeExit,
  type UnitMask,
} from '@vfpu/core';
import { scribble } from '../kernel-neon.js';
import type { ArmOptions } from '../options.js';
import { CREG_CPACR_EL1, CREG_FPCR, FPCR_OFFSET, FPSR_OFFSET, Z_STRIDE } from '../regs.js';
import {
  kvm_arch_vcpu_ctxflush_fp,
  kvm_arch_vcpu_ctxsync_fp,
  kvm_arch_vcpu_load_fp,
  kvm_arch_vcpu_put_fp,
} from './fpsimd.js';
import { fpRegSlice, kvm_arm_get_reg, kvm_arm_set_reg } from './guest.js';
import { guestAccess, guestEnabled, guestWrite } from './guest-access.js';
import { armExitHandlers, handle_sve } from './handle-exit.js';
import {
  fpsimd_restore_current_state,
  fpsimd_thread_switch,
  kernel_neon_begin,
  kernel_neon_end,
} from './host-fpsimd.js';
import { inspectArm64 } from './inspect.js';
import { policyLoad, saveAtExit } from './policy-paths.js';
import { Arm64, type Cpu, FP_STATE_GUEST_OWNED, type Vcpu, zeroZUpper } from './state.js';
import {
  __activate_traps,
  __deactivate_traps,
  __fpsimd_save_fpexc32,
  fpsimd_lazy_switch_to_guest,
  fpsimd_lazy_switch_to_host,
  kvm_hyp_handle_fpsimd,
} from './switch.js';

export class Arm64Machine implements Machine {
  private readonly a: Arm64;
  /** handle_exit by exit reason. */
  private readonly exits: readonly ExitRow[];

  constructor(host: MachineHost, o: ArmOptions) {
    this.a = new Arm64(host, o);
    this.exits = armExitHandlers(this.a.ids);
  }

  // ---- what the guest sees ---------------------------------------------------------------------

  guestEnabled(vi: number): UnitMask {
    return guestEnabled(this.a, vi);
  }

  live(vi: number): UnitMask {
    const cpu = (this.a.vcpus[vi] as Vcpu).cpu;
    const c = this.a.cpus[cpu];
    return c !== undefined && c.fp_owner === FP_STATE_GUEST_OWNED && c.vcpu === vi
      ? this.a.units
      : 0;
  }

  guestAccess(vi: number, unit: number): number {
    return guestAccess(this.a, vi, unit);
  }

  // ---- vcpu_load / put, the run loop (arch/arm64/kvm/arm.c) ------------------------------------

  kvmRunBegin(): void {}

  vcpuLoad(vi: number, cpu: number): void {
    (this.a.vcpus[vi] as Vcpu).cpu = cpu;
    (this.a.cpus[cpu] as Cpu).vcpu = vi;
    kvm_arch_vcpu_load_fp(this.a, cpu);
  }

  vcpuPut(vi: number): void {
    const v = this.a.vcpus[vi] as Vcpu;
    kvm_arch_vcpu_put_fp(this.a, v.cpu);
    const c = this.a.cpus[v.cpu];
    if (c !== undefined) c.vcpu = -1;
    v.cpu = -1;
  }

  /** kvm_arch_vcpu_ctxflush_fp, then __activate_traps (E5 __activate_cptr_traps). */
  enter(vi: number, _reentry: boolean): void {
    const v = this.a.vcpus[vi] as Vcpu;
    if (v.hypReturn) {
      v.hypReturn = false; // the ERET at the end of kvm_hyp_handle_fpsimd
      return;
    }
    kvm_arch_vcpu_ctxflush_fp(this.a, v.cpu);
    fpsimd_lazy_switch_to_guest(this.a, v.cpu);
    __activate_traps(this.a, v.cpu);
  }

  exit(vi: number, reason: number, save: boolean): Resume {
    this.worldExit(vi, save);
    return takeExit(this.a.host, this.exits, reason);
  }

  /**
   * EL2 exit: FPEXC32_EL2 saved if the guest owns FP (AArch32), traps deactivated (E5: ZCR
   * switched back); then, IRQs still off, kvm_arch_vcpu_ctxsync_fp. `save`: a policy's save.
   */
  private worldExit(vi: number, save: boolean): void {
    const a = this.a;
    const cpu = (a.vcpus[vi] as Vcpu).cpu;
    __fpsimd_save_fpexc32(a, cpu, vi);
    if (save) saveAtExit(a, cpu, vi);
    __deactivate_traps(a, cpu);
    fpsimd_lazy_switch_to_host(a, cpu);
    kvm_arch_vcpu_ctxsync_fp(a, cpu, vi);
  }

  /** kvm_hyp_handle_fpsimd; a declined trap is a full exit into handle_sve. */
  handleTrap(vi: number, trap: number, _unit: number, _grant: UnitMask): Resume {
    if (!kvm_hyp_handle_fpsimd(this.a, vi, trap)) {
      this.worldExit(vi, false);
      handle_sve(this.a, vi);
    }
    return RESUME_GUEST;
  }

  load(vi: number, _units: UnitMask): void {
    policyLoad(this.a, (this.a.vcpus[vi] as Vcpu).cpu, vi);
  }

  guestWrite(
    vi: number,
    reg: number,
    hasValue: boolean,
    value: number,
    set: number,
    clear: number,
  ): Resume | typeof NO_EXIT {
    guestWrite(this.a, vi, reg, hasValue, value, set, clear);
    return NO_EXIT;
  }

  slice(_vi: number, unit: number, reg: number): number {
    return fpRegSlice(this.a, unit, reg);
  }

  controlSlice(reg: number): number {
    if (reg === CREG_FPCR) return packSlice(FPCR_OFFSET, 4);
    return reg === CREG_CPACR_EL1 ? -1 : packSlice(FPSR_OFFSET, 4);
  }

  // ---- the host (arch/arm64/kernel/fpsimd.c) ---------------------------------------------------

  hostSwitch(cpu: number, prev: number, next: number): void {
    fpsimd_thread_switch(this.a, cpu, prev, next);
  }

  hostUse(cpu: number, thread: number, unit: number): boolean {
    return fpsimd_restore_current_state(this.a, cpu, thread, unit);
  }

  hostSlice(_thread: number, _unit: number, reg: number): number {
    return packSlice(reg * Z_STRIDE, 16);
  }

  /** kernel_neon_begin, the kernel's NEON code (it overwrites V0–V31), kernel_neon_end. */
  kernelFpu(cpu: number): boolean {
    kernel_neon_begin(this.a, cpu);
    const hw = this.a.hw(cpu);
    scribble(hw, Z_STRIDE, 32, 16);
    zeroZUpper(hw);
    this.a.host.loaded(cpu, -1, this.a.units);
    kernel_neon_end(this.a);
    return true;
  }

  // ---- userspace: KVM_GET_ONE_REG / KVM_SET_ONE_REG -------------------------------------------

  userRead(vi: number, unit: number, reg: number, out: Uint8Array): number {
    return kvm_arm_get_reg(this.a, vi, unit, reg, out);
  }

  userWrite(vi: number, unit: number, reg: number, src: Uint8Array): boolean {
    return kvm_arm_set_reg(this.a, vi, unit, reg, src);
  }

  inspect(): Record<string, unknown> {
    return inspectArm64(this.a);
  }
}
