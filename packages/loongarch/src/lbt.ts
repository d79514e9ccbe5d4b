/**
 * arch/loongarch/kernel/lbt.S: `_save_lbt` / `_restore_lbt`, scr0–scr3 and eflags (8 bytes each,
 * stptr.d / ldptr.d), used by KVM on `vcpu->arch.lbt` and by the host on `thread.lbt`.
 */
import { copyStrided } from '@vfpu/core/backend-utils';
import { LBT_BYTES, LBT_OFFSET } from './layout.js';
import type { LoongState } from './state.js';

/** _save_lbt: context `ctx`'s LBT registers from its pCPU into its save area. */
export function _save_lbt(s: LoongState, ctx: number): void {
  const bytes = copyStrided(
    s.fpu[ctx] as Uint8Array,
    s.hw(ctx),
    LBT_OFFSET,
    LBT_BYTES,
    1,
    LBT_BYTES,
  );
  s.h.call(s.ops._save_lbt, ctx, bytes, s.lbtBit, 2);
}

/** _restore_lbt: context `ctx`'s LBT registers from its save area into its pCPU. */
export function _restore_lbt(s: LoongState, ctx: number): void {
  const bytes = copyStrided(
    s.hw(ctx),
    s.fpu[ctx] as Uint8Array,
    LBT_OFFSET,
    LBT_BYTES,
    1,
    LBT_BYTES,
  );
  s.h.call(s.ops._restore_lbt, ctx, bytes, s.lbtBit, 2);
  s.h.loaded(s.cpuOf[ctx] as number, ctx, s.lbtBit);
}
