/**
 * The MIPS VZ machine: what the hardware checks on each access, and which kernel path runs
 * for each event. The kernel routines themselves live in kvm-fpu.ts, vz-exits.ts, host-fpu.ts.
 */
import {
  EXIT_REASONS,
  type Machine,
  type MachineHost,
  NO_EXIT,
  packSlice,
  RESUME_GUEST,
  RESUME_HOST,
  type Resume,
  type UnitMask,
} from '@vfpu/core';
import { fcsrOffset, guestWriteCsr, msacsrOffset, restoreCsrsForEntry } from './csr.js';
import { hostAccess, lose_fpu_inatomic } from './host-fpu.js';
import { kvm_lose_fpu } from './kvm-fpu.js';
import {
  FPR_64,
  kvm_mips_get_reg,
  kvm_mips_set_reg,
  setSlice,
  VEC_128,
  VEC_256,
} from './one-reg.js';
import {
  CREG_CONFIG,
  CREG_CONFIG5,
  CREG_FCSR,
  CREG_MSACSR,
  CREG_STATUS,
  GSFC_STATUS_FIELDS,
  KVM_MIPS_AUX_FPU,
  KVM_MIPS_AUX_LASX,
  KVM_MIPS_AUX_MSA,
  MIPS_CONF_LASXEN,
  MIPS_CONF5_FRE,
  MIPS_CONF5_MSAEN,
  ST0_CU1,
  ST0_CU2,
  ST0_FR,
  UNIT_FPU,
  UNIT_LASX,
  UNIT_MSA,
} from './regs.js';
import { auxName, type MipsOptions, MipsVz, type Vcpu } from './state.js';
import {
  gsfcConfig,
  gsfcConfig5,
  gsfcExit,
  gsfcStatus,
  guestExit,
  handleCop2Unusable,
  handleCopUnusable,
  handleGsexcOther,
  handleLasxDisabled,
  handleMsaDisabled,
  own,
} from './vz-exits.js';

const FPU_BIT = 1 << UNIT_FPU;
const MSA_BIT = 1 << UNIT_MSA;
const LASX_BIT = 1 << UNIT_LASX;

/** Root trap ids returned by guestAccess (> 0) and guest-internal ones (< 0). */
const TRAP_CPU = 1;
const TRAP_MSADIS = 2;
const TRAP_LASXDIS = 3;
const GUEST_CPU = -1;
const GUEST_MSADIS = -2;
const GUEST_RI = -3;
const GUEST_LASXDIS = -4;

const R_MMIO = EXIT_REASONS.indexOf('mmio');
const R_IRQ = EXIT_REASONS.indexOf('irq');
const R_HLT = EXIT_REASONS.indexOf('hlt');
const R_HYPERCALL = EXIT_REASONS.indexOf('hypercall');
const R_SIGNAL = EXIT_REASONS.indexOf('signal');
/** The variants' own exit reasons (variants.ts MIPS_EXIT_REASONS, in that order). */
const R_COP2 = EXIT_REASONS.length;
const R_GSEXC = EXIT_REASONS.length + 1;

/** Bytes of one register of a unit: FPR 8, MSA vector 16, LASX vector 32. */
function unitBytes(unit: number): number {
  return unit === UNIT_FPU ? 8 : unit === UNIT_MSA ? 16 : 32;
}

export class MipsVzMachine implements Machine {
  private readonly m: MipsVz;
  constructor(host: MachineHost, options: MipsOptions, contexts: number) {
    this.m = new MipsVz(host, options, contexts);
  }

  private vcpu(vi: number): Vcpu {
    return this.m.vcpus[vi] as Vcpu;
  }

  guestEnabled(vi: number): UnitMask {
    const m = this.m;
    const v = this.vcpu(vi);
    let mask = 0;
    if (m.guestHasFpu(v) && v.status & ST0_CU1) mask |= FPU_BIT;
    if (
      m.guestHasMsa(v) &&
      v.config5 & MIPS_CONF5_MSAEN &&
      (v.status & (ST0_CU1 | ST0_FR)) !== ST0_CU1
    ) {
      mask |= MSA_BIT;
      if (m.guestHasLasx(v) && v.config & MIPS_CONF_LASXEN) mask |= LASX_BIT;
    }
    return mask;
  }

