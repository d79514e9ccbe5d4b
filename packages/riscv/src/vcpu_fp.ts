/**
 * arch/riscv/kvm/vcpu_fp.c (@1136fa0 / @56ea38e, same logic): the guest's FS state machine on
 * the HS-level copy `guest_context.sstatus` (never vsstatus), and the host's FP around the guest.
 * Restore keys on FS ≠ Off, save on FS = Dirty; the D routines win over the F ones.
 */
import type { Slice } from '@vfpu/core';
import { ERRNO } from '@vfpu/core/backend-utils';
import { D_FCSR, D_SLICES, F_FCSR, F_SLICES, F_VIEW_OF_D, FCSR_SLICE } from './layout.js';
import { FCSR_NUM, KIND_FP_D, KIND_FP_F } from './onereg-ids.js';
import { CLEAN, DIRTY, INITIAL, NOWHERE, OFF, type RiscvState } from './state.js';
import {
  __kvm_riscv_fp_d_restore,
  __kvm_riscv_fp_d_save,
  __kvm_riscv_fp_f_restore,
  __kvm_riscv_fp_f_save,
} from './vcpu_switch.js';

/** FS = Initial when the guest ISA has F or D, else Off (called at vCPU reset). */
export function kvm_riscv_vcpu_fp_reset(m: RiscvState, v: number): void {
  m.fs[v] = m.isa.f || m.isa.d ? INITIAL : OFF;
}

export function kvm_riscv_vcpu_fp_clean(m: RiscvState, v: number): void {
  m.fs[v] = CLEAN;
}

/** At vcpu_put: only a Dirty FS is saved (D if the guest has it, else F), then FS = Clean. */
export function kvm_riscv_vcpu_guest_fp_save(m: RiscvState, v: number, cpu: number): void {
  if (m.h.trace.on) m.h.trace.fn(1, 'kvm_riscv_vcpu_guest_fp_save');
  if (m.fs[v] !== DIRTY) return;
  const cntx = m.area[v] as Uint8Array;
  if (!m.skipDirtySave) {
    if (m.isa.d) __kvm_riscv_fp_d_save(m, cntx, cpu, v, m.FP, 2);
    else if (m.isa.f) __kvm_riscv_fp_f_save(m, cntx, cpu, v, m.FP, 2);
  }
  kvm_riscv_vcpu_fp_clean(m, v);
}

/** At vcpu_load: FS ≠ Off (Initial, Clean or Dirty) restores, then FS = Clean. */
export function kvm_riscv_vcpu_guest_fp_restore(m: RiscvState, v: number, cpu: number): void {
  if (m.h.trace.on) m.h.trace.fn(1, 'kvm_riscv_vcpu_guest_fp_restore');
  if (m.fs[v] === OFF) return;
  const cntx = m.area[v] as Uint8Array;
  const units = m.restoreUnits(v, m.FP);
  if (m.isa.d) __kvm_riscv_fp_d_restore(m, cntx, cpu, v, units, 2);
  else if (m.isa.f) __kvm_riscv_fp_f_restore(m, cntx, cpu, v, units, 2);
  m.fpOwner[cpu] = v;
  m.h.loaded(cpu, v, m.FP);
  kvm_riscv_vcpu_fp_clean(m, v);
}

/**
 * "No need to check host sstatus as it can be modified outside": the host's registers (whoever's
 * they are: the VMM thread's, restored by __switch_to_fpu) go to host_context, D routines (the
 * modelled host has D).
 */
export function kvm_riscv_vcpu_host_fp_save(m: RiscvState, v: number, cpu: number): void {
  if (m.h.trace.on) m.h.trace.fn(1, 'kvm_riscv_vcpu_host_fp_save');
  const owner = m.fpOwner[cpu] as number;
  m.hostCtxFp[v] = owner;
  const ctx = owner === NOWHERE ? m.h.vmmThread(v) : owner;
  __kvm_riscv_fp_d_save(m, m.hostCtx[v] as Uint8Array, cpu, ctx, m.FP, 2);
}

export function kvm_riscv_vcpu_host_fp_restore(m: RiscvState, v: number, cpu: number): void {
  if (m.h.trace.on) m.h.trace.fn(1, 'kvm_riscv_vcpu_host_fp_restore');
  const owner = m.hostCtxFp[v] as number;
  const ctx = owner === NOWHERE ? m.h.vmmThread(v) : owner;
  __kvm_riscv_fp_d_restore(m, m.hostCtx[v] as Uint8Array, cpu, ctx, m.FP, 2);
  m.fpOwner[cpu] = owner;
  m.h.loaded(cpu, owner === NOWHERE ? null : owner, m.FP);
}

/**
 * The `reg_val = &cntx->fp.…` step of kvm_riscv_vcpu_get_reg_fp / set_reg_fp: FP_F needs F and
 * reads the union's F view (`fp.f.f[n]` at 4n, `fp.f.fcsr` at 128) even in a D guest, where those
 * bytes are halves of d registers; FP_D needs D. Sets m.regArea / m.regSlice; 0 or -EINVAL.
 */
function fpRegAddr(m: RiscvState, kind: number, num: number): number {
  if (kind === KIND_FP_F && m.isa.f) {
    m.regArea = num === FCSR_NUM ? F_FCSR : 4 * num;
    if (m.isa.d) m.regSlice = F_VIEW_OF_D[num] as Slice;
    else m.regSlice = num === FCSR_NUM ? FCSR_SLICE : (F_SLICES[num] as Slice);
    return 0;
  }
  if (kind === KIND_FP_D && m.isa.d) {
    m.regArea = num === FCSR_NUM ? D_FCSR : 8 * num;
    m.regSlice = num === FCSR_NUM ? FCSR_SLICE : (D_SLICES[num] as Slice);
    return 0;
  }
  return -ERRNO.EINVAL; // @1136fa0; later kernels return -ENOENT for a missing extension
}

/** KVM_GET_ONE_REG of an FP register: copy_to_user from guest_context (into `out` at regSlice). */
export function kvm_riscv_vcpu_get_reg_fp(
  m: RiscvState,
  v: number,
  kind: number,
  num: number,
  out: Uint8Array,
): number {
  const r = fpRegAddr(m, kind, num);
  if (r !== 0) return r;
  const a = m.area[v] as Uint8Array;
  const p = m.regSlice;
  for (let i = 0; i < p.length; i++) out[p.offset + i] = a[m.regArea + i] as number;
  return 0;
}

/** KVM_SET_ONE_REG: copy_from_user into guest_context only (FS is not touched: §C.2 R11). */
export function kvm_riscv_vcpu_set_reg_fp(
  m: RiscvState,
  v: number,
  kind: number,
  num: number,
  src: Uint8Array,
): number {
  const r = fpRegAddr(m, kind, num);
  if (r !== 0) return r;
  const a = m.area[v] as Uint8Array;
  const p = m.regSlice;
  for (let i = 0; i < p.length; i++) a[m.regArea + i] = src[p.offset + i] as number;
  return 0;
}

/** Where an FP ONE_REG write is stored (null: -EINVAL, nothing stored). */
export function fpRegSlice(m: RiscvState, kind: number, num: number): Slice | null {
  return fpRegAddr(m, kind, num) === 0 ? m.regSlice : null;
}
