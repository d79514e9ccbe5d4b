/**
 * arch/loongarch/kernel/fpu.S: the host kernel's upper-half restores, exported for KVM
 * (lsx_restore_all_upper / lasx_restore_all_upper in asmmacro.h). They move no FCC / FCSR0.
 */
import { copyStrided } from '@vfpu/core/backend-utils';
import { CC_CSR_BYTES, FCC_OFFSET, NUM_FPU_REGS, SLOT } from './layout.js';
import type { LoongState } from './state.js';

/** _restore_lsx_upper: bits 127:64 of each $vr from slot + 8 (vinsgr2vr.d element 1). */
export function _restore_lsx_upper(s: LoongState, v: number): void {
  const bytes = copyStrided(s.hw(v), s.fpu[v] as Uint8Array, 8, SLOT, NUM_FPU_REGS, 8);
  s.h.call(s.ops._restore_lsx_upper, v, bytes, s.lsxBit, 2);
  s.h.loaded(s.cpuOf[v] as number, v, s.lsxBit);
}

/** _restore_lasx_upper: bits 255:128 of each $xr from slot + 16 (xvpermi.q). */
export function _restore_lasx_upper(s: LoongState, v: number): void {
  const bytes = copyStrided(s.hw(v), s.fpu[v] as Uint8Array, 16, SLOT, NUM_FPU_REGS, 16);
  s.h.call(s.ops._restore_lasx_upper, v, bytes, s.lasxBit, 2);
  s.h.loaded(s.cpuOf[v] as number, v, s.lasxBit);
}

/** Data registers at `len` bytes each, then fcc and fcsr (fpu_save_* / fpu_restore_* macros). */
function move(dst: Uint8Array, src: Uint8Array, len: number): number {
  return (
    copyStrided(dst, src, 0, SLOT, NUM_FPU_REGS, len) +
    copyStrided(dst, src, FCC_OFFSET, CC_CSR_BYTES, 1, CC_CSR_BYTES)
  );
}

/** A host thread's save at a width (8 / 16 / 32 bytes per register) into thread.fpu. */
function hostSave(s: LoongState, t: number, op: number, len: number, units: number): void {
  s.h.call(op, t, move(s.fpu[t] as Uint8Array, s.hw(t), len), units, 2);
}

/** A host thread's restore at a width from thread.fpu. */
function hostRestore(s: LoongState, t: number, op: number, len: number, units: number): void {
  s.h.call(op, t, move(s.hw(t), s.fpu[t] as Uint8Array, len), units, 2);
  s.h.loaded(s.cpuOf[t] as number, t, units);
}

/** _save_fp: fpu_save_csr, fpu_save_double, fpu_save_cc (268 bytes). */
export function _save_fp(s: LoongState, t: number): void {
  hostSave(s, t, s.hostOps._save_fp, 8, s.fpuBit);
}
/** _restore_fp: fpu_restore_double, fpu_restore_csr, fpu_restore_cc. */
export function _restore_fp(s: LoongState, t: number): void {
  hostRestore(s, t, s.hostOps._restore_fp, 8, s.fpuBit);
}
/** _save_lsx: 32 × 128-bit + FCC + FCSR0. */
export function _save_lsx(s: LoongState, t: number): void {
  hostSave(s, t, s.hostOps._save_lsx, 16, s.fpuBit | s.lsxBit);
}
/** _restore_lsx. */
export function _restore_lsx(s: LoongState, t: number): void {
  hostRestore(s, t, s.hostOps._restore_lsx, 16, s.fpuBit | s.lsxBit);
}
/** _save_lasx: 32 × 256-bit + FCC + FCSR0. */
export function _save_lasx(s: LoongState, t: number): void {
  hostSave(s, t, s.hostOps._save_lasx, 32, s.fpuBit | s.lsxBit | s.lasxBit);
}
/** _restore_lasx. */
export function _restore_lasx(s: LoongState, t: number): void {
  hostRestore(s, t, s.hostOps._restore_lasx, 32, s.fpuBit | s.lsxBit | s.lasxBit);
}
