/**
 * arch/mips/kvm/vz.c (and Loongson's LS-vz), its FP/MSA/LASX parts: the handlers
 * kvm_mips_handle_exit calls (kvm_trap_vz_handle_cop_unusable, kvm_trap_vz_handle_msa_disabled,
 * kvm_trap_vz_handle_lasx_disabled, kvm_trap_vz_handle_guest_exit → kvm_trap_vz_handle_gsfc)
 * and kvm_vz_vcpu_put: which checks run, what is owned, lost or dropped, what is returned.
 * kvm_vz_vcpu_load touches no FP state.
 */
import type { Resume } from '@vfpu/core';
import { RESUME_GUEST, RESUME_HOST } from '@vfpu/core/backend-utils';
import { kvm_drop_fpu, kvm_lose_fpu, kvm_own_fpu, kvm_own_lasx, kvm_own_msa } from './mips.js';
import { ownGranted, type UnitName } from './policy-paths.js';
import {
  CONF_CM_CMASK,
  KVM_MIPS_AUX_FPU,
  KVM_MIPS_AUX_LASX,
  KVM_MIPS_AUX_MSA,
  MIPS_CONF_LASXEN,
  MIPS_CONF5_CV,
  MIPS_CONF5_FRE,
  MIPS_CONF5_K,
  MIPS_CONF5_MSAEN,
  MIPS_CONF5_SBRI,
  MIPS_CONF5_UFE,
  MIPS_CONF5_UFR,
  ST0_CU1,
  ST0_CU2,
  ST0_FR,
} from './regs.js';
import { auxName, type MipsVz, type Vcpu } from './state.js';

/** A handler's failed check: run->exit_reason = KVM_EXIT_INTERNAL_ERROR, RESUME_HOST. */
export function internalError(m: MipsVz, why: string): Resume {
  if (m.trace.on)
    m.trace.line(2, `${why}: run->exit_reason = KVM_EXIT_INTERNAL_ERROR, RESUME_HOST`);
  m.host.count(m.counters.KVM_EXIT_INTERNAL_ERROR);
  return RESUME_HOST;
}

/**
 * vz.c kvm_trap_vz_handle_cop_unusable, after kvm_mips_handle_exit's ++cop_unusable_exits.
 * CE=1: the FPU. `unit`: the unit the policy grants (the kernel's own grant is the FPU; wider
 * runs kvm_own_msa or kvm_own_lasx instead, policy-paths.ts). CE=2 (a coprocessor 2
 * instruction with root CU2=0): LS-vz sets root Status.CU2 and resumes; mainline handles only
 * CE=1, so EMULATE_FAIL → KVM_EXIT_INTERNAL_ERROR.
 */
export function kvm_trap_vz_handle_cop_unusable(
  m: MipsVz,
  vi: number,
  ce: 1 | 2,
  unit: UnitName,
): Resume {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  if (t.on) t.fn(1, 'kvm_trap_vz_handle_cop_unusable', `(CE=${ce})`);
  if (ce === 2) {
    if (!m.o.cpuHasLasx) return internalError(m, 'CE=2: other coprocessors not handled');
    m.changeStatus(v.cpu, ST0_CU2, ST0_CU2, 2);
    return RESUME_GUEST;
  }
  if (!m.guestHasFpu(v) || v.aux & KVM_MIPS_AUX_FPU) {
    const why = m.guestHasFpu(v) ? 'aux_inuse already has FPU' : 'guest has no FPU';
    m.host.warn(`kvm_trap_vz_handle_cop_unusable: WARN_ON fired (${why})`);
    if (m.o.quirks === 'fixed') {
      // what the switch (er) below it intends: EMULATE_FAIL → KVM_EXIT_INTERNAL_ERROR
      return internalError(m, `WARN_ON: ${why}; EMULATE_FAIL (quirks: fixed)`);
    }
    // kernel: preempt_enable() without a matching disable, then `return EMULATE_FAIL` skips the
    // switch, so run->exit_reason stays KVM_EXIT_UNKNOWN and EMULATE_FAIL (2) == RESUME_HOST
    if (t.on)
      t.line(
        2,
        `WARN_ON: ${why}; unbalanced preempt_enable; return EMULATE_FAIL (== RESUME_HOST), exit_reason stays KVM_EXIT_UNKNOWN`,
      );
    m.host.warn(
      'kvm_trap_vz_handle_cop_unusable: unbalanced preempt_enable (kernel quirk), KVM_RUN returned KVM_EXIT_UNKNOWN',
    );
    m.host.count(m.counters.KVM_EXIT_UNKNOWN);
    return RESUME_HOST;
  }
  if (unit === 'fpu') kvm_own_fpu(m, vi, 2);
  else ownGranted(m, vi, unit, 2);
  return RESUME_GUEST;
}

