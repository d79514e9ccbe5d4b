/**
 * Architectural constants, named as the kernel names them (arch/arm/include/asm/{kvm_arm.h,vfp.h},
 * arch/arm64/include/asm/{kvm_arm.h,esr.h,sysreg.h}), and the guest-writable control registers.
 */
import type { ControlRegisterSpec, MachineIds, VariantSpec } from '@vfpu/core';
import { slice } from '@vfpu/core/backend-utils';

// ---- 32-bit: HCPTR (kvm_arm.h HCPTR_*) ---------------------------------------------------------
export const HCPTR_TCP10 = 1 << 10;
export const HCPTR_TCP11 = 1 << 11;
export const HCPTR_TTA = 1 << 20;
/** What `set_hcptr vmentry` / `__activate_traps` sets: TTA|TCP10|TCP11 = 0x00100C00. */
export const HCPTR_GUEST = (HCPTR_TTA | HCPTR_TCP10 | HCPTR_TCP11) >>> 0;
export const HCPTR_TCP_VFP = HCPTR_TCP10 | HCPTR_TCP11;

// ---- 32-bit: FPEXC (vfp.h FPEXC_*) ------------------------------------------------------------
export const FPEXC_EX = 0x80000000;
export const FPEXC_EN = 1 << 30;
export const FPEXC_FP2V = 1 << 28;

// ---- 32-bit: struct vfp_hard_struct (fpstate.h), CONFIG_VFPv3 ---------------------------------
/** fpregs[32] (u64), then fpexc, fpscr, fpinst, fpinst2: 32 slots even on D16 hardware. */
export const VFP_FPEXC = 256;
export const VFP_FPSCR = 260;
export const VFP_FPINST = 264;
export const VFP_FPINST2 = 268;
/** Bytes of the fields KVM moves (the `cpu` word under CONFIG_SMP is not part of the transfer). */
export const VFP_HARD_BYTES = 272;
/** VFPFSTMIA: d0–d15 always, d16–d31 only when MVFR0.A_SIMD == 2, then the four words. */
export function vfpTransferBytes(d32: boolean): number {
  return (d32 ? 256 : 128) + 16;
}

// ---- 32-bit: HSR (kvm_arm.h HSR_*) ------------------------------------------------------------
export const HSR_EC_SHIFT = 26;
export const HSR_IL = 1 << 25;
export const HSR_CV = 1 << 24;
export const HSR_EC_WFI = 0x01;
export const HSR_EC_CP_0_13 = 0x07;
export const HSR_EC_CP10_ID = 0x08;
export const HSR_EC_HVC = 0x12;
export const HSR_EC_DABT = 0x24;
/** Condition code AL. */
export const COND_AL = 0xe;

// ---- arm64: CPTR_EL2 (nVHE) and CPACR_EL1 / CPTR_EL2 under VHE ---------------------------------
export const CPTR_EL2_TFP = 1 << 10;
export const CPTR_EL2_TZ = 1 << 8;
export const CPTR_EL2_TTA = 1 << 20;
export const CPTR_EL2_TAM = 1 << 30;
/** CPTR_NVHE_EL2_RES1: bits 13, 9 and 7:0. */
export const CPTR_NVHE_EL2_RES1 = 0x32ff;
export const CPACR_EL1_ZEN_EL1EN = 1 << 16;
export const CPACR_EL1_ZEN_EL0EN = 1 << 17;
export const CPACR_EL1_FPEN_EL1EN = 1 << 20;
export const CPACR_EL1_FPEN_EL0EN = 1 << 21;
export const CPACR_EL1_ZEN = CPACR_EL1_ZEN_EL1EN | CPACR_EL1_ZEN_EL0EN;
export const CPACR_EL1_FPEN = CPACR_EL1_FPEN_EL1EN | CPACR_EL1_FPEN_EL0EN;
export const CPACR_EL1_TTA = 1 << 28;

// ---- arm64: ESR_ELx (esr.h) -------------------------------------------------------------------
export const ESR_ELx_EC_FP_ASIMD = 0x07;
export const ESR_ELx_EC_SVE = 0x19;
export const ESR_ELx_EC_WFx = 0x01;
export const ESR_ELx_EC_HVC64 = 0x16;
export const ESR_ELx_EC_SYS64 = 0x18;
export const ESR_ELx_EC_DABT_LOW = 0x24;

/** FPEXC32_EL2 while the guest does not own FP: EN only (switch.h __activate_traps_fpsimd32). */
export const FPEXC32_TRAP_VALUE = 1 << 30;

// ---- arm64 register file layout (room for the architectural maximum, VQ = 16) ------------------
export const SVE_VQ_MAX = 16;
/** Z0–Z31 at a 256-byte stride; V(n) is the low 16 bytes of Z(n). */
export const Z_STRIDE = SVE_VQ_MAX * 16;
export const P_BASE = 32 * Z_STRIDE;
export const P_STRIDE = SVE_VQ_MAX * 2;
export const FFR_OFFSET = P_BASE + 16 * P_STRIDE;
export const FPSR_OFFSET = FFR_OFFSET + P_STRIDE;
export const FPCR_OFFSET = FPSR_OFFSET + 4;
export const ARM64_REGISTER_FILE_BYTES = FPCR_OFFSET + 4;
/** __fpsimd_save_state / fpsimd_save macro: q0–q31 (512 B), fpsr, fpcr; __reserved[2] untouched. */
export const FPSIMD_TRANSFER_BYTES = 520;
/** SVE_SIG_REGS_SIZE(vq) = 546 × VQ, plus FPSR and FPCR (8 B) through &fp_regs.fpsr. */
export function sveTransferBytes(vq: number): number {
  return 546 * vq + 8;
}

