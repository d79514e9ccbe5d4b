/**
 * What the MIPS VZ hardware does before any kernel code runs: which units the guest has enabled
 * and which are live, the checks on a guest FP/MSA/LASX instruction (guest context first, then
 * root), whether a guest mtc0 raises a GSFC exit, and where each register lives in the register
 * file. Not kernel code: the kernel's handlers are in vz.ts and mips.ts.
 */
import { NO_EXIT, packSlice, RESUME_GUEST, type Resume, type UnitMask } from '@vfpu/core';
import { fcsrOffset, guestWriteCsr, msacsrOffset } from './csr.js';
import { guestExit } from './entry.js';
import {
  CREG_CONFIG,
  CREG_CONFIG5,
  CREG_FCSR,
  CREG_MSACSR,
  CREG_STATUS,
  EXCCODE_GE,
  FPU_BIT,
  GSFC_STATUS_FIELDS,
  KVM_MIPS_AUX_FPU,
  KVM_MIPS_AUX_LASX,
  KVM_MIPS_AUX_MSA,
  LASX_BIT,
  MIPS_CONF_LASXEN,
  MIPS_CONF5_MSAEN,
  MIPS_GCTL0_GEXC_GSFC,
  MSA_BIT,
  ST0_CU1,
  ST0_FR,
  UNIT_FPU,
  UNIT_LASX,
  UNIT_MSA,
} from './regs.js';
import type { MipsVz, Vcpu } from './state.js';
import { kvm_trap_vz_handle_guest_exit } from './vz.js';

/** Root trap ids returned by guestAccess (> 0) and guest-internal ones (< 0). */
export const TRAP_CPU = 1;
export const TRAP_MSADIS = 2;
export const TRAP_LASXDIS = 3;
const GUEST_CPU = -1;
const GUEST_MSADIS = -2;
const GUEST_RI = -3;
const GUEST_LASXDIS = -4;

const GSFC = `Guest Exit — Cause.ExcCode=${EXCCODE_GE} (EXCCODE_GE), GuestCtl0.GExcCode=${MIPS_GCTL0_GEXC_GSFC} (GSFC:`;
const GSFC_STATUS = `${GSFC} Status)`;
const GSFC_CONFIG5 = `${GSFC} Config5)`;
const GSFC_CONFIG = `${GSFC} Config)`;

