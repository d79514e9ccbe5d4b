/**
 * What a guest write of XCR0, CR0, CPL, IA32_XFD, IA32_XFD_ERR or TILECFG does, for a policy that
 * plans a slice (`Machine.guestWriteEffect`): the decisions of machine.ts guestWrite and the
 * kernel paths it takes, on the values the slice's earlier writes left, without running them.
 */
import { WRITE_EXITS, WRITE_LOADS, WRITE_USE_UNIT_SHIFT, WRITE_USES } from '@vfpu/core';
import { CR0_TS } from './hw/guest.js';
import { xcr0Refused } from './kvm/x86.js';
import { MASK } from './layout.js';
import type { X86, X86Vcpu } from './state.js';

/**
 * - XCR0: XSETBV at CPL > 0 raises #GP before any exit (hw xsetbvFaults); at CPL 0 it exits
 *   (handle_xsetbv → kvm_emulate_xsetbv), and __kvm_set_xcr keeps the old value where it would
 *   #GP; the guest's enables are XCR0's.
 * - CR0 (4.8 only: guest-owned, no exit, in 6.16 and while the guest FPU is loaded): with the
 *   guest FPU inactive it exits (handle_cr), and a clear of TS (handle_clts → vmx_fpu_activate →
 *   kvm_load_guest_fpu) loads every component, no trap: a load when nothing is live.
 * - IA32_XFD: intercepted (handle_wrmsr → vmx_set_msr) until the first non-zero write, read at the
 *   slice's start (v.xfdNoWriteIntercept); IA32_XFD_ERR always. Enables unchanged.
 * - TILECFG (6.16): LDTILECFG needs XCR0's AMX components; with the guest fpstate not loaded it
 *   is KVM's XFD #NM first (lazyGuestLdtilecfg): a use of AMX, then the re-entry.
 * - CPL: no exit, nothing enabled (it only decides XSETBV's #GP).
 */
export function guestWriteEffect(
  m: X86,
  v: X86Vcpu,
  reg: number,
  values: Uint32Array,
  old: number,
): number {
  const r = m.regs;
  if (reg === r.xcr0) {
    const cpl = (values[r.cpl] as number) & 3;
    if (cpl !== 0 || xcr0Refused(v, values[reg] as number)) values[reg] = old;
    return m.enabledUnits(values[reg] as number) | (cpl === 0 ? WRITE_EXITS : 0);
  }
  const enabled = m.enabledUnits(values[r.xcr0] as number);
  if (reg === r.cr0) {
    if (!m.legacy) return enabled;
    // exits only while the guest FPU is inactive (nothing live): then a clear of TS loads
    return enabled | WRITE_EXITS | ((values[reg] as number) & CR0_TS ? 0 : WRITE_LOADS);
  }
  if (reg === r.xfd) return enabled | (v.xfdNoWriteIntercept ? 0 : WRITE_EXITS);
  if (reg === r.xfdErr) return enabled | WRITE_EXITS;
  if (reg === r.tilecfg) {
    const amx = m.units.amx;
    if (m.legacy || amx < 0 || ((values[r.xcr0] as number) & MASK.XTILE) !== MASK.XTILE)
      return enabled;
    return enabled | WRITE_USES | WRITE_EXITS | (amx << WRITE_USE_UNIT_SHIFT);
  }
  return -1;
}
