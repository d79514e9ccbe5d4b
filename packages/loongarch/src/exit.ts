/**
 * arch/loongarch/kvm/exit.c: the FP/SIMD-disabled handlers of kvm_fault_tables, dispatched by
 * kvm_handle_fault on ESTAT.Ecode. Gen-1 (v6.7, exit.c @3dda649): the handler owns at once and
 * kvm_own_lsx / kvm_own_lasx check the guest's CPUCFG (-EINVAL → INE). 2026 (KVM_REQ_AUX_LOAD):
 * the handler checks the CPUCFG, records vcpu->arch.aux_ldtype and raises the request; the own
 * runs in kvm_late_check_requests.
 */

import type { Resume } from '@vfpu/core';
import { RESUME_GUEST, RESUME_HOST } from '@vfpu/core/backend-utils';
import {
  EXCCODE_BTDIS,
  EXCCODE_FPDIS,
  EXCCODE_INE,
  EXCCODE_LASXDIS,
  EXCCODE_LSXDIS,
  KVM_LARCH_FPU,
  KVM_LARCH_LASX,
  KVM_LARCH_LBT,
  KVM_LARCH_LSX,
} from './layout.js';
import type { LoongState } from './state.js';
import { kvm_own_fpu, kvm_own_lasx, kvm_own_lbt, kvm_own_lsx } from './vcpu.js';

/** kvm_queue_exception(vcpu, EXCCODE_INE, 0): delivered by kvm_deliver_exception at entry. */
export function kvm_queue_exception(s: LoongState, v: number, code: number): void {
  if (s.h.trace.on) s.h.trace.fn(1, 'kvm_queue_exception', `(EXCCODE_INE ${code})`);
  s.ineQueued[v] = 1;
  s.h.count(s.ineCounter);
}

/** KVM_REQ_AUX_LOAD: vcpu->arch.aux_ldtype = type; kvm_make_request(KVM_REQ_AUX_LOAD, vcpu). */
function requestAuxLoad(s: LoongState, v: number, type: number): void {
  if (s.h.trace.on) s.h.trace.fn(1, 'kvm_make_request', '(KVM_REQ_AUX_LOAD)');
  s.auxLdtype[v] = type;
}

/** kvm_handle_fpu_disabled: INE without FP; WARN + KVM_EXIT_INTERNAL_ERROR if FPU is live. */
export function kvm_handle_fpu_disabled(s: LoongState, v: number): Resume {
  if (s.h.trace.on) s.h.trace.fn(0, 'kvm_handle_fpu_disabled');
  if (!s.has.fp) {
    kvm_queue_exception(s, v, EXCCODE_INE);
    return RESUME_GUEST;
  }
  if ((s.aux[v] as number) & KVM_LARCH_FPU) {
    // WARN_ON: "internal error"; run->exit_reason = KVM_EXIT_INTERNAL_ERROR
    if (s.h.trace.on) s.h.trace.fn(1, 'WARN_ON', '(aux_inuse has FPU): KVM_EXIT_INTERNAL_ERROR');
    s.h.count(s.internalError);
    return RESUME_HOST;
  }
  if (s.auxLoad) requestAuxLoad(s, v, KVM_LARCH_FPU);
  else kvm_own_fpu(s, v);
  return RESUME_GUEST;
}

/** kvm_handle_lsx_disabled. */
export function kvm_handle_lsx_disabled(s: LoongState, v: number): Resume {
  if (s.h.trace.on) s.h.trace.fn(0, 'kvm_handle_lsx_disabled');
  if (s.auxLoad) {
    if (!s.has.lsx) kvm_queue_exception(s, v, EXCCODE_INE);
    else requestAuxLoad(s, v, KVM_LARCH_LSX);
  } else if (kvm_own_lsx(s, v) !== 0) {
    kvm_queue_exception(s, v, EXCCODE_INE);
  }
  return RESUME_GUEST;
}

/** kvm_handle_lasx_disabled. */
export function kvm_handle_lasx_disabled(s: LoongState, v: number): Resume {
  if (s.h.trace.on) s.h.trace.fn(0, 'kvm_handle_lasx_disabled');
  if (s.auxLoad) {
    if (!s.has.lasx) kvm_queue_exception(s, v, EXCCODE_INE);
    else requestAuxLoad(s, v, KVM_LARCH_LASX);
  } else if (kvm_own_lasx(s, v) !== 0) {
    kvm_queue_exception(s, v, EXCCODE_INE);
  }
  return RESUME_GUEST;
}

/** kvm_handle_lbt_disabled (added with KVM LBT support): INE without LBT, else own LBT. */
export function kvm_handle_lbt_disabled(s: LoongState, v: number): Resume {
  if (s.h.trace.on) s.h.trace.fn(0, 'kvm_handle_lbt_disabled');
  if (!s.has.lbt) kvm_queue_exception(s, v, EXCCODE_INE);
  else if (s.auxLoad) requestAuxLoad(s, v, KVM_LARCH_LBT);
  else kvm_own_lbt(s, v);
  return RESUME_GUEST;
}

/** kvm_handle_fault: kvm_fault_tables[ecode]. */
export function kvm_handle_fault(s: LoongState, v: number, ecode: number): Resume {
  if (ecode === EXCCODE_FPDIS) return kvm_handle_fpu_disabled(s, v);
  if (ecode === EXCCODE_LSXDIS) return kvm_handle_lsx_disabled(s, v);
  if (ecode === EXCCODE_LASXDIS) return kvm_handle_lasx_disabled(s, v);
  if (ecode === EXCCODE_BTDIS) return kvm_handle_lbt_disabled(s, v);
  return RESUME_GUEST;
}
