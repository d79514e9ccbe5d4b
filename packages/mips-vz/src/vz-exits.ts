/**
 * Exit handling, as arch/mips/kvm/mips.c kvm_mips_handle_exit and the VZ handlers of
 * arch/mips/kvm/vz.c: which counter is incremented, which checks run, what is returned.
 */
import { ImpossibleEvent, RESUME_GUEST, RESUME_HOST, type Resume } from '@vfpu/core';
import { kvm_mips_build_exit_csrs } from './csr.js';
import { kvm_drop_fpu, kvm_lose_fpu, kvm_own_fpu, kvm_own_lasx, kvm_own_msa } from './kvm-fpu.js';
import {
  CONF_CM_CMASK,
  EXCCODE_CPU,
  EXCCODE_GE,
  EXCCODE_LASX,
  EXCCODE_MSADIS,
  GSEXCCODE_LASX_DISABLED,
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
  MIPS_GCTL0_GEXC_GSFC,
  ST0_CU1,
  ST0_CU2,
  ST0_FR,
  UNIT_LASX,
  UNIT_MSA,
} from './regs.js';
import { auxName, type MipsVz, type Vcpu } from './state.js';

/**
 * vz.c kvm_trap_vz_handle_cop_unusable, after kvm_mips_handle_exit's ++cop_unusable_exits.
 * `grant`: the unit the policy grants (the kernel's own grant is the FPU; wider runs kvm_own_msa
 * or kvm_own_lasx instead).
 */
export function handleCopUnusable(m: MipsVz, vi: number, grant: 'fpu' | 'msa' | 'lasx'): Resume {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  copUnusableExit(m, vi, 1);
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
    m.host.count(m.ids.KVM_EXIT_UNKNOWN);
    return RESUME_HOST;
  }
  own(m, vi, grant, 2);
  return RESUME_GUEST;
}

/** The CpU exit as the hardware reports it and kvm_mips_handle_exit counts it. */
function copUnusableExit(m: MipsVz, vi: number, ce: number): void {
  const t = m.trace;
  guestExit(
    m,
    vi,
    `Coprocessor Unusable — Cause.ExcCode=${EXCCODE_CPU} (EXCCODE_CPU), Cause.CE=${ce}`,
  );
  if (t.on) t.fn(0, 'kvm_mips_handle_exit', '— ++cop_unusable_exits');
  m.host.count(m.ids.cop_unusable_exits);
  if (t.on) t.fn(1, 'kvm_trap_vz_handle_cop_unusable', `(CE=${ce})`);
}

/**
 * A guest coprocessor 2 instruction with root CU2=0 (Cause.CE=2). LS-vz: set root Status.CU2
 * and resume. Mainline: CE ≠ 1 is not handled, EMULATE_FAIL → KVM_EXIT_INTERNAL_ERROR.
 */
export function handleCop2Unusable(m: MipsVz, vi: number): Resume {
  const v = m.vcpus[vi] as Vcpu;
  if ((m.cpus[v.cpu]?.status ?? 0) & ST0_CU2) {
    throw new ImpossibleEvent(
      'reason',
      `cop2: root Status.CU2 is already set on cpu ${v.cpu}, so the hardware raises no CE=2 exit`,
    );
  }
  copUnusableExit(m, vi, 2);
  if (!m.o.cpuHasLasx) return internalError(m, 'CE=2: other coprocessors not handled');
  m.changeStatus(v.cpu, ST0_CU2, ST0_CU2, 2);
  return RESUME_GUEST;
}

/**
 * Cause.ExcCode 16 with a GSCause.GSExcCode other than 7. LS-mips kvm_mips_handle_exit: only
 * kvm_err("Unhandled GSEXC"), no counter, ret stays RESUME_GUEST, so the guest is re-entered
 * (and may take the same exception again). Mainline has no case for 16: the default branch
 * ("not yet handled") gives KVM_EXIT_INTERNAL_ERROR, RESUME_HOST.
 */
