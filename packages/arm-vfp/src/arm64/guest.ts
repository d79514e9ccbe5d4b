/**
 * Userspace KVM_GET_ONE_REG / KVM_SET_ONE_REG of the vCPU's FP state (arch/arm64/kvm/guest.c:
 * get_core_reg / set_core_reg for the vregs, get_sve_reg / set_sve_reg for ZREG, PREG, FFR).
 */
import type { Slice } from '@vfpu/core';
import { copyStrided } from '@vfpu/core/backend-utils';
import type { Arm64, Vcpu } from './state.js';

/** V(n) (the low 128 bits of Z(n)); with SVE Z(n) at the max VL (0–31), P(n) (32–47), FFR (48). */
export function fpRegSlice(a: Arm64, unit: number, reg: number): Slice {
  return (a.regSlices[unit] as readonly Slice[])[reg] as Slice;
}

/** Core vregs are -EINVAL for an SVE vCPU; SVE ZREG/PREG/FFR are -ENOENT without SVE. */
function regSlice(a: Arm64, unit: number, reg: number): Slice | null {
  if ((unit === a.unitSve) !== a.o.sve) return null;
  return fpRegSlice(a, unit, reg);
}

/** kvm_arm_get_reg → get_core_reg / get_sve_reg. */
export function kvm_arm_get_reg(
  a: Arm64,
  vi: number,
  unit: number,
  reg: number,
  out: Uint8Array,
): Slice | null {
  const p = regSlice(a, unit, reg);
  if (p !== null) copyStrided(out, (a.vcpus[vi] as Vcpu).fp_regs, p.offset, 0, 1, p.length);
  return p;
}

/** kvm_arm_set_reg → set_core_reg / set_sve_reg. */
export function kvm_arm_set_reg(
  a: Arm64,
  vi: number,
  unit: number,
  reg: number,
  src: Uint8Array,
): boolean {
  const p = regSlice(a, unit, reg);
  if (p === null) return false;
  copyStrided((a.vcpus[vi] as Vcpu).fp_regs, src, p.offset, 0, 1, p.length);
  return true;
}
