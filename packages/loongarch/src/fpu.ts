/**
 * arch/loongarch/kernel/fpu.S: the host kernel's upper-half restores, exported for KVM
 * (lsx_restore_all_upper / lasx_restore_all_upper in asmmacro.h). They move no FCC / FCSR0.
 */
import { copyStrided } from '@vfpu/core/backend-utils';
import { NUM_FPU_REGS, SLOT } from './layout.js';
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
