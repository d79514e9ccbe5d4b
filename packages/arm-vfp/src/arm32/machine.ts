/**
 * 32-bit KVM/ARM (ARMv7 with the Virtualization Extensions): the core Machine hooks mapped onto
 * the kernel's routines. Variant armv7-2013 follows interrupts.S / interrupts_head.S (A32-asm),
 * armv7-c follows hyp/switch.c, hyp/entry.S and hyp/vfp.S (A32-C). The routines live in arm.ts,
 * hyp-switch.ts, interrupts.ts, handle-exit.ts, vfpmodule.ts and coproc.ts, the hardware's
 * checks in guest-access.ts, policy-only paths in policy-paths.ts.
 */
import {
  type ExitRow,
  type Machine,
  type MachineHost,
  NO_EXIT,
  packSlice,
  type Resume,
  takeExit,
  type UnitMask,
  writeU32,
} from '@vfpu/core';
import { scribble } from '../kernel-neon.js';
import type { ArmOptions } from '../options.js';
import { VFP_FPEXC } from '../regs.js';
import { kvm_arch_vcpu_load, kvm_arch_vcpu_put } from './arm.js';
import {
  bankSlice,
  checkedControl,
  controlRegSlice,
  fpRegSlice,
  vfp_get_reg,
  vfp_set_reg,
} from './coproc.js';
import { guestAccess, guestEnabled } from './guest-access.js';
import { armExitHandlers } from './handle-exit.js';
import { __kvm_vcpu_return, __kvm_vcpu_run } from './hyp-switch.js';
import { inspectArm32 } from './inspect.js';
import { guest_trap } from './interrupts.js';
import { giveBack, policyLoad } from './policy-paths.js';
import { Arm32, type Cpu, type Vcpu } from './state.js';
import {
  kernel_neon_begin,
  kernel_neon_end,
  vfp_notifier,
  vfp_support_entry,
} from './vfpmodule.js';

export class Arm32Machine implements Machine {
  private readonly a: Arm32;
  /** handle_exit by exit reason. */
  private readonly exits: readonly ExitRow[];

  constructor(host: MachineHost, o: ArmOptions) {
    this.a = new Arm32(host, o);
    this.exits = armExitHandlers(this.a.ids);
  }

  // ---- what the guest sees ---------------------------------------------------------------------

  guestEnabled(vi: number): UnitMask {
    return guestEnabled(this.a, vi);
  }

  live(vi: number): UnitMask {
    const cpu = (this.a.vcpus[vi] as Vcpu).cpu;
    return cpu >= 0 && (this.a.cpus[cpu] as Cpu).guestBank === vi ? this.a.bank : 0;
  }

  guestAccess(vi: number, unit: number, control: number, conditionFails: boolean): number {
    return guestAccess(this.a, vi, unit, control, conditionFails);
  }

  // ---- the world switch ------------------------------------------------------------------------

  kvmRunBegin(): void {}

  vcpuLoad(vi: number, cpu: number): void {
    kvm_arch_vcpu_load(this.a, vi, cpu);
  }

  vcpuPut(vi: number): void {
    const a = this.a;
    const v = a.vcpus[vi] as Vcpu;
    kvm_arch_vcpu_put(a);
    if (a.cpus[v.cpu]?.guestBank === vi) giveBack(a, v.cpu, vi);
    v.cpu = -1;
  }

  enter(vi: number, _reentry: boolean): void {
    const v = this.a.vcpus[vi] as Vcpu;
    if (v.hypReturn)
      v.hypReturn = false; // the eret at the end of the Hyp trap handler
    else __kvm_vcpu_run(this.a, vi);
  }

  exit(vi: number, reason: number, save: boolean): Resume {
    __kvm_vcpu_return(this.a, vi, save);
    return takeExit(this.a.host, this.exits, reason);
  }

  handleTrap(vi: number, _trap: number, unit: number, _grant: UnitMask): Resume {
    return guest_trap(this.a, vi, unit);
  }

  load(vi: number, _units: UnitMask): void {
    policyLoad(this.a, vi);
  }

  guestWrite(vi: number, reg: number, _hasValue: boolean, value: number): Resume | typeof NO_EXIT {
    // a VMSR: the engine ran the HCPTR trap and resolved the value
    const cpu = (this.a.vcpus[vi] as Vcpu).cpu;
    writeU32(this.a.hw(cpu), VFP_FPEXC + 4 * reg, value);
    return NO_EXIT;
  }

  slice(_vi: number, unit: number, reg: number): number {
    return bankSlice(unit, reg);
  }

  /** fpexc, fpscr, fpinst, fpinst2 follow fpregs[32] in struct vfp_hard_struct. */
  controlSlice(reg: number): number {
    return packSlice(VFP_FPEXC + 4 * reg, 4);
  }

  // ---- the host's lazy VFP ---------------------------------------------------------------------

  hostSwitch(cpu: number, _prev: number, next: number): void {
    vfp_notifier(this.a, cpu, next);
  }

  hostUse(cpu: number, thread: number, unit: number): boolean {
    return vfp_support_entry(this.a, cpu, thread, unit);
  }

  hostSlice(_thread: number, unit: number, reg: number): number {
    return bankSlice(unit, reg);
  }

  /** kernel_neon_begin, the kernel's NEON code (it overwrites the bank), kernel_neon_end. */
  kernelFpu(cpu: number): boolean {
    const a = this.a;
    const c = a.cpus[cpu] as Cpu;
    if (c.guestBank >= 0) giveBack(a, cpu, c.guestBank);
    kernel_neon_begin(a, cpu);
    const used = a.o.d32 ? 256 : 128;
    scribble(a.hw(cpu), used, 1, used);
    c.hwCtx = -1;
    a.host.loaded(cpu, -1, a.bank);
    kernel_neon_end(a, cpu);
    return true;
  }

  // ---- userspace: KVM_GET_ONE_REG / KVM_SET_ONE_REG --------------------------------------------

  userRead(vi: number, unit: number, reg: number, out: Uint8Array): number {
    return vfp_get_reg(this.a, vi, fpRegSlice(this.a, unit, reg), out);
  }

  userWrite(vi: number, unit: number, reg: number, src: Uint8Array): boolean {
    return vfp_set_reg(this.a, vi, fpRegSlice(this.a, unit, reg), src);
  }

  userGetRegister(vi: number, handle: number, out: Uint8Array): number {
    const p = vfp_get_reg(this.a, vi, controlRegSlice(this.a, handle), out);
    return p < 0 ? -1 : checkedControl(this.a, vi, p);
  }

  userRegisterSlice(_vi: number, handle: number): number {
    return controlRegSlice(this.a, handle);
  }

  userSetRegister(vi: number, handle: number, src: Uint8Array): boolean {
    return vfp_set_reg(this.a, vi, controlRegSlice(this.a, handle), src);
  }

  inspect(): Record<string, unknown> {
    return inspectArm32(this.a);
  }
}