  live(vi: number): UnitMask {
    const v = this.vcpu(vi);
    const c = this.m.cpus[v.cpu];
    if (c === undefined) return 0;
    let mask = 0;
    if (v.aux & KVM_MIPS_AUX_FPU && c.status & ST0_CU1) mask |= FPU_BIT;
    if (v.aux & KVM_MIPS_AUX_MSA && c.config5 & MIPS_CONF5_MSAEN) mask |= MSA_BIT;
    if (v.aux & KVM_MIPS_AUX_LASX && c.config & MIPS_CONF_LASXEN) mask |= LASX_BIT;
    return mask;
  }

  /** mips.c kvm_arch_vcpu_ioctl_run: lose_fpu(1) saves the VMM thread's own FP state before entering. */
  kvmRunBegin(vi: number, cpu: number): void {
    const m = this.m;
    if (m.o.faults.has('skip-vmm-lose-fpu')) return;
    if (m.trace.on) m.trace.fn(0, 'kvm_arch_vcpu_ioctl_run', '— lose_fpu(1) of the VMM thread');
    lose_fpu_inatomic(m, cpu, m.host.vmmThread(vi), 1);
  }

  /** mmu.c kvm_arch_vcpu_load → vz.c kvm_vz_vcpu_load: restores gc0 and timer state, never the FPU. */
  vcpuLoad(vi: number, cpu: number): void {
    const v = this.vcpu(vi);
    v.cpu = cpu;
    (this.m.cpus[cpu] as { vcpu: number }).vcpu = vi;
    if (this.m.trace.on)
      this.m.trace.fn(0, 'kvm_arch_vcpu_load', `(cpu ${cpu}; kvm_vz_vcpu_load: no FPU state)`);
  }

  /** mmu.c kvm_arch_vcpu_put → vz.c kvm_vz_vcpu_put: kvm_lose_fpu, then the gc0 saves. */
  vcpuPut(vi: number): void {
    const m = this.m;
    const v = this.vcpu(vi);
    if (m.trace.on) m.trace.fn(0, 'kvm_arch_vcpu_put', '→ kvm_vz_vcpu_put');
    kvm_lose_fpu(m, vi, 1);
    (m.cpus[v.cpu] as { vcpu: number }).vcpu = -1;
    v.cpu = -1;
  }

  enter(vi: number, reentry: boolean): void {
    const m = this.m;
    const v = this.vcpu(vi);
    if (!reentry) {
      // entry.c kvm_mips_build_vcpu_run: root Status is written with a constant (EXL|KSU_USER|IE…): CU1=CU2=FR=0
      const c = m.cpus[v.cpu];
      if (c !== undefined && c.status & (ST0_CU1 | ST0_CU2 | ST0_FR)) {
        if (m.trace.on) m.trace.line(0, 'first entry: root Status rebuilt, CU1=CU2=FR=0');
        c.status &= ~(ST0_CU1 | ST0_CU2 | ST0_FR);
      }
      return;
    }
    // mips.c kvm_mips_handle_exit tail (RESUME_GUEST): restore FCSR / MSACSR
    if (m.trace.on) m.trace.line(0, 're-entry: kvm_mips_handle_exit tail (RESUME_GUEST)');
    restoreCsrsForEntry(m, vi, 1);
  }

  /** A non-FP exit; a policy's save runs after the handler (kvm_lose_fpu: not a kernel path here). */
  exit(vi: number, reason: number, save: boolean): Resume {
    const resume = this.handleExit(vi, reason);
    if (save) {
      if (this.m.trace.on) this.m.trace.line(0, 'policy saves at exit');
      this.save(vi);
    }
    return resume;
  }

