/**
 * arch/loongarch/include/asm/lbt.h: a host thread's lazy LBT (TIF_USEDLBT): own_lbt_inatomic,
 * lose_lbt_inatomic (switch_to runs it for `prev`, after lose_fpu_inatomic).
 */
import { CSR_EUEN_LBTEN } from './layout.js';
import { _restore_lbt, _save_lbt } from './lbt.js';
import { type LoongState, NOWHERE } from './state.js';

/** own_lbt_inatomic(restore): unless `t` owns LBT, __own_lbt (LBTEN, TIF_USEDLBT), _restore_lbt. */
export function own_lbt_inatomic(s: LoongState, t: number, restore: boolean): void {
  if (s.usedLbt[t] === 1) return;
  if (s.h.trace.on) s.h.trace.fn(1, 'own_lbt_inatomic');
  const cpu = s.cpuOf[t] as number;
  s.euen[cpu] = (s.euen[cpu] as number) | CSR_EUEN_LBTEN;
  s.h.control(1);
  s.usedLbt[t] = 1;
  if (restore) _restore_lbt(s, t);
}

/** lose_lbt_inatomic(save, tsk): if `t` owns LBT, _save_lbt, disable LBTEN, clear TIF_USEDLBT. */
export function lose_lbt_inatomic(s: LoongState, save: boolean, t: number): void {
  const cpu = s.cpuOf[t] as number;
  if (s.usedLbt[t] !== 1 || cpu === NOWHERE) return;
  if (s.h.trace.on) s.h.trace.fn(1, 'lose_lbt_inatomic');
  if (save) _save_lbt(s, t);
  s.euen[cpu] = (s.euen[cpu] as number) & ~CSR_EUEN_LBTEN;
  s.h.control(1);
  s.usedLbt[t] = 0;
}