/** vz.c kvm_trap_vz_handle_msa_disabled, after ++msa_disabled_exits. */
export function kvm_trap_vz_handle_msa_disabled(m: MipsVz, vi: number, unit: UnitName): Resume {
  const v = m.vcpus[vi] as Vcpu;
  if (m.trace.on) m.trace.fn(1, 'kvm_trap_vz_handle_msa_disabled');
  // any of these is an internal error; the counter has already been incremented
  let why = '';
  if (!m.guestHasMsa(v)) why = 'guest has no MSA';
  else if ((v.status & (ST0_CU1 | ST0_FR)) === ST0_CU1) why = 'guest Status CU1=1 with FR=0';
  else if (!(v.config5 & MIPS_CONF5_MSAEN)) why = 'guest Config5.MSAEn=0';
  else if (v.aux & KVM_MIPS_AUX_MSA) why = `aux_inuse already has MSA (${auxName(v.aux)})`;
  if (why !== '') return internalError(m, why);
  if (unit === 'msa') kvm_own_msa(m, vi, 2);
  else ownGranted(m, vi, unit, 2);
  return RESUME_GUEST;
}

/** LS-vz kvm_trap_vz_handle_lasx_disabled, after LS-mips's ++lasx_disabled_exits. */
export function kvm_trap_vz_handle_lasx_disabled(m: MipsVz, vi: number): Resume {
  const v = m.vcpus[vi] as Vcpu;
  if (m.trace.on) m.trace.fn(1, 'kvm_trap_vz_handle_lasx_disabled');
  let why = '';
  if (!m.guestHasLasx(v)) why = 'guest has no LASX';
  else if ((v.status & (ST0_CU1 | ST0_FR)) === ST0_CU1) why = 'guest Status CU1=1 with FR=0';
  else if (!(v.config5 & MIPS_CONF5_MSAEN)) why = 'guest Config5.MSAEn=0';
  else if (!(v.config & MIPS_CONF_LASXEN)) why = 'guest Config.LASXEn=0';
  else if (v.aux & KVM_MIPS_AUX_LASX) why = `aux_inuse already has LASX (${auxName(v.aux)})`;
  if (why !== '') return internalError(m, why);
  kvm_own_lasx(m, vi, 2);
  return RESUME_GUEST;
}

/**
 * vz.c kvm_trap_vz_handle_guest_exit, GuestCtl0.GExcCode GSFC: ++vz_gsfc_exits, then
 * kvm_trap_vz_handle_gsfc for the guest's mtc0 of `reg` with `val`.
 */
export function kvm_trap_vz_handle_guest_exit(
  m: MipsVz,
  vi: number,
  reg: number,
  val: number,
): Resume {
  const t = m.trace;
  m.host.count(m.counters.vz_gsfc_exits);
  if (t.on) {
    t.fn(0, 'kvm_trap_vz_handle_guest_exit', '— ++vz_gsfc_exits');
    t.fn(1, 'kvm_trap_vz_handle_gsfc', '(mtc0, emulated, PC advanced)');
  }
  return kvm_trap_vz_handle_gsfc(m, vi, reg, val);
}

