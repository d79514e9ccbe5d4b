/**
 * What a guest mtc0 of Status, Config5 or Config does, for a policy that plans a slice
 * (`Machine.guestWriteEffect`): the same decisions as hardware.ts guestWrite and vz.c
 * kvm_trap_vz_handle_gsfc, on the values the slice's earlier writes left, without running them.
 */
import { WRITE_DROPS, WRITE_EXITS, WRITE_LOSES_IF_SHIFT, WRITE_RETURNS } from '@vfpu/core';
import { enabledBy } from './hardware.js';
import { CONF_CM_CMASK, GSFC_STATUS_FIELDS, MIPS_CONF_LASXEN, ST0_CU1, ST0_FR } from './regs.js';
import type { MipsVz, Vcpu } from './state.js';
import { kvm_vz_config5_guest_wrmask } from './vz.js';

/**
 * A Status write exits (GSFC) only when CU1, CU2, FR or MX changes (hardware.ts guestWrite);
 * kvm_trap_vz_handle_gsfc keeps CU1/FR only with a guest FPU and FR only with a 64-bit host FPU,
 * drops the FPU/vector state on an FR change (kvm_drop_fpu) and, on a CU1 change with FR=0,
 * saves it when a vector unit is live (kvm_lose_fpu). A Config5 or (LS) Config write exits when
 * the value changes and keeps the bits of kvm_vz_config5_guest_wrmask / CM|LASXEn, no FPU action.
 * Mainline has no GSFC case for Config: EMULATE_FAIL, KVM_EXIT_INTERNAL_ERROR (vz.ts
 * internalError), KVM_RUN returns and the value is not kept.
 */
export function guestWriteEffect(
  m: MipsVz,
  v: Vcpu,
  reg: number,
  values: Uint32Array,
  old: number,
): number {
  const ids = m.ids;
  let val = values[reg] as number;
  let flags = 0;
  if (reg === ids.Status) {
    if (((val ^ old) & GSFC_STATUS_FIELDS) !== 0) {
      flags = WRITE_EXITS;
      if (!m.guestHasFpu(v)) val &= ~(ST0_CU1 | ST0_FR);
      if (!m.o.hostF64) val &= ~ST0_FR;
      const change = val ^ old;
      if (change & ST0_FR) flags |= WRITE_DROPS;
      if (change & ST0_CU1 && !(val & ST0_FR)) {
        const vector = ids.MSA_BIT | (m.o.cpuHasLasx ? ids.LASX_BIT : 0);
        flags |= vector << WRITE_LOSES_IF_SHIFT;
      }
    }
  } else if (reg === ids.Config5 || reg === ids.Config) {
    if (val !== old) {
      if (reg === ids.Config && !m.o.cpuHasLasx) {
        values[reg] = old;
        return WRITE_RETURNS | enabledOf(m, v, values);
      }
      flags = WRITE_EXITS;
      const mask =
        reg === ids.Config5 ? kvm_vz_config5_guest_wrmask(m, v) : CONF_CM_CMASK | MIPS_CONF_LASXEN;
      val = old ^ ((val ^ old) & mask);
    }
  } else return -1;
  values[reg] = val >>> 0;
  return enabledOf(m, v, values) | flags;
}

function enabledOf(m: MipsVz, v: Vcpu, values: Uint32Array): number {
  const ids = m.ids;
  const status = values[ids.Status] as number;
  return enabledBy(m, v, status, values[ids.Config5] as number, values[ids.Config] as number);
}
