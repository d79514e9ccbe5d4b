/**
 * The variants of @vfpu/mips-vz and their defaults (units, register file, costs).
 */
import type { CostTable, ExitReasonSpec, VariantSpec } from '@vfpu/core';
import { mipsControlRegisters } from './control-registers.js';
import { MIPS_USER_REGISTERS } from './one-reg.js';
import { fpuStructBytes, NUM_FPU_REGS } from './state.js';

/**
 * No cycle figure for MIPS VZ is published: every default is an estimate. Pass your own table
 * with --costs.
 */
export const MIPS_COSTS: CostTable = {
  trap: {
    value: 1500,
    source:
      'estimate (no published MIPS VZ figure; an x86 exit round trip is ~2000: A. Landau, M. Ben-Yehuda, A. Gordon, "SplitX: Split Guest/Hypervisor Execution on Multi-Core", WIOV 2011)',
  },
  host_trap: { value: 300, source: 'estimate' },
  exit: { value: 1500, source: 'estimate (no published MIPS VZ figure)' },
  save_fixed: { value: 20, source: 'estimate' },
  save_per_byte: { value: 0.125, source: 'estimate (one 64-bit sdc1/st_d lane per cycle)' },
  restore_fixed: { value: 20, source: 'estimate' },
  restore_per_byte: { value: 0.125, source: 'estimate (one 64-bit ldc1/ld_d lane per cycle)' },
  control: { value: 10, source: 'estimate (mtc0 + hazard barrier)' },
};

/**
 * Exit reasons beyond the common ones (exits.ts handles them by their ids). Mainline handles
 * neither (KVM_EXIT_INTERNAL_ERROR, RESUME_HOST: back to userspace every time); LS-vz resumes the
 * guest after both.
 */
function mipsExitReasons(loongson: boolean): readonly ExitReasonSpec[] {
  return [
    {
      name: 'cop2',
      description:
        'the guest uses coprocessor 2 while root Status.CU2=0: Coprocessor Unusable exit, Cause.CE=2',
      toUserspace: !loongson,
    },
    {
      name: 'gsexc',
      description:
        'Cause.ExcCode 16 (Loongson GSExc) with GSCause.GSExcCode ≠ 7: not LASX Disabled, so not handled',
      toUserspace: !loongson,
    },
  ];
}

/**
 * kvm_own_fpu / kvm_own_msa / kvm_own_lasx enable the unit the trap was taken for (and, with
 * its own state, the narrower ones): what a policy grants beyond that decides how wide.
 */
const PER_UNIT = { scope: 'unit' } as const;

/** Variant `mainline`: mainline KVM on a MIPS64 VZ host with FPU and MSA. */
export const MAINLINE: VariantSpec = {
  id: 'mainline',
  description: 'MIPS64 VZ host with FPU and 128-bit MSA, mainline KVM (no LASX)',
  kernel:
    'Linux mainline arch/mips/kvm (vz.c, mips.c, fpu.S, msa.S, entry.c; checked against v5.7–v6.x sources)',
  units: [
    {
      id: 'fpu',
      description: 'scalar FPU: 32 FPRs (f0–f31), the low 64 bits of each vector register',
      parent: 'msa',
      partBytes: NUM_FPU_REGS * 8,
      registers: NUM_FPU_REGS,
      class: 'scalar',
    },
    {
      id: 'msa',
      description: 'MSA: 32 × 128-bit vector registers (w0–w31); adds the upper 64 bits',
      partBytes: NUM_FPU_REGS * 8,
      registers: NUM_FPU_REGS,
      class: 'vec128',
    },
  ],
  classMap: { scalar: 'fpu', vec128: 'msa', vec256: 'msa', vec512: 'msa', matrix: 'msa' },
  registerFileBytes: fpuStructBytes(16),
  controlRegisters: mipsControlRegisters(16),
  exitReasons: mipsExitReasons(false),
  userRegisters: MIPS_USER_REGISTERS,
  trapGranularity: PER_UNIT,
  kvm: { policy: 'lazy' },
  costs: MIPS_COSTS,
};

/** Variant `loongson-3a4000`: Loongson's downstream KVM with FPU, MSA and LASX (the default). */
export const LOONGSON_3A4000: VariantSpec = {
  id: 'loongson-3a4000',
  description:
    'Loongson 3A4000 (GS464V): FPU, 128-bit MSA and 256-bit LASX, Loongson downstream KVM',
  kernel:
    'Loongson MIPS kernel (zengyifei1993/kernel_2k1000 arch/mips/kvm mips.c @9fc00afa, vz.c @4e8ae257, msa.S @d0f2e3b6) on the mainline VZ base',
  units: [
    { ...(MAINLINE.units[0] as VariantSpec['units'][number]) },
    {
      ...(MAINLINE.units[1] as VariantSpec['units'][number]),
      parent: 'lasx',
      description:
        'MSA: 32 × 128-bit vector registers (w0–w31), the low half of each LASX register',
    },
    {
      id: 'lasx',
      description: 'LASX: 32 × 256-bit vector registers (xr0–xr31); adds the upper 128 bits',
      partBytes: NUM_FPU_REGS * 16,
      registers: NUM_FPU_REGS,
      class: 'vec256',
    },
  ],
  classMap: { scalar: 'fpu', vec128: 'msa', vec256: 'lasx', vec512: 'lasx', matrix: 'lasx' },
  registerFileBytes: fpuStructBytes(32),
  controlRegisters: mipsControlRegisters(32),
  exitReasons: mipsExitReasons(true),
  userRegisters: MIPS_USER_REGISTERS,
  trapGranularity: PER_UNIT,
  kvm: { policy: 'lazy' },
  costs: MIPS_COSTS,
};

/** Every variant of the backend, the default first. */
export const VARIANTS: readonly VariantSpec[] = [LOONGSON_3A4000, MAINLINE];

/** Does the variant run the Loongson kernel's LASX paths? */
export function hasLasx(variant: VariantSpec): boolean {
  return variant.units.some((u) => u.id === 'lasx');
}