  /** A non-FP exit, counted as kvm_mips_handle_exit and the VZ handlers count it. */
  private handleExit(vi: number, reason: number): Resume {
    const m = this.m;
    const ids = m.ids;
    const t = m.trace;
    switch (reason) {
      case R_COP2:
        return handleCop2Unusable(m, vi);
      case R_GSEXC:
        return handleGsexcOther(m, vi);
      case R_MMIO:
        // root TLB load miss on an unmapped GPA → kvm_mips_emulate_load → KVM_EXIT_MMIO
        guestExit(m, vi, 'TLB load miss (ExcCode 2)');
        if (t.on) t.line(0, '++tlbmiss_ld_exits → KVM_EXIT_MMIO');
        m.host.count(ids.tlbmiss_ld_exits);
        m.host.count(ids.KVM_EXIT_MMIO);
        return RESUME_HOST;
      case R_IRQ:
        guestExit(m, vi, 'Interrupt (ExcCode 0)');
        if (t.on) t.line(0, '++int_exits');
        m.host.count(ids.int_exits);
        return RESUME_GUEST;
      case R_HLT:
        guestExit(m, vi, 'Guest Exit GPSI (ExcCode 27, GExcCode 0: WAIT)');
        if (t.on) t.line(0, '++vz_gpsi_exits, kvm_mips_emul_wait → ++wait_exits');
        m.host.count(ids.vz_gpsi_exits);
        m.host.count(ids.wait_exits);
        return RESUME_GUEST;
      case R_HYPERCALL:
        guestExit(m, vi, 'Guest Exit HC (ExcCode 27, GExcCode 2)');
        if (t.on) t.line(0, '++vz_hc_exits');
        m.host.count(ids.vz_hc_exits);
        return RESUME_GUEST;
      case R_SIGNAL:
        guestExit(m, vi, 'Interrupt (ExcCode 0)');
        if (t.on) t.line(0, '++int_exits; signal pending → ++signal_exits, KVM_EXIT_INTR');
        m.host.count(ids.int_exits);
        m.host.count(ids.signal_exits);
        m.host.count(ids.KVM_EXIT_INTR);
        return RESUME_HOST;
      default:
        guestExit(m, vi, 'Guest Exit GPSI (ExcCode 27, GExcCode 0)');
        if (t.on) t.line(0, '++vz_gpsi_exits');
        m.host.count(ids.vz_gpsi_exits);
        return RESUME_GUEST;
    }
  }

  /**
   * The hardware's checks for a guest instruction, guest context first (its own exceptions are
   * handled inside the guest), then root: root Status.CU1 for the FPU, root Config5.MSAEn for MSA.
   */
  guestAccess(vi: number, unit: number): number {
    const m = this.m;
    const v = this.vcpu(vi);
    const c = m.cpus[v.cpu];
    const rootStatus = c?.status ?? 0;
    if (unit === UNIT_FPU) {
      if (!m.guestHasFpu(v) || !(v.status & ST0_CU1)) return this.guestTrap(GUEST_CPU);
      return rootStatus & ST0_CU1 ? 0 : TRAP_CPU;
    }
    if (unit === UNIT_LASX) {
      // Loongson: guest Config5.MSAEn and Config.LASXEn first, then root Config.LASXEn
      // (ExcCode 16, GSCause.GSExcCode 7)
      if (!m.guestHasLasx(v)) return this.guestTrap(GUEST_RI);
      if (!(v.config5 & MIPS_CONF5_MSAEN)) return this.guestTrap(GUEST_MSADIS);
      if (!(v.config & MIPS_CONF_LASXEN)) return this.guestTrap(GUEST_LASXDIS);
      if ((v.status & (ST0_CU1 | ST0_FR)) === ST0_CU1) return this.guestTrap(GUEST_RI);
      return (c?.config ?? 0) & MIPS_CONF_LASXEN ? 0 : TRAP_LASXDIS;
    }
    if (!m.guestHasMsa(v)) return this.guestTrap(GUEST_RI);
    if (!(v.config5 & MIPS_CONF5_MSAEN)) return this.guestTrap(GUEST_MSADIS);
    // MSA with CU1=1 and FR=0 is a reserved instruction
    if ((v.status & (ST0_CU1 | ST0_FR)) === ST0_CU1) return this.guestTrap(GUEST_RI);
    return (c?.config5 ?? 0) & MIPS_CONF5_MSAEN ? 0 : TRAP_MSADIS;
  }

