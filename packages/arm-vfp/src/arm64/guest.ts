/**
 * Userspace KVM_GET_ONE_REG / KVM_SET_ONE_REG of the vCPU's FP state (arch/arm64/kvm/guest.c:
 * get_core_reg / set_core_reg for the vregs, get_sve_reg / set_sve_reg for ZREG, PREG, FFR).
 */
import { copyStrided, packSlice } from '@vfpu/core';
import { FFR_OFFSET, P_BASE, P_STRIDE, Z_STRIDE } from '../regs.js';
import { type Arm64, UNIT_SVE, type Vcpu } from './state.js';

/** V(n) (the low 128 bits of Z(n)); with SVE Z(n) at the max VL (0–31), P(n) (32–47), FFR (48). */
export function fpRegSlice(a: Arm64, unit: number, reg: number): number {
  if (unit !== UNIT_SVE) return packSlice(reg * Z_STRIDE, 16);
  const vq = a.o.vq;
  if (reg < 32) return packSlice(reg * Z_STRIDE, 16 * vq);
  if (reg < 48) return packSlice(P_BASE + (reg - 32) * P_STRIDE, 2 * vq);
  return packSlice(FFR_OFFSET, 2 * vq);
}

/** Core vregs are -EINVAL for an SVE vCPU; SVE ZREG/PREG/FFR are -ENOENT without SVE. */
function regSlice(a: Arm64, unit: number, reg: number): number {
  if ((unit === UNIT_SVE) !== a.o.sve) return -1;
  return fpRegSlice(a, unit, reg);
}

/** kvm_arm_get_reg → get_core_reg / get_sve_reg. */
export function kvm_arm_get_reg(
  a: Arm64,
  vi: number,
  unit: number,
  reg: number,
  out: Uint8Array,
): number {
  const p = regSlice(a, unit, reg);
  if (p < 0) return -1;
  copyStrided(out, (a.vcpus[vi] as Vcpu).fp_regs, p >>> 16, 0, 1, p & 0xffff);
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
  if (p < 0) return false;
  copyStrided((a.vcpus[vi] as Vcpu).fp_regs, src, p >>> 16, 0, 1, p & 0xffff);
  return true;
}
