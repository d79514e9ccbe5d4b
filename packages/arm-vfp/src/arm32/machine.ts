/**
 * 32-bit KVM/ARM (ARMv7 with the Virtualization Extensions): the core Machine hooks mapped onto
 * the kernel's routines, and what the hardware checks on each guest access. Variant armv7-2013
 * follows interrupts.S / interrupts_head.S (A32-asm), armv7-c follows hyp/switch.c, hyp/entry.S
 * and hyp/vfp.S (A32-C). The routines live in arm.ts, hyp-switch.ts, interrupts.ts,
 * handle-exit.ts, vfpmodule.ts and coproc.ts; policy-only paths in policy-paths.ts.
 */
import {
  type ExitRow,
  type Machine,
  type MachineHost,
  NO_EXIT,
  packSlice,
  type Resume,
  readU32,
  takeExit,
  type UnitMask,
  writeU32,
} from '@vfpu/core';
import { scribble } from '../kernel-neon.js';
import type { ArmOptions } from '../options.js';
import { CREG_FPEXC, FPEXC_EN, hex, VFP_FPEXC, VFP_FPSCR } from '../regs.js';
import { kvm_arch_vcpu_load, kvm_arch_vcpu_put } from './arm.js';
import {
  bankSlice,
  checkedControl,
  controlRegSlice,
  fpRegSlice,
  vfp_get_reg,
  vfp_set_reg,
} from './coproc.js';
import { armExitHandlers } from './handle-exit.js';
import { __kvm_vcpu_return, __kvm_vcpu_run } from './hyp-switch.js';
import { guest_trap } from './interrupts.js';
import { giveBack, policyLoad } from './policy-paths.js';
import {
  Arm32,
  type Cpu,
  GUEST_UNDEF,
  NOT_EXECUTED,
  type Thread,
  TRAP_CP_0_13,
  UNIT_VFP,
  type Vcpu,
} from './state.js';
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
    const a = this.a;
    const v = a.vcpus[vi] as Vcpu;
    const live = v.cpu >= 0 && (a.cpus[v.cpu] as Cpu).guestBank === vi;
    const fpexc = live ? a.fpexc(v.cpu) : readU32(v.vfp_guest, VFP_FPEXC);
    return fpexc & FPEXC_EN ? a.bank : 0;
  }

  live(vi: number): UnitMask {
    const cpu = (this.a.vcpus[vi] as Vcpu).cpu;
    return cpu >= 0 && (this.a.cpus[cpu] as Cpu).guestBank === vi ? this.a.bank : 0;
  }

  /**
   * The hardware's checks for a guest VFP/NEON instruction: D16 has no d16–d31 and no NEON; with
   * TCP10/TCP11 set the access traps to Hyp (EC 0x07), because KVM forced the hardware FPEXC.EN on;
   * with the guest's bank loaded its own FPEXC.EN decides (the guest kernel's lazy VFP).
   */
  guestAccess(vi: number, unit: number, control: number, conditionFails: boolean): number {
    const a = this.a;
    const t = a.t;
    const v = a.vcpus[vi] as Vcpu;
    if (v.pendingUndef) {
      v.pendingUndef = false;
      return this.guestUndef('UNDEF injected by KVM: the guest enters UND mode at its vector + 4');
    }
    if (v.pendingSkip) {
      v.pendingSkip = false;
      if (t.on) t.line(0, 'the instruction was skipped (PC advanced): it does not execute');
      return NOT_EXECUTED;
    }
    if (!a.o.d32 && unit !== UNIT_VFP)
      return this.guestUndef('D16 hardware (MVFR0.A_SIMD = 1): no d16–d31, no Advanced SIMD');
    const enabled = control === CREG_FPEXC || (a.fpexc(v.cpu) & FPEXC_EN) !== 0;
    if ((a.cpus[v.cpu] as Cpu).guestBank === vi) {
      if (!enabled) return this.guestUndef("the guest's FPEXC.EN = 0: its own lazy VFP trap");
      if (conditionFails) {
        if (t.on) t.line(0, 'the condition fails: the instruction executes as a NOP');
        return NOT_EXECUTED;
      }
      return 0;
    }
    if (!a.switchesFpexc && !enabled) {
      // no CONFIG_VFPv3: the host FPEXC is left as it was; with EN = 0 the instruction is
      // UNDEFINED at guest PL1 before any Hyp trap
      return this.guestUndef('the host FPEXC.EN = 0 (not forced without CONFIG_VFPv3)');
    }
    a.conditionFails = conditionFails;
    return TRAP_CP_0_13;
  }

  private guestUndef(why: string): number {
    this.a.host.count(this.a.ids.guestUndef);
    if (this.a.t.on) this.a.t.line(0, `guest exception: Undefined Instruction (${why}); no exit`);
    return GUEST_UNDEF;
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
    const a = this.a;
    const h = a.host;
    const name = (c: number) => (c >= 0 ? h.contextName(c) : null);
    const threads: Record<string, unknown> = {};
    for (let c = h.vcpus; c < h.contexts; c++) {
      const cpu = (a.threads[c] as Thread).cpu;
      // vfp_hard_struct.cpu exists under CONFIG_SMP only
      threads[h.contextName(c)] = a.o.smp ? { 'hard.cpu': cpu >= 0 ? cpu : 'NR_CPUS' } : {};
    }
    return {
      vcpus: a.vcpus.map((v) => ({
        cpu: v.cpu,
        'vfp_guest.fpexc': hex(readU32(v.vfp_guest, VFP_FPEXC)),
        'vfp_guest.fpscr': hex(readU32(v.vfp_guest, VFP_FPSCR)),
      })),
      cpus: a.cpus.map((c, i) => ({
        HCPTR: hex(c.hcptr),
        FPEXC: hex(a.fpexc(i)),
        guest_bank: name(c.guestBank),
        vfp_current_hw_state: name(c.vfp_current_hw_state),
      })),
      threads,
    };
  }
}