export function handleGsexcOther(m: MipsVz, vi: number): Resume {
  const t = m.trace;
  if (!m.o.cpuHasLasx) {
    guestExit(m, vi, `Cause.ExcCode=${EXCCODE_LASX}`);
    if (t.on) t.fn(0, 'kvm_mips_handle_exit', '— default: "Exception Code: 16, not yet handled"');
    return internalError(m, 'unhandled exception code');
  }
  guestExit(
    m,
    vi,
    `Loongson GSExc — Cause.ExcCode=${EXCCODE_LASX} (EXCCODE_LASX), GSCause.GSExcCode≠${GSEXCCODE_LASX_DISABLED}`,
  );
  if (t.on) {
    t.fn(
      0,
      'kvm_mips_handle_exit',
      '— kvm_err("Unhandled GSEXC"); no counter; RESUME_GUEST: the guest is re-entered unhandled',
    );
  }
  m.host.count(m.ids.gsexcUnhandled);
  return RESUME_GUEST;
}

/** A handler's failed check: run->exit_reason = KVM_EXIT_INTERNAL_ERROR, RESUME_HOST. */
function internalError(m: MipsVz, why: string): Resume {
  if (m.trace.on)
    m.trace.line(2, `${why}: run->exit_reason = KVM_EXIT_INTERNAL_ERROR, RESUME_HOST`);
  m.host.count(m.ids.KVM_EXIT_INTERNAL_ERROR);
  return RESUME_HOST;
}

/** The own routine of the widest unit granted (the kernel grants exactly the trapping unit). */
export function own(m: MipsVz, vi: number, grant: 'fpu' | 'msa' | 'lasx', depth: number): void {
  if (grant === 'lasx') kvm_own_lasx(m, vi, depth);
  else if (grant === 'msa') kvm_own_msa(m, vi, depth);
  else kvm_own_fpu(m, vi, depth);
}

/** vz.c kvm_trap_vz_handle_msa_disabled, after ++msa_disabled_exits. */
export function handleMsaDisabled(m: MipsVz, vi: number, grant: 'msa' | 'lasx'): Resume {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  guestExit(m, vi, `MSA Disabled — Cause.ExcCode=${EXCCODE_MSADIS} (EXCCODE_MSADIS)`);
  if (t.on) t.fn(0, 'kvm_mips_handle_exit', '— ++msa_disabled_exits');
  m.host.count(m.ids.msa_disabled_exits);
  if (t.on) t.fn(1, 'kvm_trap_vz_handle_msa_disabled');
  // any of these is an internal error; the counter has already been incremented
  let why = '';
  if (!m.guestHasMsa(v)) why = 'guest has no MSA';
  else if ((v.status & (ST0_CU1 | ST0_FR)) === ST0_CU1) why = 'guest Status CU1=1 with FR=0';
  else if (!(v.config5 & MIPS_CONF5_MSAEN)) why = 'guest Config5.MSAEn=0';
  else if (v.aux & KVM_MIPS_AUX_MSA) why = `aux_inuse already has MSA (${auxName(v.aux)})`;
  if (why !== '') return internalError(m, why);
  own(m, vi, grant, 2);
  return RESUME_GUEST;
}

/**
 * LS-mips kvm_mips_handle_exit, ExcCode 16 (EXCCODE_LASX) with GSCause.GSExcCode 7 →
 * ++lasx_disabled_exits → LS-vz kvm_trap_vz_handle_lasx_disabled.
 */
