/** The variants: one kernel generation each of the FP/SIMD-disabled trap → own path. */
import type { UnitSpec, VariantSpec } from '@vfpu/core';
import { estimates } from '@vfpu/core/backend-utils';
import {
  FCSR_SLICE,
  FPU_BYTES,
  IMAGE_BYTES,
  LASX_UPPER_BYTES,
  LBT_BYTES,
  LSX_UPPER_BYTES,
} from './layout.js';

const UNITS: readonly UnitSpec[] = [
  {
    id: 'fpu',
    description: 'FP: 32 × 64-bit $f0–$f31 (the low 64 bits of each $vr), FCC0–7, FCSR0',
    parent: 'lsx',
    partBytes: FPU_BYTES,
    registers: 32,
    class: 'scalar',
  },
  {
    id: 'lsx',
    description: 'LSX: 32 × 128-bit $vr0–$vr31 (the low 128 bits of each $xr)',
    parent: 'lasx',
    partBytes: LSX_UPPER_BYTES,
    registers: 32,
    class: 'vec128',
  },
  {
    id: 'lasx',
    description: 'LASX: 32 × 256-bit $xr0–$xr31',
    partBytes: LASX_UPPER_BYTES,
    registers: 32,
    class: 'vec256',
  },
  {
    id: 'lbt',
    description: 'LBT: scr0–scr3 and eflags (binary translation), 5 × 64-bit',
    partBytes: LBT_BYTES,
    registers: 5,
  },
];

/** Guest CSR.EUEN bit names (asm/loongarch.h CSR_EUEN_*EN). */
export const EUEN_BITS = { FPE: 0, SXE: 1, ASXE: 2, BTE: 3 } as const;

function variant(id: string, description: string, kernel: string): VariantSpec {
  return {
    id,
    description,
    kernel,
    units: UNITS,
    classMap: { scalar: 'fpu', vec128: 'lsx', vec256: 'lasx', vec512: 'lasx', matrix: 'lasx' },
    registerFileBytes: IMAGE_BYTES,
    controlRegisters: [
      {
        name: 'EUEN',
        description: "the guest's own CSR.EUEN (a GCSR: written without an exit)",
        bits: EUEN_BITS,
      },
      {
        name: 'FCSR0',
        description: 'FP control and status (movgr2fcsr: an FP instruction)',
        bits: { RM0: 8, RM1: 9, TM: 6 },
        unit: 'fpu',
        slice: FCSR_SLICE,
      },
    ],
    trapGranularity: { scope: 'unit' },
    kvm: { policy: 'lazy' },
    costs: estimates({
      trap: 1500,
      host_trap: 300,
      exit: 1200,
      save_fixed: 20,
      save_per_byte: 0.25,
      restore_fixed: 20,
      restore_per_byte: 0.25,
      control: 10,
    }),
  };
}

export const VARIANTS: readonly VariantSpec[] = [
  variant(
    'gen-1',
    'own inside the exit handler (Gen-1/2): kvm_handle_*_disabled calls kvm_own_* at once',
    'Linux v6.7 (the LoongArch KVM port) until the 2026 delayed load (its last version not checked): arch/loongarch/kvm/{exit.c @3dda649, vcpu.c, switch.S}, kernel/fpu.S',
  ),
  variant(
    'aux-load',
    'delayed load (2026): the exit handler raises KVM_REQ_AUX_LOAD; kvm_late_check_requests owns with IRQs off',
    'Linux 2026 (vcpu.c @01f492e: KVM_REQ_AUX_LOAD, aux_ldtype); exit.c as the v3 4/4 patch with the merged names',
  ),
];