  private guestTrap(kind: number): number {
    const m = this.m;
    const [id, name] =
      kind === GUEST_CPU
        ? [m.ids.guestCpu, 'Coprocessor Unusable']
        : kind === GUEST_MSADIS
          ? [m.ids.guestMsaDis, 'MSA Disabled']
          : kind === GUEST_LASXDIS
            ? [m.ids.guestLasxDis, 'LASX Disabled']
            : [m.ids.guestRi, 'Reserved Instruction'];
    m.host.count(id);
    if (m.trace.on) {
      m.trace.line(
        0,
        `guest exception: ${name} in guest context (the guest kernel handles it; no exit)`,
      );
    }
    return kind;
  }

  /** The widest unit of a grant the guest has enabled (the kernel's own grant is the trapping unit). */
  private widest(vi: number, grant: UnitMask, at: 'fpu' | 'msa' | 'lasx'): 'fpu' | 'msa' | 'lasx' {
    const g = grant & this.guestEnabled(vi);
    if (g & LASX_BIT) return 'lasx';
    if (g & MSA_BIT && at !== 'lasx') return 'msa';
    return at;
  }

  handleTrap(vi: number, trap: number, _unit: number, grant: UnitMask): Resume {
    const m = this.m;
    if (trap === TRAP_CPU) {
      m.host.count(m.ids.trapCpu);
      return handleCopUnusable(m, vi, this.widest(vi, grant, 'fpu'));
    }
    if (trap === TRAP_LASXDIS) {
      m.host.count(m.ids.trapLasxDis);
      return handleLasxDisabled(m, vi);
    }
    m.host.count(m.ids.trapMsaDis);
    return handleMsaDisabled(m, vi, this.widest(vi, grant, 'msa') === 'lasx' ? 'lasx' : 'msa');
  }

  /** A policy's preload (not a kernel path): own the widest unit, then restore the CSRs as re-entry would. */
  load(vi: number, units: UnitMask): void {
    const m = this.m;
    const unit = units & LASX_BIT ? 'lasx' : units & MSA_BIT ? 'msa' : 'fpu';
    if (m.trace.on) m.trace.line(0, `policy load of ${unit} (not a kernel path)`);
    own(m, vi, unit, 1);
    restoreCsrsForEntry(m, vi, 1);
  }

  /** A policy's save at exit (not a kernel path on MIPS): kvm_lose_fpu. */
  save(vi: number): void {
    kvm_lose_fpu(this.m, vi, 1);
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
    const v = this.vcpu(vi);
    if (reg === CREG_FCSR || reg === CREG_MSACSR) {
      // ctc1 / ctcmsa: the engine ran the unit's checks (and any trap) and resolved the value
      guestWriteCsr(m, vi, reg === CREG_MSACSR, value);
      return NO_EXIT;
    }
    const old = reg === CREG_STATUS ? v.status : reg === CREG_CONFIG ? v.config : v.config5;
    const next = (hasValue ? value : (old | set) & ~clear) >>> 0;
    if (reg === CREG_STATUS) {
      if (((next ^ old) & GSFC_STATUS_FIELDS) === 0) {
        if (m.trace.on)
          m.trace.line(0, 'guest mtc0 Status: no GSFC field changes, written in guest context');
        v.status = next;
        return NO_EXIT;
      }
      gsfcExit(m, vi, 'Status');
      gsfcStatus(m, vi, next);
      return RESUME_GUEST;
    }
    if (reg === CREG_CONFIG5) {
      if (next === old) return NO_EXIT;
      gsfcExit(m, vi, 'Config5');
      gsfcConfig5(m, vi, next);
      return RESUME_GUEST;
    }
    if (reg === CREG_CONFIG) {
      if (next === old) return NO_EXIT;
      gsfcExit(m, vi, 'Config');
      return gsfcConfig(m, vi, next);
    }
    return NO_EXIT;
  }