/** The units the guest has enabled itself: gc0 Status.CU1, Config5.MSAEn (not with CU1 and FR=0), Config.LASXEn. */
export function guestEnabled(m: MipsVz, v: Vcpu): UnitMask {
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

/** The units in aux_inuse that root also has enabled. */
export function liveUnits(m: MipsVz, v: Vcpu): UnitMask {
  const c = m.cpus[v.cpu];
  if (c === undefined) return 0;
  let mask = 0;
  if (v.aux & KVM_MIPS_AUX_FPU && c.status & ST0_CU1) mask |= FPU_BIT;
  if (v.aux & KVM_MIPS_AUX_MSA && c.config5 & MIPS_CONF5_MSAEN) mask |= MSA_BIT;
  if (v.aux & KVM_MIPS_AUX_LASX && c.config & MIPS_CONF_LASXEN) mask |= LASX_BIT;
  return mask;
}

/**
 * The hardware's checks for a guest instruction, guest context first (its own exceptions are
 * handled inside the guest), then root: root Status.CU1 for the FPU, root Config5.MSAEn for MSA.
 */
export function guestAccess(m: MipsVz, v: Vcpu, unit: number): number {
  const c = m.cpus[v.cpu];
  const rootStatus = c?.status ?? 0;
  if (unit === UNIT_FPU) {
    if (!m.guestHasFpu(v) || !(v.status & ST0_CU1)) return guestTrap(m, GUEST_CPU);
    return rootStatus & ST0_CU1 ? 0 : TRAP_CPU;
  }
  if (unit === UNIT_LASX) {
    // Loongson: guest Config5.MSAEn and Config.LASXEn first, then root Config.LASXEn
    // (ExcCode 16, GSCause.GSExcCode 7)
    if (!m.guestHasLasx(v)) return guestTrap(m, GUEST_RI);
    if (!(v.config5 & MIPS_CONF5_MSAEN)) return guestTrap(m, GUEST_MSADIS);
    if (!(v.config & MIPS_CONF_LASXEN)) return guestTrap(m, GUEST_LASXDIS);
    if ((v.status & (ST0_CU1 | ST0_FR)) === ST0_CU1) return guestTrap(m, GUEST_RI);
    return (c?.config ?? 0) & MIPS_CONF_LASXEN ? 0 : TRAP_LASXDIS;
  }
  if (!m.guestHasMsa(v)) return guestTrap(m, GUEST_RI);
  if (!(v.config5 & MIPS_CONF5_MSAEN)) return guestTrap(m, GUEST_MSADIS);
  // MSA with CU1=1 and FR=0 is a reserved instruction
  if ((v.status & (ST0_CU1 | ST0_FR)) === ST0_CU1) return guestTrap(m, GUEST_RI);
  return (c?.config5 ?? 0) & MIPS_CONF5_MSAEN ? 0 : TRAP_MSADIS;
}

/** An exception the guest takes in guest context (its own kernel handles it; no exit). */
function guestTrap(m: MipsVz, kind: number): number {
  const ids = m.ids;
  m.host.count(
    kind === GUEST_CPU
      ? ids.guestCpu
      : kind === GUEST_MSADIS
        ? ids.guestMsaDis
        : kind === GUEST_LASXDIS
          ? ids.guestLasxDis
          : ids.guestRi,
  );
  if (m.trace.on) {
    const name =
      kind === GUEST_CPU
        ? 'Coprocessor Unusable'
        : kind === GUEST_MSADIS
          ? 'MSA Disabled'
          : kind === GUEST_LASXDIS
            ? 'LASX Disabled'
            : 'Reserved Instruction';
    m.trace.line(
      0,
      `guest exception: ${name} in guest context (the guest kernel handles it; no exit)`,
    );
  }
  return kind;
}

/**
 * A guest mtc0 of Status, Config5 or Config (or ctc1/ctcmsa of FCSR/MSACSR, in guest context):
 * a Status write exits (GSFC) only when CU1, CU2, FR or MX changes, a Config5/Config write when
 * the value changes; the exit stub runs, then kvm_trap_vz_handle_guest_exit.
 */
export function guestWrite(
  m: MipsVz,
  vi: number,
  reg: number,
  hasValue: boolean,
  value: number,
  set: number,
  clear: number,
): Resume | typeof NO_EXIT {
  const v = m.vcpus[vi] as Vcpu;
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
    guestExit(m, vi, GSFC_STATUS);
    kvm_trap_vz_handle_guest_exit(m, vi, reg, next);
    return RESUME_GUEST;
  }
  if ((reg !== CREG_CONFIG5 && reg !== CREG_CONFIG) || next === old) return NO_EXIT;
  guestExit(m, vi, reg === CREG_CONFIG5 ? GSFC_CONFIG5 : GSFC_CONFIG);
  return kvm_trap_vz_handle_guest_exit(m, vi, reg, next);
}

/** Bytes of one register of a unit: FPR 8, MSA vector 16, LASX vector 32. */
function unitBytes(unit: number): number {
  return unit === UNIT_FPU ? 8 : unit === UNIT_MSA ? 16 : 32;
}

/**
 * FPR n is the low 64 bits of vector n (FR=1). With FR=0 (the "odd doubles" rule) an even n is
 * the double in fpr[n], and an odd n the single in the upper word of fpr[n - 1]
 * (proc.h BUILD_FPR_ACCESS; little-endian).
 */
export function guestSlice(m: MipsVz, v: Vcpu, unit: number, reg: number): number {
  const slot = m.o.slot;
  if (unit === UNIT_FPU && !(v.status & ST0_FR)) {
    return reg & 1 ? packSlice((reg - 1) * slot + 4, 4) : packSlice(reg * slot, 8);
  }
  return packSlice(reg * slot, unitBytes(unit));
}

/** A host thread's register (host tasks are 64-bit with FR=1). */
export function hostSlice(m: MipsVz, unit: number, reg: number): number {
  return packSlice(reg * m.o.slot, unitBytes(unit));
}

/** FCSR is fcr31 and MSACSR msacsr of struct mips_fpu_struct, after fpr[32]. */
export function controlSlice(m: MipsVz, reg: number): number {
  if (reg === CREG_FCSR) return packSlice(fcsrOffset(m.o.slot), 4);
  if (reg === CREG_MSACSR) return packSlice(msacsrOffset(m.o.slot), 4);
  return -1;
}