/**
 * vz.c kvm_trap_vz_handle_gsfc: Status (12.0) when the guest changed CU1, FR or MX; Config5
 * (16.5); LS-vz Config (16.0): old ^ (change & kvm_vz_config_guest_wrmask = CM|LASXEn).
 * Mainline's handler has no Config case: "unsupported field change", EMULATE_FAIL →
 * KVM_EXIT_INTERNAL_ERROR. `val` is the value the guest's mtc0 wrote.
 */
export function kvm_trap_vz_handle_gsfc(
  m: MipsVz,
  vi: number,
  reg: number,
  written: number,
): Resume {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  let val = written;
  if (reg === m.ids.Status) {
    if (!m.guestHasFpu(v)) val &= ~(ST0_CU1 | ST0_FR);
    // a guest can only set FR if the host FPU has 64-bit registers (FIR.F64)
    if (!m.o.hostF64) val &= ~ST0_FR;
    const change = (val ^ v.status) >>> 0;
    if (change & ST0_FR) {
      // FR changes make FPU and vector state UNPREDICTABLE: discard it without saving
      kvm_drop_fpu(m, vi, 2);
      m.host.undefine(vi, m.ids.LASX_BIT | m.ids.MSA_BIT | m.ids.FPU_BIT);
      if (t.on)
        t.line(
          2,
          'FR changed: the guest FPU/MSA registers are now UNPREDICTABLE (not checked until written)',
        );
    }
    // with FR=0 the MSA state would be clobbered by the FPU: save it first
    // [LS: MSA or LASX]
    const vector = KVM_MIPS_AUX_MSA | (m.o.cpuHasLasx ? KVM_MIPS_AUX_LASX : 0);
    if (change & ST0_CU1 && !(val & ST0_FR) && v.aux & vector) kvm_lose_fpu(m, vi, 2);
    if (t.on) t.line(2, `write_gc0_status(0x${(val >>> 0).toString(16)})`);
    v.status = val >>> 0;
    return RESUME_GUEST;
  }
  if (reg === m.ids.Config) {
    if (!m.o.cpuHasLasx) return internalError(m, 'no GSFC case for Config (16.0): EMULATE_FAIL');
    const change = (val ^ v.config) >>> 0;
    const next = (v.config ^ (change & (CONF_CM_CMASK | MIPS_CONF_LASXEN))) >>> 0;
    if (t.on) t.line(2, `write_gc0_config(0x${next.toString(16)}) (no FPU action)`);
    v.config = next;
    return RESUME_GUEST;
  }
  // Config5
  const old = v.config5;
  const change = (val ^ old) >>> 0;
  // FRE reaches root at once (unmasked) when the FPU is owned
  if (change & MIPS_CONF5_FRE && v.aux & KVM_MIPS_AUX_FPU)
    m.changeConfig5(v.cpu, MIPS_CONF5_FRE, val, 2);
  const next = (old ^ (change & kvm_vz_config5_guest_wrmask(m, v))) >>> 0;
  if (t.on) t.line(2, `write_gc0_config5(0x${next.toString(16)})`);
  v.config5 = next;
  return RESUME_GUEST;
}

/** vz.c kvm_vz_config5_guest_wrmask. */
export function kvm_vz_config5_guest_wrmask(m: MipsVz, v: Vcpu): number {
  let mask = MIPS_CONF5_K | MIPS_CONF5_CV | MIPS_CONF5_SBRI;
  if (m.guestHasMsa(v)) mask |= MIPS_CONF5_MSAEN;
  if (m.guestHasFpu(v)) {
    if (m.o.cpuHasUfr) mask |= MIPS_CONF5_UFR;
    if (m.o.cpuHasFre) mask |= MIPS_CONF5_FRE | MIPS_CONF5_UFE;
  }
  return mask >>> 0;
}

/** vz.c kvm_vz_vcpu_put: kvm_lose_fpu, then the gc0 saves (not modelled). */
export function kvm_vz_vcpu_put(m: MipsVz, vi: number, depth: number): void {
  kvm_lose_fpu(m, vi, depth);
}
