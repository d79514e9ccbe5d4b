/**
 * The MIPS VZ machine: the core Machine hooks, each mapped onto the kernel routine that runs for
 * it (mips.ts, vz.ts, mmu.ts, entry.ts, host-fpu.ts, one-reg.ts), the hardware's checks
 * (hardware.ts), the exit switch (exits.ts) or a path only a non-kvm policy takes
 * (policy-paths.ts).
 */
import type {
  AccessResult,
  GuestWriteResult,
  Machine,
  MachineHostThreads,
  MachineInit,
  MachineUapi,
  MachineUserRegisters,
  Resume,
  Slice,
  UnitMask,
} from '@vfpu/core';
import { kvm_mips_build_vcpu_run } from './entry.js';
import { type MipsExitRow, mipsExitTable, nonFpExit, trapExit } from './exits.js';
import {
  guestAccess,
  guestEnabled,
  guestRead,
  guestSlice,
  guestWrite,
  hostSlice,
  liveUnits,
} from './hardware.js';
import { hostAccess, lose_fpu_inatomic } from './host-fpu.js';
import { inspectMips } from './inspect.js';
import { kvm_arch_vcpu_ioctl_run, restoreCsrsForEntry } from './mips.js';
import { kvm_arch_vcpu_load, kvm_arch_vcpu_put } from './mmu.js';
import {
  FPR_64,
  kvm_mips_get_reg,
  kvm_mips_set_reg,
  setSlice,
  VEC_128,
  VEC_256,
} from './one-reg.js';
import { policyLoad, policySave } from './policy-paths.js';
import { MIPS_CONF_LASXEN } from './regs.js';
import { type MipsOptions, MipsVz, type Vcpu } from './state.js';
import { guestWriteEffect } from './write-effect.js';

export class MipsVzMachine implements Machine {
  private readonly m: MipsVz;
  private readonly exits: readonly MipsExitRow[];
  /** By unit id: the ONE_REG handle of its register 0 (FPR_64, VEC_128, Loongson VEC_256). */
  private readonly unitHandle: Int32Array;

  constructor({ host, ids }: MachineInit, options: MipsOptions) {
    const m = new MipsVz(host, options, ids);
    this.m = m;
    this.exits = mipsExitTable(m);
    this.unitHandle = new Int32Array(Object.keys(ids.units).length);
    this.unitHandle[m.ids.fpu] = FPR_64 * 32;
    this.unitHandle[m.ids.msa] = VEC_128 * 32;
    if (m.ids.lasx >= 0) this.unitHandle[m.ids.lasx] = VEC_256 * 32;
  }

  private vcpu(vi: number): Vcpu {
    return this.m.vcpus[vi] as Vcpu;
  }

  guestEnabled(vi: number): UnitMask {
    return guestEnabled(this.m, this.vcpu(vi));
  }

  live(vi: number): UnitMask {
    return liveUnits(this.m, this.vcpu(vi));
  }

  /** LS kvm_own_msa's tail: with the guest's Config.LASXEn, owning MSA restores LASX too. */
  alsoLoads(vi: number, unit: number): UnitMask {
    const ids = this.m.ids;
    return unit === ids.msa && this.m.o.cpuHasLasx && this.vcpu(vi).config & MIPS_CONF_LASXEN
      ? ids.LASX_BIT
      : 0;
  }

  kvm_arch_vcpu_load(vi: number, cpu: number): void {
    kvm_arch_vcpu_load(this.m, vi, cpu);
  }

  kvm_arch_vcpu_put(vi: number): void {
    kvm_arch_vcpu_put(this.m, vi);
  }

  /** mips.c kvm_arch_vcpu_ioctl_run's start: lose_fpu(1) (the policy's preload runs at entry). */
  kvmRunBegin(vi: number, cpu: number): void {
    kvm_arch_vcpu_ioctl_run(this.m, vi, cpu);
  }

