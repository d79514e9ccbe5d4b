/**
 * arch/loongarch/include/asm/fpu.h: the host's lazy FPU for host threads (the VMM threads and
 * the workload's other threads): TIF_USEDFPU / TIF_USEDSIMD, own_fpu_inatomic,
 * lose_fpu_inatomic (switch_to runs it for `prev`; KVM_RUN runs lose_fpu(1)).
 */
import { _restore_fp, _save_fp, _save_lasx, _save_lsx } from './fpu.js';
import { CSR_EUEN_FPEN, CSR_EUEN_LASXEN, CSR_EUEN_LSXEN } from './layout.js';
import { type LoongState, NOWHERE } from './state.js';

export function set_csr_euen_host(s: LoongState, cpu: number, bits: number): void {
  s.euen[cpu] = (s.euen[cpu] as number) | bits;
  s.h.control(1);
}

/** __own_fpu: enable FPEN, set TIF_USEDFPU. */
export function __own_fpu(s: LoongState, t: number): void {
  set_csr_euen_host(s, s.cpuOf[t] as number, CSR_EUEN_FPEN);
  s.usedFpu[t] = 1;
}

/** own_fpu_inatomic(restore): unless `t` owns the FPU, __own_fpu and _restore_fp. */
export function own_fpu_inatomic(s: LoongState, t: number, restore: boolean): void {
  if (s.usedFpu[t] === 1) return;
  if (s.h.trace.on) s.h.trace.fn(1, 'own_fpu_inatomic');
  __own_fpu(s, t);
  if (restore) _restore_fp(s, t);
}

/**
 * lose_fpu_inatomic(save, tsk): if `t` owns the FPU, save at the live width (LASX if LASXEN,
 * else LSX when it owns SIMD; else FP) and disable FPEN | LSXEN | LASXEN.
 */
export function lose_fpu_inatomic(s: LoongState, save: boolean, t: number): void {
  const cpu = s.cpuOf[t] as number;
  if (s.usedFpu[t] !== 1 || cpu === NOWHERE) return;
  if (s.h.trace.on) s.h.trace.fn(1, 'lose_fpu_inatomic');
  if (s.usedSimd[t] !== 1) {
    if (save) _save_fp(s, t);
    s.euen[cpu] = (s.euen[cpu] as number) & ~CSR_EUEN_FPEN;
  } else {
    if (save) {
      if (((s.euen[cpu] as number) & CSR_EUEN_LASXEN) === 0) _save_lsx(s, t);
      else _save_lasx(s, t);
    }
    s.euen[cpu] = (s.euen[cpu] as number) & ~(CSR_EUEN_FPEN | CSR_EUEN_LSXEN | CSR_EUEN_LASXEN);
    s.usedSimd[t] = 0;
  }
  s.h.control(1);
  s.usedFpu[t] = 0;
}
