/**
 * Userspace KVM_GET_ONE_REG / KVM_SET_ONE_REG of the VFP state (arch/arm/kvm/coproc.c
 * vfp_get_reg / vfp_set_reg), on vcpu->arch.vfp_guest.
 */
import type { Slice } from '@vfpu/core';
import { copyStrided, readU32, slice } from '@vfpu/core/backend-utils';
import { FPEXC_EX, FPEXC_FP2V, VFP_FPEXC, VFP_FPINST, VFP_FPINST2 } from '../regs.js';
import { VFP_REGS } from './one-reg.js';
import type { Arm32, Vcpu } from './state.js';
import { INST_FPINST, INST_FPINST2 } from './vfp-bank.js';

/** The control words of vfp_guest by ONE_REG handle; null for FPSID/MVFR0/MVFR1 (hardware). */
const CONTROL_SLICES: readonly (Slice | null)[] = VFP_REGS.map(([, , off]) =>
  off < 0 ? null : slice(off, 4),
);

/** Where register `reg` of `unit` lives in struct vfp_hard_struct. */
export function bankSlice(a: Arm32, unit: number, reg: number): Slice {
  return (a.bankSlices[unit] as readonly Slice[])[reg] as Slice;
}

/**
 * KVM_REG_ARM_VFP_BASE_REG + n: d(n) of vfp_guest; -ENOENT (null) beyond num_fp_regs() (16 on
 * D16), and for every VFP id without CONFIG_VFPv3 (the table is under #ifdef CONFIG_VFPv3).
 */
export function fpRegSlice(a: Arm32, unit: number, reg: number): Slice | null {
  if (!a.o.vfpv3 || (!a.o.d32 && unit !== a.unitVfp)) return null;
  return bankSlice(a, unit, reg);
}

/** The control words of vfp_guest (KVM_REG_ARM_VFP_FPEXC …); FPSID/MVFR0/MVFR1 read hardware. */
export function controlRegSlice(a: Arm32, handle: number): Slice | null {
  return a.o.vfpv3 ? (CONTROL_SLICES[handle] ?? null) : null;
}

/** vfp_get_reg: slice `p` of vfp_guest to userspace; null (no such register) without `p`. */
export function vfp_get_reg(a: Arm32, vi: number, p: Slice | null, out: Uint8Array): Slice | null {
  if (p !== null) copyStrided(out, (a.vcpus[vi] as Vcpu).vfp_guest, p.offset, 0, 1, p.length);
  return p;
}

/** vfp_set_reg: slice `p` of vfp_guest from userspace; an ID register only accepts the hardware's value (-EINVAL otherwise). */
export function vfp_set_reg(a: Arm32, vi: number, p: Slice | null, src: Uint8Array): boolean {
  if (p === null) return false;
  const v = a.vcpus[vi] as Vcpu;
  copyStrided(v.vfp_guest, src, p.offset, 0, 1, p.length);
  v.inst |= instBit(p.offset);
  return true;
}

/** INST_FPINST / INST_FPINST2 for the word at `offset` of vfp_hard_struct, else 0. */
export function instBit(offset: number): number {
  return offset === VFP_FPINST ? INST_FPINST : offset === VFP_FPINST2 ? INST_FPINST2 : 0;
}

/**
 * FPINST is meaningful only with EX, FPINST2 only with EX and FP2V: the stored word is
 * whatever the save left there, so it is not checked (null). Nor is a word a world switch did
 * not transfer (Vcpu.inst): the guest set EX itself over another context's FPINST.
 */
export function checkedControl(a: Arm32, vi: number, p: Slice): Slice | null {
  const v = a.vcpus[vi] as Vcpu;
  const bit = instBit(p.offset);
  if (bit !== 0 && !(v.inst & bit)) return null;
  const fpexc = readU32(v.vfp_guest, VFP_FPEXC);
  if (p.offset === VFP_FPINST && !(fpexc & FPEXC_EX)) return null;
  if (p.offset === VFP_FPINST2 && (fpexc & (FPEXC_EX | FPEXC_FP2V)) !== (FPEXC_EX | FPEXC_FP2V))
    return null;
  return p;
}
