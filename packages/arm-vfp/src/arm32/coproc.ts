/**
 * Userspace KVM_GET_ONE_REG / KVM_SET_ONE_REG of the VFP state (arch/arm/kvm/coproc.c
 * vfp_get_reg / vfp_set_reg), on vcpu->arch.vfp_guest.
 */
import { copyStrided, packSlice, readU32 } from '@vfpu/core';
import { FPEXC_EX, FPEXC_FP2V, VFP_FPEXC, VFP_FPINST, VFP_FPINST2 } from '../regs.js';
import { VFP_REGS } from './one-reg.js';
import { type Arm32, UNIT_NEON, UNIT_VFP, type Vcpu } from './state.js';

/** The bank layout of struct vfp_hard_struct: d(n) at 8n; q(n) at 16n; d16–d31 from 128. */
export function bankSlice(unit: number, reg: number): number {
  if (unit === UNIT_VFP) return packSlice(8 * reg, 8);
  if (unit === UNIT_NEON) return packSlice(16 * reg, 16);
  return packSlice(128 + 8 * reg, 8);
}

/**
 * KVM_REG_ARM_VFP_BASE_REG + n: d(n) of vfp_guest; -ENOENT beyond num_fp_regs() (16 on D16),
 * and for every VFP id without CONFIG_VFPv3 (the table is under #ifdef CONFIG_VFPv3).
 */
export function fpRegSlice(a: Arm32, unit: number, reg: number): number {
  if (!a.o.vfpv3 || (!a.o.d32 && unit !== UNIT_VFP)) return -1;
  return bankSlice(unit, reg);
}

/** The control words of vfp_guest (KVM_REG_ARM_VFP_FPEXC …); FPSID/MVFR0/MVFR1 read hardware. */
export function controlRegSlice(a: Arm32, handle: number): number {
  const off = a.o.vfpv3 ? (VFP_REGS[handle]?.[2] ?? -1) : -1;
  return off < 0 ? -1 : packSlice(off, 4);
}

/** vfp_get_reg: slice `p` of vfp_guest to userspace; −1 (no such register) if `p` < 0. */
export function vfp_get_reg(a: Arm32, vi: number, p: number, out: Uint8Array): number {
  if (p >= 0) copySlice((a.vcpus[vi] as Vcpu).vfp_guest, out, p);
  return p;
}

/** vfp_set_reg: slice `p` of vfp_guest from userspace; an ID register only accepts the hardware's value (-EINVAL otherwise). */
export function vfp_set_reg(a: Arm32, vi: number, p: number, src: Uint8Array): boolean {
  if (p < 0) return false;
  copySlice(src, (a.vcpus[vi] as Vcpu).vfp_guest, p);
  return true;
}

/**
 * FPINST is meaningful only with EX, FPINST2 only with EX and FP2V: the stored word is
 * whatever the save left there, so it is not checked (−1).
 */
export function checkedControl(a: Arm32, vi: number, p: number): number {
  const fpexc = readU32((a.vcpus[vi] as Vcpu).vfp_guest, VFP_FPEXC);
  const off = p >>> 16;
  if (off === VFP_FPINST && !(fpexc & FPEXC_EX)) return -1;
  if (off === VFP_FPINST2 && (fpexc & (FPEXC_EX | FPEXC_FP2V)) !== (FPEXC_EX | FPEXC_FP2V))
    return -1;
  return p;
}

function copySlice(from: Uint8Array, to: Uint8Array, p: number): void {
  copyStrided(to, from, p >>> 16, 0, 1, p & 0xffff);
}
