/**
 * 32-bit KVM/ARM (ARMv7 with the Virtualization Extensions): the core Machine hooks mapped onto
 * the kernel's routines. Variant armv7-2013 follows interrupts.S / interrupts_head.S (A32-asm),
 * armv7-c follows hyp/switch.c, hyp/entry.S and hyp/vfp.S (A32-C). The routines live in arm.ts,
 * hyp-switch.ts, interrupts.ts, handle-exit.ts, emulate.ts, vfpmodule.ts and coproc.ts, the
 * hardware's checks in guest-access.ts, policy-only paths in policy-paths.ts.
 */
import type {
  AccessResult,
  GuestWriteResult,
  Machine,
  MachineHost,
  MachineIds,
  Resume,
  Slice,
  UnitMask,
  VariantSpec,
} from '@vfpu/core';
import { type ExitRow, NO_EXIT, readU32, takeExit, writeU32 } from '@vfpu/core/backend-utils';
import { scribble } from '../kernel-neon.js';
import type { ArmOptions } from '../options.js';
import { kvm_arch_vcpu_load, kvm_arch_vcpu_put } from './arm.js';
import {
  bankSlice,
  checkedControl,
  controlRegSlice,
  fpRegSlice,
  instBit,
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
  /** handle_exit by exit-reason id. */
  private readonly exits: readonly ExitRow[];

  constructor(host: MachineHost, o: ArmOptions, variant: VariantSpec, ids: MachineIds) {
    this.a = new Arm32(host, o, variant, ids);
    this.exits = armExitHandlers(this.a.ids, ids.exitReasons);
  }

  // ---- what the guest sees ---------------------------------------------------------------------

  guestEnabled(vi: number): UnitMask {
    return guestEnabled(this.a, vi);
  }

  live(vi: number): UnitMask {
    return this.a.bankLive(vi);
  }

  /**
   * A load before an entry (policy-paths.ts policyLoad: switch_to_guest_vfp, TCP10/11 cleared)
   * restores the whole bank, the guest's FPEXC with it, whatever its FPEXC.EN: with EN = 0 the
   * guest's next VFP instruction is its own Undefined, and its VMSR FPEXC runs without the HCPTR
   * trap (no load without VFPv3: see policyLoad).
   */
  preloadReach(): UnitMask {
    return this.a.o.vfpv3 ? this.a.bank : 0;
  }

  guestAccess(
    vi: number,
    unit: number,
    control: number | null,
    conditionFails: boolean,
  ): AccessResult {
    return guestAccess(this.a, vi, unit, control, conditionFails);
  }

  // ---- the world switch ------------------------------------------------------------------------

  kvm_arch_vcpu_load(vi: number, cpu: number): void {
    kvm_arch_vcpu_load(this.a, vi, cpu);
  }

  kvm_arch_vcpu_put(vi: number): void {
    const a = this.a;
    const v = a.vcpus[vi] as Vcpu;
    kvm_arch_vcpu_put(a);
    if (a.cpus[v.cpu]?.guestBank === vi) giveBack(a, v.cpu, vi);
    v.cpu = -1;
  }

  /**
   * arm.c kvm_arch_vcpu_ioctl_run (v3.9–v5.6): before its loop, kvm_vcpu_first_run_init, the
   * MMIO completion and the signal mask; no VFP work (the switch is all in __kvm_vcpu_run).
   */
  kvmRunBegin(): void {}

  /** kvm_arch_vcpu_ioctl_run after its loop: the signal mask restored; no VFP work. */
  kvmRunEnd(): void {}

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

  /** The HCPTR trap the hardware check latched (one kind: EC 0x07); the bank loads whole. */
  handleTrap(vi: number, _unit: number, _grant: UnitMask): Resume {
    return guest_trap(this.a, vi);
  }

  load(vi: number, _units: UnitMask): void {
    policyLoad(this.a, vi);
  }

  /** FPEXC, FPSCR, FPINST, FPINST2: live in the registers, or in vfp_guest. */
  guestRead(vi: number, reg: number): number {
    const a = this.a;
    const v = a.vcpus[vi] as Vcpu;
    const off = a.controlOffset[reg] as number;
    return a.bankLive(vi) !== 0 ? readU32(a.hw(v.cpu), off) : readU32(v.vfp_guest, off);
  }

  /** A VMSR: core ran the HCPTR trap and resolved the value. */
  guestWrite(vi: number, reg: number, value: number): GuestWriteResult {
    const a = this.a;
    const v = a.vcpus[vi] as Vcpu;
    const off = a.controlOffset[reg] as number;
    writeU32(a.hw(v.cpu), off, value);
    v.inst |= instBit(off);
    return NO_EXIT;
  }

  slice(_vi: number, unit: number, reg: number): Slice {
    return bankSlice(this.a, unit, reg);
  }

  /** A trap handled in Hyp / at EL2 returns by ERET: the host never runs before the re-entry. */
  reentryPreemptible(vi: number): boolean {
    return !(this.a.vcpus[vi] as Vcpu).hypReturn;
  }

  inspect(): Record<string, unknown> {
    return inspectArm32(this.a);
  }

  // ---- the host's lazy VFP ---------------------------------------------------------------------

  readonly hostThreads = {
    hostSwitch: (cpu: number, _prev: number | null, next: number | null): void => {
      vfp_notifier(this.a, cpu, next ?? -1);
    },
    hostUse: (cpu: number, thread: number, unit: number): boolean =>
      vfp_support_entry(this.a, cpu, thread, unit),
    hostSlice: (_thread: number, unit: number, reg: number): Slice => bankSlice(this.a, unit, reg),
    /** kernel_neon_begin, the kernel's NEON code (it overwrites the bank), kernel_neon_end. */
    kernelFpu: (cpu: number): boolean => {
      const a = this.a;
      if (!a.o.vfpv3) {
        // arch/arm/Kconfig: KERNEL_MODE_NEON depends on NEON, NEON on VFPv3
        a.host.warn(
          'kernel-fpu without CONFIG_VFPv3: there is no CONFIG_KERNEL_MODE_NEON (it depends on NEON, which depends on VFPv3), so no kernel_neon_begin; the kernel runs its non-NEON code and the registers are untouched',
        );
        return false;
      }
      const c = a.cpus[cpu] as Cpu;
      if (c.guestBank >= 0) giveBack(a, cpu, c.guestBank);
      kernel_neon_begin(a, cpu);
      const used = a.o.d32 ? 256 : 128;
      scribble(a.hw(cpu), used, 1, used);
      c.hwCtx = -1;
      a.host.loaded(cpu, null, a.bank);
      kernel_neon_end(a, cpu);
      return true;
    },
  };

  // ---- userspace: KVM_GET_ONE_REG / KVM_SET_ONE_REG --------------------------------------------

  readonly uapi = {
    userRead: (vi: number, unit: number, reg: number, out: Uint8Array): Slice | null =>
      vfp_get_reg(this.a, vi, fpRegSlice(this.a, unit, reg), out),
    userWrite: (vi: number, unit: number, reg: number, src: Uint8Array): boolean =>
      vfp_set_reg(this.a, vi, fpRegSlice(this.a, unit, reg), src),
  };

  readonly userRegisters = {
    getRegister: (vi: number, handle: number, out: Uint8Array): Slice | null => {
      const p = vfp_get_reg(this.a, vi, controlRegSlice(this.a, handle), out);
      return p === null ? null : checkedControl(this.a, vi, p);
    },
    registerSlice: (_vi: number, handle: number): Slice | null => controlRegSlice(this.a, handle),
    setRegister: (vi: number, handle: number, src: Uint8Array): boolean =>
      vfp_set_reg(this.a, vi, controlRegSlice(this.a, handle), src),
  };
}