// ---- control registers -----------------------------------------------------------------------
/** The 32-bit control registers: the four words after fpregs[32] in struct vfp_hard_struct. */
export const ARM32_CONTROL_REGISTERS: readonly ControlRegisterSpec[] = [
  {
    name: 'FPEXC',
    description:
      'VFP exception register (VMSR FPEXC; writable while FPEXC.EN = 0; EN gates every other VFP/NEON instruction)',
    bits: { EX: 31, EN: 30, DEX: 29, FP2V: 28, VV: 27, TFV: 26 },
    unit: 'vfp',
    slice: slice(VFP_FPEXC, 4),
  },
  {
    name: 'FPSCR',
    description: 'VFP status and control (VMSR FPSCR): rounding mode, enables, cumulative flags',
    bits: {
      N: 31,
      Z: 30,
      C: 29,
      V: 28,
      QC: 27,
      AHP: 26,
      DN: 25,
      FZ: 24,
      RMode1: 23,
      RMode0: 22,
      IDE: 15,
      IXE: 12,
      UFE: 11,
      OFE: 10,
      DZE: 9,
      IOE: 8,
      IDC: 7,
      IXC: 4,
      UFC: 3,
      OFC: 2,
      DZC: 1,
      IOC: 0,
    },
    unit: 'vfp',
    slice: slice(VFP_FPSCR, 4),
  },
  {
    name: 'FPINST',
    description:
      'the exceptional instruction (VFP subarchitecture); meaningful only while FPEXC.EX = 1',
    bits: {},
    unit: 'vfp',
    slice: slice(VFP_FPINST, 4),
    readByUse: false,
  },
  {
    name: 'FPINST2',
    description: 'the second pending instruction; meaningful only while FPEXC.EX = FP2V = 1',
    bits: {},
    unit: 'vfp',
    slice: slice(VFP_FPINST2, 4),
    readByUse: false,
  },
];

/** The arm64 control registers: the guest's CPACR_EL1 (no unit), FPCR and FPSR. */
export const ARM64_CONTROL_REGISTERS: readonly ControlRegisterSpec[] = [
  {
    name: 'CPACR_EL1',
    description:
      "the guest kernel's own FP/SVE enables (FPEN, ZEN); written natively by the guest, no exit",
    bits: { ZEN_EL1EN: 16, ZEN_EL0EN: 17, FPEN_EL1EN: 20, FPEN_EL0EN: 21 },
  },
  {
    name: 'FPCR',
    description: 'FP control (MSR FPCR): rounding mode, enables; read by every FP instruction',
    bits: {
      AHP: 26,
      DN: 25,
      FZ: 24,
      RMode1: 23,
      RMode0: 22,
      IDE: 15,
      IXE: 12,
      UFE: 11,
      OFE: 10,
      DZE: 9,
      IOE: 8,
    },
    unit: 'fpsimd',
    slice: slice(FPCR_OFFSET, 4),
  },
  {
    name: 'FPSR',
    description: 'FP status (MSR FPSR): cumulative exception flags, QC',
    bits: { N: 31, Z: 30, C: 29, V: 28, QC: 27, IDC: 7, IXC: 4, UFC: 3, OFC: 2, DZC: 1, IOC: 0 },
    unit: 'fpsimd',
    slice: slice(FPSR_OFFSET, 4),
    readByUse: false,
  },
];

/** Each control register's offset in the register file by id (−1: no slice, e.g. CPACR_EL1). */
export function controlOffsets(variant: VariantSpec, ids: MachineIds): Int32Array {
  const out = new Int32Array(variant.controlRegisters.length);
  for (const r of variant.controlRegisters)
    out[ids.controlRegisters[r.name] as number] = r.slice?.offset ?? -1;
  return out;
}

/** A 32-bit HSR / ESR as the hardware reports it: EC, IL, ISS. */
export function syndrome(ec: number, il: boolean, iss: number): number {
  return ((ec << HSR_EC_SHIFT) | (il ? HSR_IL : 0) | (iss & 0x1ffffff)) >>> 0;
}

export function hex(x: number, digits = 8): string {
  return `0x${(x >>> 0).toString(16).toUpperCase().padStart(digits, '0')}`;
}

/** "HSR 0x1FE0000A (EC 0x07, IL 1, ISS 0x1E0000A)". */
export function describeSyndrome(register: 'HSR' | 'ESR_EL2', value: number): string {
  const ec = value >>> HSR_EC_SHIFT;
  const il = (value >>> 25) & 1;
  const iss = value & 0x1ffffff;
  return `${register} ${hex(value)} (EC ${hex(ec, 2)}, IL ${il}, ISS ${hex(iss, 7)})`;
}
