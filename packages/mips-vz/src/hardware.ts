/**
 * What the MIPS VZ hardware does before any kernel code runs: which units the guest has enabled
 * and which are live, the checks on a guest FP/MSA/LASX instruction (guest context first, then
 * root), whether a guest mtc0 raises a GSFC exit, and where each register lives in the register
 * file. Not kernel code: the kernel's handlers are in vz.ts and mips.ts.
 */
import type { AccessResult, GuestWriteResult, Slice, UnitMask } from '@vfpu/core';
import {
  EXECUTES,
  NO_EXIT,
  NOT_EXECUTED,
  RESUME_GUEST,
  ROOT_TRAP,
  readU32,
} from '@vfpu/core/backend-utils';
import { guestWriteCsr } from './csr.js';
import { guestExit } from './entry.js';
import {
  EXCCODE_CPU,
  EXCCODE_GE,
  EXCCODE_LASX,
  EXCCODE_MSADIS,
  GSFC_STATUS_FIELDS,
  KVM_MIPS_AUX_FPU,
  KVM_MIPS_AUX_LASX,
  KVM_MIPS_AUX_MSA,
  MIPS_CONF_LASXEN,
  MIPS_CONF5_MSAEN,
  MIPS_GCTL0_GEXC_GSFC,
  ST0_CU1,
  ST0_FR,
} from './regs.js';
import type { MipsVz, Vcpu } from './state.js';
import { kvm_trap_vz_handle_guest_exit } from './vz.js';

/** Exceptions a guest instruction takes in guest context (the guest kernel handles them). */
const GUEST_CPU = 0;
const GUEST_MSADIS = 1;
const GUEST_RI = 2;
const GUEST_LASXDIS = 3;

const GSFC = `Guest Exit — Cause.ExcCode=${EXCCODE_GE} (EXCCODE_GE), GuestCtl0.GExcCode=${MIPS_GCTL0_GEXC_GSFC} (GSFC:`;
const GSFC_STATUS = `${GSFC} Status)`;
const GSFC_CONFIG5 = `${GSFC} Config5)`;
const GSFC_CONFIG = `${GSFC} Config)`;

/** The units the guest has enabled itself: gc0 Status.CU1, Config5.MSAEn (not with CU1 and FR=0), Config.LASXEn. */
export function guestEnabled(m: MipsVz, v: Vcpu): UnitMask {
  return enabledBy(m, v, v.status, v.config5, v.config);
}

/** The units guest Status, Config5 and Config values enable (as {@link guestEnabled}). */
export function enabledBy(
  m: MipsVz,
  v: Vcpu,
  status: number,
  config5: number,
  config: number,
): UnitMask {
  const ids = m.ids;
  let mask = 0;
  if (m.guestHasFpu(v) && status & ST0_CU1) mask |= ids.FPU_BIT;
  // as guestAccess checks them: MSA needs Config3.MSAP (kvm_mips_guest_has_msa), LASX does not
  // (LS-vz kvm_mips_guest_has_lasx), both the guest's Config5.MSAEn and not CU1 with FR=0
  if (!(config5 & MIPS_CONF5_MSAEN) || (status & (ST0_CU1 | ST0_FR)) === ST0_CU1) return mask;
  if (m.guestHasMsa(v)) mask |= ids.MSA_BIT;
  if (m.guestHasLasx(v) && config & MIPS_CONF_LASXEN) mask |= ids.LASX_BIT;
  return mask;
}

/** The units in aux_inuse that root also has enabled. */
export function liveUnits(m: MipsVz, v: Vcpu): UnitMask {
  const c = m.cpus[v.cpu];
  if (c === undefined) return 0;
  const ids = m.ids;
  let mask = 0;
  if (v.aux & KVM_MIPS_AUX_FPU && c.status & ST0_CU1) mask |= ids.FPU_BIT;
  if (v.aux & KVM_MIPS_AUX_MSA && c.config5 & MIPS_CONF5_MSAEN) mask |= ids.MSA_BIT;
  if (v.aux & KVM_MIPS_AUX_LASX && c.config & MIPS_CONF_LASXEN) mask |= ids.LASX_BIT;
  return mask;
}

/**
 * The hardware's checks for a guest instruction, guest context first (its own exceptions are
 * handled inside the guest), then root: root Status.CU1 for the FPU, root Config5.MSAEn for MSA,
 * root Config.LASXEn for LASX. A root trap latches its ExcCode in `v.hostCp0Cause`.
 */