  /**
   * mips.c kvm_arch_vcpu_ioctl_run's end (trace_kvm_out, guest_timing_exit_irqoff,
   * local_irq_enable, kvm_sigset_deactivate): no FP work; vcpu_put's kvm_lose_fpu saves.
   */
  kvmRunEnd(): void {}

  enter(vi: number, reentry: boolean): void {
    const m = this.m;
    if (!reentry) {
      kvm_mips_build_vcpu_run(m, vi);
      return;
    }
    // mips.c kvm_mips_handle_exit tail (RESUME_GUEST): restore FCSR / MSACSR
    if (m.trace.on) m.trace.line(0, 're-entry: kvm_mips_handle_exit tail (RESUME_GUEST)');
    restoreCsrsForEntry(m, vi, 1);
  }

  /** A non-FP exit; a policy's save runs after the handler (kvm_lose_fpu: not a kernel path here). */
  exit(vi: number, reason: number, save: boolean): Resume {
    const resume = nonFpExit(this.m, this.exits, vi, reason);
    if (save) policySave(this.m, vi);
    return resume;
  }

  guestAccess(vi: number, unit: number): AccessResult {
    return guestAccess(this.m, this.vcpu(vi), unit);
  }

  handleTrap(vi: number, _unit: number, grant: UnitMask): Resume {
    return trapExit(this.m, vi, grant);
  }

  /** A policy's preload (not a kernel path): own the widest unit, then restore the CSRs as re-entry would. */
  load(vi: number, units: UnitMask): void {
    policyLoad(this.m, vi, units);
  }

  slice(vi: number, unit: number, reg: number): Slice {
    return guestSlice(this.m, this.vcpu(vi), unit, reg);
  }

  guestRead(vi: number, reg: number): number {
    return guestRead(this.m, this.vcpu(vi), reg);
  }

  guestWrite(vi: number, reg: number, value: number): GuestWriteResult {
    return guestWrite(this.m, vi, reg, value);
  }

  guestWriteEffect(vi: number, reg: number, values: Uint32Array, old: number): number {
    return guestWriteEffect(this.m, this.vcpu(vi), reg, values, old);
  }

  inspect(): Record<string, unknown> {
    return inspectMips(this.m);
  }

  readonly hostThreads: MachineHostThreads = {
    // asm/switch_to.h switch_to: lose_fpu_inatomic(1, prev); nothing is restored for next (lazy)
    hostSwitch: (cpu: number, prev: number | null): void => {
      if (prev !== null) lose_fpu_inatomic(this.m, cpu, prev, 1);
    },
    hostUse: (cpu: number, thread: number, unit: number): boolean =>
      hostAccess(this.m, cpu, thread, unit !== this.m.ids.fpu),
    hostSlice: (_thread: number, unit: number, reg: number): Slice => hostSlice(this.m, unit, reg),
    // MIPS has no kernel-mode FP API (no kernel_fpu_begin)
    kernelFpu: (): boolean => false,
  };
  /** hostThreads.kernelFpu above: a `kernel-fpu` does nothing here. */
  readonly kernelFpuIgnored = true;

  /** KVM_GET_ONE_REG / KVM_SET_ONE_REG of a unit's registers: FPR_64(n), VEC_128(n), VEC_256(n). */
  readonly uapi: MachineUapi = {
    userRead: (vi: number, unit: number, reg: number, out: Uint8Array): Slice | null =>
      kvm_mips_get_reg(this.m, vi, (this.unitHandle[unit] as number) + reg, out),
    userWrite: (vi: number, unit: number, reg: number, src: Uint8Array): boolean =>
      kvm_mips_set_reg(this.m, vi, (this.unitHandle[unit] as number) + reg, src),
  };

  readonly userRegisters: MachineUserRegisters = {
    getRegister: (vi: number, handle: number, out: Uint8Array): Slice | null =>
      kvm_mips_get_reg(this.m, vi, handle, out),
    registerSlice: (vi: number, handle: number): Slice | null => setSlice(this.m, vi, handle),
    setRegister: (vi: number, handle: number, src: Uint8Array): boolean =>
      kvm_mips_set_reg(this.m, vi, handle, src),
  };
}