  /**
   * FPR n is the low 64 bits of vector n (FR=1). With FR=0 (the "odd doubles" rule) an even n is
   * the double in fpr[n], and an odd n the single in the upper word of fpr[n - 1]
   * (proc.h BUILD_FPR_ACCESS; little-endian).
   */
  slice(vi: number, unit: number, reg: number): number {
    const v = this.vcpu(vi);
    const slot = this.m.o.slot;
    if (unit === UNIT_FPU && !(v.status & ST0_FR)) {
      return reg & 1 ? packSlice((reg - 1) * slot + 4, 4) : packSlice(reg * slot, 8);
    }
    return packSlice(reg * slot, unitBytes(unit));
  }

  /** FCSR is fcr31 and MSACSR msacsr of struct mips_fpu_struct, after fpr[32]. */
  controlSlice(reg: number): number {
    const slot = this.m.o.slot;
    if (reg === CREG_FCSR) return packSlice(fcsrOffset(slot), 4);
    if (reg === CREG_MSACSR) return packSlice(msacsrOffset(slot), 4);
    return -1;
  }

  hostSwitch(cpu: number, prev: number, _next: number): void {
    // asm/switch_to.h switch_to: lose_fpu_inatomic(1, prev); nothing is restored for next (lazy)
    if (prev >= 0) lose_fpu_inatomic(this.m, cpu, prev, 1);
  }

  hostUse(cpu: number, thread: number, unit: number): boolean {
    return hostAccess(this.m, cpu, thread, unit !== UNIT_FPU);
  }

  hostSlice(_thread: number, unit: number, reg: number): number {
    return packSlice(reg * this.m.o.slot, unitBytes(unit));
  }

  kernelFpu(_cpu: number): boolean {
    return false;
  }

  /** A unit's registers through ONE_REG: FPR_64(n), VEC_128(n), Loongson VEC_256(n). */
  private unitHandle(unit: number, reg: number): number {
    const kind = unit === UNIT_FPU ? FPR_64 : unit === UNIT_MSA ? VEC_128 : VEC_256;
    return kind * 32 + reg;
  }

  userRead(vi: number, unit: number, reg: number, out: Uint8Array): number {
    return kvm_mips_get_reg(this.m, vi, this.unitHandle(unit, reg), out);
  }

  userWrite(vi: number, unit: number, reg: number, src: Uint8Array): boolean {
    return kvm_mips_set_reg(this.m, vi, this.unitHandle(unit, reg), src);
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
    const m = this.m;
    return {
      vcpus: m.vcpus.map((v) => ({
        aux_inuse: auxName(v.aux),
        cpu: v.cpu,
        ...(v.regList ? { reg_list: { ...v.regList } } : {}),
        guest: {
          'Status.CU1': v.status & ST0_CU1 ? 1 : 0,
          'Status.FR': v.status & ST0_FR ? 1 : 0,
          'Config5.MSAEn': v.config5 & MIPS_CONF5_MSAEN ? 1 : 0,
          'Config5.FRE': v.config5 & MIPS_CONF5_FRE ? 1 : 0,
          ...(m.o.cpuHasLasx ? { 'Config.LASXEn': v.config & MIPS_CONF_LASXEN ? 1 : 0 } : {}),
        },
      })),
      cpus: m.cpus.map((c) => ({
        'Status.CU1': c.status & ST0_CU1 ? 1 : 0,
        'Status.FR': c.status & ST0_FR ? 1 : 0,
        'Status.CU2': c.status & ST0_CU2 ? 1 : 0,
        'Config5.MSAEn': c.config5 & MIPS_CONF5_MSAEN ? 1 : 0,
        'Config5.FRE': c.config5 & MIPS_CONF5_FRE ? 1 : 0,
        ...(m.o.cpuHasLasx ? { 'Config.LASXEn': c.config & MIPS_CONF_LASXEN ? 1 : 0 } : {}),
      })),
    };
  }
}