export function handleLasxDisabled(m: MipsVz, vi: number): Resume {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  guestExit(
    m,
    vi,
    `Loongson GSExc — Cause.ExcCode=${EXCCODE_LASX} (EXCCODE_LASX), GSCause.GSExcCode=${GSEXCCODE_LASX_DISABLED} (LASX disabled)`,
  );
  if (t.on) t.fn(0, 'kvm_mips_handle_exit', '— ++lasx_disabled_exits');
  m.host.count(m.ids.lasx_disabled_exits);
  if (t.on) t.fn(1, 'kvm_trap_vz_handle_lasx_disabled');
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
 * vz.c kvm_trap_vz_handle_gsfc, Status (12.0): the guest changed CU1, FR or MX.
 * `val` is the value the guest's mtc0 wrote.
 */
export function gsfcStatus(m: MipsVz, vi: number, written: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  let val = written;
  if (!m.guestHasFpu(v)) val &= ~(ST0_CU1 | ST0_FR);
  // a guest can only set FR if the host FPU has 64-bit registers (FIR.F64)
  if (!m.o.hostF64) val &= ~ST0_FR;
  const change = (val ^ v.status) >>> 0;
  if (change & ST0_FR) {
    // FR changes make FPU and vector state UNPREDICTABLE: discard it without saving
    kvm_drop_fpu(m, vi, 2);
    m.host.undefine(vi, (1 << UNIT_LASX) | (1 << UNIT_MSA) | 1);
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
}

/** vz.c kvm_vz_config5_guest_wrmask. */
export function config5GuestWrmask(m: MipsVz, v: Vcpu): number {
  let mask = MIPS_CONF5_K | MIPS_CONF5_CV | MIPS_CONF5_SBRI;
  if (m.guestHasMsa(v)) mask |= MIPS_CONF5_MSAEN;
  if (m.guestHasFpu(v)) {
    if (m.o.cpuHasUfr) mask |= MIPS_CONF5_UFR;
    if (m.o.cpuHasFre) mask |= MIPS_CONF5_FRE | MIPS_CONF5_UFE;
  }
  return mask >>> 0;
}

/** vz.c kvm_trap_vz_handle_gsfc, Config5 (16.5). */
export function gsfcConfig5(m: MipsVz, vi: number, val: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const old = v.config5;
  const change = (val ^ old) >>> 0;
  // FRE reaches root at once (unmasked) when the FPU is owned
  if (change & MIPS_CONF5_FRE && v.aux & KVM_MIPS_AUX_FPU)
    m.changeConfig5(v.cpu, MIPS_CONF5_FRE, val, 2);
  const next = (old ^ (change & config5GuestWrmask(m, v))) >>> 0;
  if (m.trace.on) m.trace.line(2, `write_gc0_config5(0x${next.toString(16)})`);
  v.config5 = next;
}

/**
 * LS-vz kvm_trap_vz_handle_gsfc, Config (16.0): old ^ (change & kvm_vz_config_guest_wrmask =
 * CM|LASXEn). Mainline's handler has no Config case: "unsupported field change", EMULATE_FAIL
 * → KVM_EXIT_INTERNAL_ERROR.
 */
export function gsfcConfig(m: MipsVz, vi: number, val: number): Resume {
  const v = m.vcpus[vi] as Vcpu;
  if (!m.o.cpuHasLasx) return internalError(m, 'no GSFC case for Config (16.0): EMULATE_FAIL');
  const change = (val ^ v.config) >>> 0;
  const next = (v.config ^ (change & (CONF_CM_CMASK | MIPS_CONF_LASXEN))) >>> 0;
  if (m.trace.on) m.trace.line(2, `write_gc0_config(0x${next.toString(16)}) (no FPU action)`);
  v.config = next;
  return RESUME_GUEST;
}

/** The GSFC guest exit: ExcCode 27 (GE), GuestCtl0.GExcCode 1, counted in kvm_trap_vz_handle_guest_exit. */
export function gsfcExit(m: MipsVz, vi: number, what: string): void {
  const t = m.trace;
  guestExit(
    m,
    vi,
    `Guest Exit — Cause.ExcCode=${EXCCODE_GE} (EXCCODE_GE), GuestCtl0.GExcCode=${MIPS_GCTL0_GEXC_GSFC} (GSFC: ${what})`,
  );
  m.host.count(m.ids.vz_gsfc_exits);
  if (!t.on) return;
  t.fn(0, 'kvm_trap_vz_handle_guest_exit', '— ++vz_gsfc_exits');
  t.fn(1, 'kvm_trap_vz_handle_gsfc', '(mtc0, emulated, PC advanced)');
}

/**
 * Every exit to root: the exception as the hardware reports it, then entry.c
 * kvm_mips_build_exit, whose stub saves and clears FCSR/MSACSR before any handler runs.
 */
export function guestExit(m: MipsVz, vi: number, exception: string): void {
  if (m.trace.on) m.trace.line(0, `exception: ${exception} → root (guest exit)`);
  kvm_mips_build_exit_csrs(m, vi);
}
