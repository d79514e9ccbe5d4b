/**
 * The MIPS VZ machine: the core Machine hooks, each mapped onto the kernel routine that runs for
 * it (mips.ts, vz.ts, mmu.ts, entry.ts, host-fpu.ts, one-reg.ts), the hardware's checks
 * (hardware.ts), the exit switch (exits.ts) or a path only a non-kvm policy takes
 * (policy-paths.ts).
 */
import type { Machine, MachineHost, NO_EXIT, Resume, UnitMask } from '@vfpu/core';
import { kvm_mips_build_vcpu_run } from './entry.js';
import { type MipsExitRow, mipsExitTable, nonFpExit, trapExit } from './exits.js';
import {
  controlSlice,
  guestAccess,
  guestEnabled,
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
import { UNIT_FPU, UNIT_MSA } from './regs.js';
import { type MipsOptions, MipsVz, type Vcpu } from './state.js';

/** A unit's registers through ONE_REG: FPR_64(n), VEC_128(n), Loongson VEC_256(n). */
function unitHandle(unit: number, reg: number): number {
  const kind = unit === UNIT_FPU ? FPR_64 : unit === UNIT_MSA ? VEC_128 : VEC_256;
  return kind * 32 + reg;
}

export class MipsVzMachine implements Machine {
  private readonly m: MipsVz;
  private readonly exits: readonly MipsExitRow[];
  constructor(host: MachineHost, options: MipsOptions, contexts: number) {
    this.m = new MipsVz(host, options, contexts);
    this.exits = mipsExitTable(this.m);
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

  kvmRunBegin(vi: number, cpu: number): void {
    kvm_arch_vcpu_ioctl_run(this.m, vi, cpu);
  }

  vcpuLoad(vi: number, cpu: number): void {
    kvm_arch_vcpu_load(this.m, vi, cpu);
  }

  vcpuPut(vi: number): void {
    kvm_arch_vcpu_put(this.m, vi);
  }

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
    if (save) policySave(this.m, vi, true);
    return resume;
  }

  guestAccess(vi: number, unit: number): number {
    return guestAccess(this.m, this.vcpu(vi), unit);
  }

  handleTrap(vi: number, trap: number, _unit: number, grant: UnitMask): Resume {
    return trapExit(this.m, vi, trap, grant);
  }

  /** A policy's preload (not a kernel path): own the widest unit, then restore the CSRs as re-entry would. */
  load(vi: number, units: UnitMask): void {
    policyLoad(this.m, vi, units);
  }

  /** A policy's save (not a kernel path on MIPS): kvm_lose_fpu. */
  save(vi: number): void {
    policySave(this.m, vi, false);
  }

  guestWrite(
    vi: number,
    reg: number,
    hasValue: boolean,
    value: number,
    set: number,
    clear: number,
  ): Resume | typeof NO_EXIT {
    return guestWrite(this.m, vi, reg, hasValue, value, set, clear);
  }

  slice(vi: number, unit: number, reg: number): number {
    return guestSlice(this.m, this.vcpu(vi), unit, reg);
  }

  controlSlice(reg: number): number {
    return controlSlice(this.m, reg);
  }

  hostSwitch(cpu: number, prev: number, _next: number): void {
    // asm/switch_to.h switch_to: lose_fpu_inatomic(1, prev); nothing is restored for next (lazy)
    if (prev >= 0) lose_fpu_inatomic(this.m, cpu, prev, 1);
  }

  hostUse(cpu: number, thread: number, unit: number): boolean {
    return hostAccess(this.m, cpu, thread, unit !== UNIT_FPU);
  }

  hostSlice(_thread: number, unit: number, reg: number): number {
    return hostSlice(this.m, unit, reg);
  }

  kernelFpu(_cpu: number): boolean {
    return false;
  }

  userRead(vi: number, unit: number, reg: number, out: Uint8Array): number {
    return kvm_mips_get_reg(this.m, vi, unitHandle(unit, reg), out);
  }

  userWrite(vi: number, unit: number, reg: number, src: Uint8Array): boolean {
    return kvm_mips_set_reg(this.m, vi, unitHandle(unit, reg), src);
  }

  userGetRegister(vi: number, handle: number, out: Uint8Array): number {
    return kvm_mips_get_reg(this.m, vi, handle, out);
  }

  userRegisterSlice(vi: number, handle: number): number {
    return setSlice(this.m, vi, handle);
  }

  userSetRegister(vi: number, handle: number, src: Uint8Array): boolean {
    return kvm_mips_set_reg(this.m, vi, handle, src);
  }

  inspect(): Record<string, unknown> {
    return inspectMips(this.m);
  }
}
