/**
 * Where each register lives in the register file and in every save area, laid out as struct
 * mips_fpu_struct: fpr[32] of `slot` bytes (union fpureg), then fcr31 and msacsr. Frozen slices,
 * built once per machine: the hooks return them without allocating.
 */
import type { Slice } from '@vfpu/core';
import { slice, sliceTable } from '@vfpu/core/backend-utils';
import { fcsrOffset, msacsrOffset } from './csr.js';
import type { MipsIds } from './ids.js';
import { NUM_FPU_REGS } from './state.js';

export class MipsSlices {
  /**
   * By unit id, register n with guest Status.FR=1 (and for host threads: 64-bit tasks with
   * FR=1): FPR n is the low 64 bits of vector n, MSA vector n 128 bits, LASX vector n 256 bits.
   */
  readonly fr1: readonly (readonly Slice[])[];
  /**
   * By unit id with FR=0: the FPU follows the "odd doubles" rule (an even n is the double in
   * fpr[n], an odd n the single in the upper word of fpr[n - 1]: proc.h BUILD_FPR_ACCESS,
   * little-endian); the vector units are as with FR=1.
   */
  readonly fr0: readonly (readonly Slice[])[];
  /** 8, 16 and 32 bytes of every register (ONE_REG FPR_64, VEC_128, VEC_256). */
  readonly fpr64: readonly Slice[];
  readonly vec128: readonly Slice[];
  readonly vec256: readonly Slice[];
  /** ONE_REG FPR_32(n): FR=1 the low word of fpr[n]; FR=0 word (n & 1) of fpr[n & ~1]. */
  readonly fpr32Fr1: readonly Slice[];
  readonly fpr32Fr0: readonly Slice[];
  /** fcr31 and msacsr. */
  readonly fcsr: Slice;
  readonly msacsr: Slice;

  constructor(slot: number, ids: MipsIds) {
    this.fpr64 = sliceTable(0, 8, NUM_FPU_REGS, slot);
    this.vec128 = sliceTable(0, 16, NUM_FPU_REGS, slot);
    this.vec256 = sliceTable(0, 32, NUM_FPU_REGS, slot);
    this.fpr32Fr1 = sliceTable(0, 4, NUM_FPU_REGS, slot);
    this.fpr32Fr0 = Object.freeze(
      Array.from({ length: NUM_FPU_REGS }, (_, n) => slice((n & ~1) * slot + 4 * (n & 1), 4)),
    );
    const fpuFr0 = Object.freeze(
      Array.from({ length: NUM_FPU_REGS }, (_, n) =>
        n & 1 ? slice((n - 1) * slot + 4, 4) : slice(n * slot, 8),
      ),
    );
    const fr1: (readonly Slice[])[] = [];
    fr1[ids.fpu] = this.fpr64;
    fr1[ids.msa] = this.vec128;
    if (ids.lasx >= 0) fr1[ids.lasx] = this.vec256;
    const fr0 = [...fr1];
    fr0[ids.fpu] = fpuFr0;
    this.fr1 = Object.freeze(fr1);
    this.fr0 = Object.freeze(fr0);
    this.fcsr = slice(fcsrOffset(slot), 4);
    this.msacsr = slice(msacsrOffset(slot), 4);
  }
}