export function guestAccess(m: MipsVz, v: Vcpu, unit: number): AccessResult {
  const c = m.cpus[v.cpu];
  const ids = m.ids;
  if (unit === ids.fpu) {
    if (!m.guestHasFpu(v) || !(v.status & ST0_CU1)) return guestTrap(m, GUEST_CPU);
    return (c?.status ?? 0) & ST0_CU1 ? EXECUTES : rootTrap(v, EXCCODE_CPU);
  }
  if (unit === ids.lasx) {
    // Loongson: guest Config5.MSAEn and Config.LASXEn first, then root Config.LASXEn
    // (ExcCode 16, GSCause.GSExcCode 7)
    if (!m.guestHasLasx(v)) return guestTrap(m, GUEST_RI);
    if (!(v.config5 & MIPS_CONF5_MSAEN)) return guestTrap(m, GUEST_MSADIS);
    if (!(v.config & MIPS_CONF_LASXEN)) return guestTrap(m, GUEST_LASXDIS);
    if ((v.status & (ST0_CU1 | ST0_FR)) === ST0_CU1) return guestTrap(m, GUEST_RI);
    return (c?.config ?? 0) & MIPS_CONF_LASXEN ? EXECUTES : rootTrap(v, EXCCODE_LASX);
  }
  if (!m.guestHasMsa(v)) return guestTrap(m, GUEST_RI);
  if (!(v.config5 & MIPS_CONF5_MSAEN)) return guestTrap(m, GUEST_MSADIS);
  // MSA with CU1=1 and FR=0 is a reserved instruction
  if ((v.status & (ST0_CU1 | ST0_FR)) === ST0_CU1) return guestTrap(m, GUEST_RI);
  return (c?.config5 ?? 0) & MIPS_CONF5_MSAEN ? EXECUTES : rootTrap(v, EXCCODE_MSADIS);
}

/** A root exception: Cause.ExcCode as the exit stub saves it for the handler. */
function rootTrap(v: Vcpu, exccode: number): AccessResult {
  v.hostCp0Cause = exccode;
  return ROOT_TRAP;
}

/** An exception the guest takes in guest context (its own kernel handles it; no exit). */
function guestTrap(m: MipsVz, kind: number): AccessResult {
  const c = m.counters;
  m.host.count(
    kind === GUEST_CPU
      ? c.guestCpu
      : kind === GUEST_MSADIS
        ? c.guestMsaDis
        : kind === GUEST_LASXDIS
          ? c.guestLasxDis
          : c.guestRi,
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
  return NOT_EXECUTED;
}

/**
 * The guest-visible value of a control register (mfc0 of gc0 Status, Config5, Config; cfc1 /
 * cfcmsa read the live FCSR / MSACSR, which core reads from the register file itself).
 */
export function guestRead(m: MipsVz, v: Vcpu, reg: number): number {
  const ids = m.ids;
  if (reg === ids.Status) return v.status;
  if (reg === ids.Config5) return v.config5;
  if (reg === ids.Config) return v.config;
  const p = reg === ids.FCSR ? m.slices.fcsr : m.slices.msacsr;
  return readU32(v.cpu < 0 ? v.fpu : m.hardware(v), p.offset);
}

/**
 * A guest mtc0 of Status, Config5 or Config (or ctc1/ctcmsa of FCSR/MSACSR, in guest context):
 * a Status write exits (GSFC) only when CU1, CU2, FR or MX changes, a Config5/Config write when
 * the value changes; the exit stub runs, then kvm_trap_vz_handle_guest_exit.
 */
export function guestWrite(m: MipsVz, vi: number, reg: number, value: number): GuestWriteResult {
  const v = m.vcpus[vi] as Vcpu;
  const next = value >>> 0;
  const ids = m.ids;
  if (reg === ids.FCSR || reg === ids.MSACSR) {
    // ctc1 / ctcmsa: core ran the unit's checks (and any trap) and resolved the value
    guestWriteCsr(m, vi, reg === ids.MSACSR, next);
    return NO_EXIT;
  }
  const old = guestRead(m, v, reg);
  if (reg === ids.Status) {
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
  if (next === old) return NO_EXIT;
  guestExit(m, vi, reg === ids.Config5 ? GSFC_CONFIG5 : GSFC_CONFIG);
  return kvm_trap_vz_handle_guest_exit(m, vi, reg, next);
}

/** Where register `reg` of `unit` lives for the guest: by the guest's Status.FR. */
export function guestSlice(m: MipsVz, v: Vcpu, unit: number, reg: number): Slice {
  const table = v.status & ST0_FR ? m.slices.fr1 : m.slices.fr0;
  return (table[unit] as readonly Slice[])[reg] as Slice;
}

/** A host thread's register (host tasks are 64-bit with FR=1). */
export function hostSlice(m: MipsVz, unit: number, reg: number): Slice {
  return (m.slices.fr1[unit] as readonly Slice[])[reg] as Slice;
}
