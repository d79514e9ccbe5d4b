/**
 * arch/loongarch/kernel/traps.c: a host thread's FP / LSX / LASX-disabled exceptions. The model
 * takes every thread's FP, LSX and LASX context as already used (used_math(),
 * TIF_LSX_CTX_LIVE, TIF_LASX_CTX_LIVE, TIF_LBT_CTX_LIVE): the first-use paths (init_fpu,
 * init_lsx_upper, init_lasx_upper, init_lbt) are not modelled.
 */
import { __own_fpu, own_fpu_inatomic, set_csr_euen_host } from './asm-fpu.js';
import { own_lbt_inatomic } from './asm-lbt.js';
import { _restore_lasx, _restore_lasx_upper, _restore_lsx, _restore_lsx_upper } from './fpu.js';
import { CSR_EUEN_LASXEN, CSR_EUEN_LSXEN } from './layout.js';
import type { LoongState } from './state.js';

/** init_restore_fp (context used before): own_fpu_inatomic(1) unless the thread owns it. */
function init_restore_fp(s: LoongState, t: number): void {
  own_fpu_inatomic(s, t, true);
}

/** init_restore_lsx (context live): upper halves if it owns FP, else __own_fpu + restore_lsx. */
function init_restore_lsx(s: LoongState, t: number): void {
  set_csr_euen_host(s, s.cpuOf[t] as number, CSR_EUEN_LSXEN); // enable_lsx
  if (s.usedSimd[t] !== 1) {
    if (s.usedFpu[t] === 1) {
      _restore_lsx_upper(s, t);
    } else {
      __own_fpu(s, t);
      _restore_lsx(s, t);
    }
  }
  s.usedSimd[t] = 1;
}

/** init_restore_lasx (context live). */
function init_restore_lasx(s: LoongState, t: number): void {
  set_csr_euen_host(s, s.cpuOf[t] as number, CSR_EUEN_LASXEN); // enable_lasx
  if (s.usedFpu[t] === 1 || s.usedSimd[t] === 1) {
    init_restore_lsx(s, t);
    _restore_lasx_upper(s, t);
  } else {
    __own_fpu(s, t);
    set_csr_euen_host(s, s.cpuOf[t] as number, CSR_EUEN_LSXEN); // enable_lsx
    _restore_lasx(s, t);
  }
  s.usedSimd[t] = 1;
}

/** do_fpu: init_restore_fp. */
export function do_fpu(s: LoongState, t: number): void {
  if (s.h.trace.on) s.h.trace.fn(0, 'do_fpu');
  init_restore_fp(s, t);
}

/** do_lsx: init_restore_lsx. */
export function do_lsx(s: LoongState, t: number): void {
  if (s.h.trace.on) s.h.trace.fn(0, 'do_lsx');
  init_restore_lsx(s, t);
}

/** do_lasx: init_restore_lasx. */
export function do_lasx(s: LoongState, t: number): void {
  if (s.h.trace.on) s.h.trace.fn(0, 'do_lasx');
  init_restore_lasx(s, t);
}

/** do_lbt (with LBT support) → init_restore_lbt (context live): own_lbt_inatomic(1). */
export function do_lbt(s: LoongState, t: number): void {
  if (s.h.trace.on) s.h.trace.fn(0, 'do_lbt');
  own_lbt_inatomic(s, t, true);
}
