/**
 * What only a non-`kvm` policy asks for (not Linux): a trap that grants more than the trapped
 * width (`widest`; the 2026 "max used FPU type" proposal does the same on an FPU trap), a load
 * outside a trap (`eager`, `adaptive` preloads at entry) and a save at a non-FP exit
 * (`lazy-per-exit`). Each reuses the kernel's own routines (kvm_own_* / kvm_lose_fpu), clamped
 * to the guest's CPUCFG as the kernel's handlers are.
 *
 * Tracepoints: the kernel routines these paths call fire their own trace_kvm_aux (kvm_own_fpu /
 * _lsx / _lasx, kvm_lose_fpu); the trap's kvm_exit is fired before either path (machine.ts); the
 * paths themselves fire none.
 */
import type { Resume } from '@vfpu/core';
import { RESUME_GUEST } from '@vfpu/core/backend-utils';
import { kvm_handle_fault } from './exit.js';
import {
  EXCCODE_BTDIS,
  EXCCODE_FPDIS,
  EXCCODE_LASXDIS,
  EXCCODE_LSXDIS,
  KVM_LARCH_FPU,
  KVM_LARCH_LASX,
  KVM_LARCH_LSX,
} from './layout.js';
import type { LoongState } from './state.js';
import { kvm_lose_fpu, kvm_own_fpu, kvm_own_lasx, kvm_own_lbt, kvm_own_lsx } from './vcpu.js';

/** The widest aux type of `units` the guest's CPUCFG has (0: none). */
function widestType(s: LoongState, units: number): number {
  if (units & s.lasxBit && s.has.lasx) return KVM_LARCH_LASX;
  if (units & (s.lasxBit | s.lsxBit) && s.has.lsx) return KVM_LARCH_LSX;
  if (units & (s.fpuBit | s.lsxBit | s.lasxBit) && s.has.fp) return KVM_LARCH_FPU;
  return 0;
}

function ecodeType(ecode: number): number {
  if (ecode === EXCCODE_LASXDIS) return KVM_LARCH_LASX;
  if (ecode === EXCCODE_LSXDIS) return KVM_LARCH_LSX;
  return ecode === EXCCODE_FPDIS ? KVM_LARCH_FPU : 0;
}

/** Own `type` unless it is already live. */
function ownType(s: LoongState, v: number, type: number): void {
  if ((s.aux[v] as number) & type) return;
  if (type === KVM_LARCH_LASX) kvm_own_lasx(s, v);
  else if (type === KVM_LARCH_LSX) kvm_own_lsx(s, v);
  else if (type === KVM_LARCH_FPU) kvm_own_fpu(s, v);
}

/**
 * A trap whose grant reaches beyond the trapped unit: the kernel's handler decides what the
 * guest lacks (INE) and the WARN path; when it would own, the policy's widest type is owned
 * instead (at once, or through KVM_REQ_AUX_LOAD in the 2026 variant).
 */
export function policyTrap(s: LoongState, v: number, ecode: number, grant: number): Resume {
  // LBT is a unit of its own: the grant's other side is owned at once, next to the kernel's path
  if (grant & s.lbtBit && ecode !== EXCCODE_BTDIS && s.has.lbt) {
    if (s.h.trace.on) s.h.trace.line(1, 'policy: the trap also owns LBT (not Linux)');
    kvm_own_lbt(s, v);
  }
  if (ecode === EXCCODE_BTDIS) {
    const resume = kvm_handle_fault(s, v, ecode);
    if (resume === RESUME_GUEST) ownType(s, v, widestType(s, grant));
    return resume;
  }
  const trapped = ecodeType(ecode);
  const wider = widestType(s, grant);
  const missing =
    (trapped === KVM_LARCH_FPU && !s.has.fp) ||
    (trapped === KVM_LARCH_LSX && !s.has.lsx) ||
    (trapped === KVM_LARCH_LASX && !s.has.lasx) ||
    (trapped === KVM_LARCH_FPU && ((s.aux[v] as number) & KVM_LARCH_FPU) !== 0);
  if (missing || wider <= trapped) return kvm_handle_fault(s, v, ecode);
  if (s.h.trace.on) s.h.trace.line(1, 'policy: the trap owns the widest granted width (not Linux)');
  if (s.auxLoad) s.auxLdtype[v] = wider;
  else ownType(s, v, wider);
  return RESUME_GUEST;
}

/** A policy's load outside a trap (preload at entry): own the widest unit asked for. */
export function policyLoad(s: LoongState, v: number, units: number): void {
  if (s.h.trace.on) s.h.trace.line(1, 'policy: load outside a trap (not Linux)');
  ownType(s, v, widestType(s, units));
  if (units & s.lbtBit && s.has.lbt) kvm_own_lbt(s, v);
}

/** A policy's save at a non-FP exit: kvm_lose_fpu, as vcpu_put would run it. */
export function policySaveAtExit(s: LoongState, v: number): void {
  if (s.h.trace.on) s.h.trace.line(1, 'policy: save at exit (not Linux)');
  kvm_lose_fpu(s, v);
}
