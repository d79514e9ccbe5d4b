/**
 * 32-bit KVM_GET_ONE_REG / KVM_SET_ONE_REG of the VFP control registers (arch/arm/kvm/coproc.c
 * vfp_get_reg / vfp_set_reg; ids from arch/arm/include/uapi/asm/kvm.h KVM_REG_ARM_VFP_*).
 */
import type { UserRegisterSpec } from '@vfpu/core';
import { VFP_FPEXC, VFP_FPINST, VFP_FPINST2, VFP_FPSCR } from '../regs.js';

/** KVM_REG_ARM | KVM_REG_SIZE_U32 | KVM_REG_ARM_VFP (0x12 << KVM_REG_ARM_COPROC_SHIFT). */
const KVM_REG_ARM_VFP_U32 = 0x4020000000120000n;

/** Handle → [name, KVM_REG_ARM_VFP_* number, offset in vfp_guest (or −1: read from hardware)]. */
export const VFP_REGS: readonly (readonly [string, number, number])[] = [
  ['FPEXC', 0x1008, VFP_FPEXC],
  ['FPSCR', 0x1001, VFP_FPSCR],
  ['FPINST', 0x1009, VFP_FPINST],
  ['FPINST2', 0x100a, VFP_FPINST2],
  ['FPSID', 0x1000, -1],
  ['MVFR0', 0x1007, -1],
  ['MVFR1', 0x1006, -1],
];

function idOf(n: number): bigint {
  return KVM_REG_ARM_VFP_U32 | BigInt(n);
}

export const ARM32_USER_REGISTERS: UserRegisterSpec = {
  description: `KVM_REG_ARM_VFP_* ids: ${VFP_REGS.map(([n]) => n).join(', ')}, or the 64-bit id in hex (e.g. 0x${idOf(0x1009).toString(16)} for FPINST)`,
  resolve(id: string): number | string {
    const byName = VFP_REGS.findIndex(([n]) => n === id || `KVM_REG_ARM_VFP_${n}` === id);
    if (byName >= 0) return byName;
    if (/^0[xX][0-9a-fA-F]{1,16}$/.test(id)) {
      const value = BigInt(id);
      const h = VFP_REGS.findIndex(([, n]) => idOf(n) === value);
      if (h >= 0) return h;
    }
    return `unknown register id "${id}" (known: ${VFP_REGS.map(([n]) => n).join(', ')}, or a KVM_REG_ARM_VFP id in hex)`;
  },
  name(handle: number): string {
    return `KVM_REG_ARM_VFP_${VFP_REGS[handle]?.[0] ?? '?'}`;
  },
};
