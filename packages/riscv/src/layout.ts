/**
 * Where the state lives (glue). One layout serves the pCPU register file, every context's image
 * and KVM's `struct kvm_cpu_context` save areas, so a D-extension save area is byte-for-byte the
 * register file (arch/riscv/include/uapi/asm/ptrace.h):
 *
 * - `union __riscv_fp_state`: D view `f[32]` u64 at 8n, `fcsr` u32 at 256 (260 bytes moved by
 *   `__kvm_riscv_fp_d_save`); F view `f[32]` u32 at 4n, `fcsr` at 128 (132 bytes). In the
 *   register file a single-precision register n is the low word at 8n (FLEN 64, NaN-boxed).
 * - `struct __riscv_v_ext_state`: `vstart`, `vl`, `vtype`, `vcsr`, `vlenb` (unsigned long each,
 *   RV64) at 264…303, then the `datap` buffer of 32 × vlenb bytes, here at 320.
 */

import type { Slice } from '@vfpu/core';
import { slice, sliceTable } from '@vfpu/core/backend-utils';

export const NREGS = 32;
/** D view: f[n] at 8n, fcsr at 256; 32 × 8 + 4 bytes. */
export const D_FCSR = 256;
export const D_BYTES = NREGS * 8 + 4;
/** F view of the same union: f[n] at 4n, fcsr at 128; 32 × 4 + 4 bytes. */
export const F_FCSR = 128;
export const F_BYTES = NREGS * 4 + 4;
/** struct __riscv_v_ext_state (RV64: unsigned long = 8 bytes). */
export const VSTART = 264;
export const VL = 272;
export const VTYPE = 280;
export const VCSR = 288;
export const VLENB = 296;
/** The four CSRs __vstate_csr_save stores: vstart, vtype, vl, vcsr. */
export const VCSR_BYTES = 4 * 8;
export const VDATA = 320;
/** VLEN choices (bits); the register file holds the widest. */
export const VLENS = [128, 256, 512] as const;
export const MAX_VLENB = 64;
export const REGISTER_FILE_BYTES = VDATA + NREGS * MAX_VLENB;

/** FP register n as a D register (8 bytes) or as an F register (its low 4 bytes). */
export const D_SLICES: readonly Slice[] = sliceTable(0, 8, NREGS);
export const F_SLICES: readonly Slice[] = sliceTable(0, 4, NREGS, 8);
export const FCSR_SLICE = slice(D_FCSR, 4);
export const VCSR_SLICE = slice(VCSR, 4);

/** Vector register n for a VLEN (bits). */
export function vSlices(vlenb: number): readonly Slice[] {
  return sliceTable(VDATA, vlenb, NREGS);
}

/** The F view of the union read in a D save area: f[n] (n ≤ 32, 32 = fcsr) at 4n, = register-file bytes. */
export const F_VIEW_OF_D: readonly Slice[] = sliceTable(0, 4, NREGS + 1);
/** The vector CSRs vstart, vl, vtype, vcsr, vlenb (unsigned long each). */
export const VECTOR_CSR_SLICES: readonly Slice[] = sliceTable(VSTART, 8, 5);
