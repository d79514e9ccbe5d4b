/**
 * arm64 KVM: the core Machine hooks mapped onto the kernel's routines. Variant arm64-e4 follows
 * v6.0–v6.13 (the host is saved in the trap handler), arm64-e5 v6.14+ (the host is saved and
 * flushed at vcpu_load). The routines live in fpsimd.ts, switch.ts, hyp-fpsimd.ts,
 * host-fpsimd.ts, handle-exit.ts and guest.ts, the hardware's checks in guest-access.ts,
 * policy-only paths in policy-paths.ts.
 */
import type {
  AccessResult,
  ControlWrites,
  GuestWriteResult,
  Machine,
  MachineHost,
  MachineIds,
  Resume,
  Slice,
  UnitMask,
  VariantSpec,
} from '@vfpu/core';
import { WRITE_USE_EXITS_SHIFT } from '@vfpu/core';
import {
  type ExitRow,
  idOf,
  NO_EXIT,
  RESUME_GUEST,
  readU32,
  takeExit,
  writeU32,
} from '@vfpu/core/backend-utils';
import { scribble } from '../kernel-neon.js';
import type { ArmOptions } from '../options.js';
import { CPACR_EL1_FPEN, CPACR_EL1_ZEN, controlOffsets, Z_STRIDE } from '../regs.js';
import {
  kvm_arch_vcpu_ctxflush_fp,
  kvm_arch_vcpu_ctxsync_fp,
  kvm_arch_vcpu_load_fp,
  kvm_arch_vcpu_put_fp,
} from './fpsimd.js';
import { fpRegSlice, kvm_arm_get_reg, kvm_arm_set_reg } from './guest.js';
import { enabledBy, guestAccess, guestEnabled } from './guest-access.js';
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
  /** handle_exit by exit-reason id. */
  private readonly exits: readonly ExitRow[];
  /** The guest's CPACR_EL1 (its own enables, no unit); FPCR / FPSR offsets by control-register id. */
  private readonly cpacrReg: number;
  private readonly controlOffset: Int32Array;
  /** controlWrites(): the same for every vCPU of the run. */
  private readonly control: ControlWrites;

  constructor(host: MachineHost, o: ArmOptions, variant: VariantSpec, ids: MachineIds) {
    this.a = new Arm64(host, o, ids);
    this.exits = armExitHandlers(this.a.ids, ids.exitReasons);
    this.cpacrReg = idOf(ids.controlRegisters, 'CPACR_EL1');
    this.controlOffset = controlOffsets(variant, ids);
    const { sve, aarch32, vhe } = o;
    const e5sve = !this.a.e4 && sve ? 2 : 0;
    this.control = Object.freeze({
      load: 1 + (sve ? 2 : 0) + (aarch32 ? 1 : 0),
      trap: 0,
      writeLoad: 0,
      entryLive: e5sve,
      entryIdle: aarch32 ? 1 : 0,
      exitLive: e5sve,
      putLive: this.a.e4 && sve ? (vhe ? 1 : 2) : 0,
    });
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

  guestAccess(vi: number, unit: number): AccessResult {
    return guestAccess(this.a, vi, unit);
  }

  /**
   * Every load is the vCPU's whole state: kvm_hyp_handle_fpsimd restores SVE whenever the vCPU
   * has it (`sve_guest = vcpu_has_sve(vcpu)` → __hyp_sve_restore_guest), whether the trap was
   * FP/ASIMD or SVE and whatever the guest's CPACR_EL1.ZEN, and fp_owner = GUEST_OWNED then
   * opens FPEN and ZEN alike (__activate_cptr_traps); a policy's load takes that path
   * (policy-paths.ts policyLoad → hypLoadGuest).
   */
  alsoLoads(_vi: number, unit: number): UnitMask {
    return (this.a.units >>> unit) & 1 ? this.a.units : 0;
  }

  /**
   * The control writes that differ between plans (switch.ts, fpsimd.ts): each load is
   * hypLoadGuest's cpacr_clear_set, with SVE __hyp_sve_restore_guest's ZCR_EL2 and ZCR_EL1, with
   * AArch32 FPEXC32_EL2; an entry with nothing guest-owned sets FPEXC32_EL2 for an AArch32 guest
   * (__activate_traps_fpsimd32), one with it owned (v6.14+, SVE) switches ZCR to the guest's
   * (fpsimd_lazy_switch_to_guest), as an exit leaving it owned switches it back
   * (fpsimd_lazy_switch_to_host); kvm_arch_vcpu_put_fp with it owned (v6.0–v6.13, SVE) stores
   * ZCR_EL1, and on nVHE resets ZCR_EL2. A policy's save at an exit writes none of these.
   */
  controlWrites(): ControlWrites {
    return this.control;
  }

  /** SVE on a vCPU without it, which the guest's CPACR_EL1 enables: CPTR_EL2.TZ traps to EL2. */
  disabledUseExits(vi: number, unit: number): boolean {
    return unit === this.a.unitSve && this.sveUseExits((this.a.vcpus[vi] as Vcpu).cpacr);
  }

  private sveUseExits(c: number): boolean {
    return (c & CPACR_EL1_ZEN) === CPACR_EL1_ZEN && (c & CPACR_EL1_FPEN) === CPACR_EL1_FPEN;
  }

  // ---- vcpu_load / put, the run loop (arch/arm64/kvm/arm.c) ------------------------------------

  /** kvm_arch_vcpu_load: kvm_arch_vcpu_load_fp is its FP work. */
  kvm_arch_vcpu_load(vi: number, cpu: number): void {
    (this.a.vcpus[vi] as Vcpu).cpu = cpu;
    (this.a.cpus[cpu] as Cpu).vcpu = vi;
    kvm_arch_vcpu_load_fp(this.a, cpu);
  }

  /**
   * kvm_arch_vcpu_ioctl_run before its loop: the MMIO completion, vcpu_load, the signal mask
   * (kvm_arch_vcpu_run_pid_change only maps the task's FP state for hyp); no FP state moves.
   */
  kvmRunBegin(): void {}

  /**
   * kvm_arch_vcpu_ioctl_run after its loop: kvm_timer_update_run / kvm_pmu_update_run, the
   * signal mask, the pending PC adjustment, then vcpu_put; no FP work of its own.
   */
  kvmRunEnd(): void {}

  /** kvm_arch_vcpu_put: kvm_arch_vcpu_put_fp is its FP work. */
  kvm_arch_vcpu_put(vi: number): void {
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

  /**
   * kvm_hyp_handle_fpsimd for the trap the hardware check latched (its ESR_EL2 class); the
   * whole state loads whatever the grant; a declined trap is a full exit into handle_sve.
   */
  handleTrap(vi: number, _unit: number, _grant: UnitMask): Resume {
    if (!kvm_hyp_handle_fpsimd(this.a, vi)) {
      this.worldExit(vi, false);
      handle_sve(this.a, vi);
    }
    return RESUME_GUEST;
  }

  load(vi: number, _units: UnitMask): void {
    policyLoad(this.a, (this.a.vcpus[vi] as Vcpu).cpu, vi);
  }

  /** The guest's CPACR_EL1; FPCR / FPSR from the registers (core reads those itself). */
  guestRead(vi: number, reg: number): number {
    const v = this.a.vcpus[vi] as Vcpu;
    if (reg === this.cpacrReg) return v.cpacr;
    return readU32(this.a.hw(v.cpu), this.controlOffset[reg] as number);
  }

  /** A guest MSR: CPACR_EL1 (its own enables), or FPCR / FPSR in the registers; no exit. */
  guestWrite(vi: number, reg: number, value: number): GuestWriteResult {
    const v = this.a.vcpus[vi] as Vcpu;
    if (reg === this.cpacrReg) v.cpacr = value >>> 0;
    else writeU32(this.a.hw(v.cpu), this.controlOffset[reg] as number, value);
    return NO_EXIT;
  }

  /**
   * The guest's CPACR_EL1 is its own EL1 register: KVM traps its accesses (CPTR_EL2.TCPAC) only
   * for a nested guest hypervisor (`__activate_traps`, arch/arm64/kvm/hyp/vhe/switch.c), so a write
   * changes the guest's enables without an exit (guestWrite above). The other non-unit registers
   * enable nothing.
   */
  /** guest-access.ts guestAccess: the guest's own CPACR_EL1 traps first; KVM sees nothing. */
  readonly disabledUseLoads = false;

  guestWriteEffect(_vi: number, _reg: number, values: Uint32Array): number {
    const c = values[this.cpacrReg] as number;
    const sve =
      this.a.unitSve >= 0 && this.sveUseExits(c) ? this.a.sveBit << WRITE_USE_EXITS_SHIFT : 0;
    return enabledBy(this.a, c) | sve;
  }

  slice(_vi: number, unit: number, reg: number): Slice {
    return fpRegSlice(this.a, unit, reg);
  }

  /** A trap handled in Hyp / at EL2 returns by ERET: the host never runs before the re-entry. */
  reentryPreemptible(vi: number): boolean {
    return !(this.a.vcpus[vi] as Vcpu).hypReturn;
  }

  inspect(): Record<string, unknown> {
    return inspectArm64(this.a);
  }

  // ---- the host (arch/arm64/kernel/fpsimd.c) ---------------------------------------------------

  readonly hostThreads = {
    hostSwitch: (cpu: number, prev: number | null, next: number | null): void => {
      fpsimd_thread_switch(this.a, cpu, prev ?? -1, next ?? -1);
    },
    hostUse: (cpu: number, thread: number, unit: number): boolean =>
      fpsimd_restore_current_state(this.a, cpu, thread, unit),
    /** A host task's V(n) (host tasks' SVE state is not modelled). */
    hostSlice: (_thread: number, _unit: number, reg: number): Slice =>
      fpRegSlice(this.a, this.a.unitFpsimd, reg),
    /** kernel_neon_begin, the kernel's NEON code (it overwrites V0–V31), kernel_neon_end. */
    kernelFpu: (cpu: number): boolean => {
      kernel_neon_begin(this.a, cpu);
      const hw = this.a.hw(cpu);
      scribble(hw, Z_STRIDE, 32, 16);
      zeroZUpper(hw);
      this.a.host.loaded(cpu, null, this.a.units);
      kernel_neon_end(this.a);
      return true;
    },
  };

  // ---- userspace: KVM_GET_ONE_REG / KVM_SET_ONE_REG -------------------------------------------

  readonly uapi = {
    userRead: (vi: number, unit: number, reg: number, out: Uint8Array): Slice | null =>
      kvm_arm_get_reg(this.a, vi, unit, reg, out),
    userWrite: (vi: number, unit: number, reg: number, src: Uint8Array): boolean =>
      kvm_arm_set_reg(this.a, vi, unit, reg, src),
  };
}
