/**
 * arch/riscv/kvm/vcpu_vector.c (@0c5a9ab): the guest's VS state machine on the HS-level copy
 * `guest_context.sstatus`, and the host's vector state around the guest. As in vcpu_fp.c a Dirty
 * VS becomes Clean at put even when the guest lacks V (the data save is then skipped).
 */
import type { Slice } from '@vfpu/core';
import { ERRNO, readU32 } from '@vfpu/core/backend-utils';
import { __kvm_riscv_vector_restore, __kvm_riscv_vector_save } from './kvm_vcpu_vector.js';
import { VECTOR_CSR_SLICES } from './layout.js';
import { VLENB, VLENB_NUM, VREG0_NUM, writeVlenb } from './onereg-ids.js';
import { CLEAN, DIRTY, ENOENT, INITIAL, NOWHERE, OFF, type RiscvState } from './state.js';

/** vlenb = riscv_v_vsize / 32; with V: datap zeroed, VS = Initial; without: VS = Off. */
export function kvm_riscv_vcpu_vector_reset(m: RiscvState, v: number): void {
  const cntx = m.area[v] as Uint8Array;
  writeVlenb(cntx, VLENB, m.vlenb);
  m.vs[v] = m.isa.v ? INITIAL : OFF;
}

export function kvm_riscv_vcpu_vector_clean(m: RiscvState, v: number): void {
  m.vs[v] = CLEAN;
}

export function kvm_riscv_vcpu_guest_vector_save(m: RiscvState, v: number, cpu: number): void {
  if (m.h.trace.on) m.h.trace.fn(1, 'kvm_riscv_vcpu_guest_vector_save');
  if (m.vs[v] !== DIRTY) return;
  if (m.isa.v && !m.skipDirtySave)
    __kvm_riscv_vector_save(m, m.area[v] as Uint8Array, cpu, v, m.V, 2);
  kvm_riscv_vcpu_vector_clean(m, v);
}

export function kvm_riscv_vcpu_guest_vector_restore(m: RiscvState, v: number, cpu: number): void {
  if (m.h.trace.on) m.h.trace.fn(1, 'kvm_riscv_vcpu_guest_vector_restore');
  if (m.vs[v] === OFF) return;
  if (m.isa.v) {
    __kvm_riscv_vector_restore(m, m.area[v] as Uint8Array, cpu, v, m.restoreUnits(v, m.V), 2);
    m.vOwner[cpu] = v;
    m.h.loaded(cpu, v, m.V);
  }
  kvm_riscv_vcpu_vector_clean(m, v);
}

/** "No need to check host sstatus": runs when the host has V (`!kvm_riscv_isa_check_host(V)`). */
export function kvm_riscv_vcpu_host_vector_save(m: RiscvState, v: number, cpu: number): void {
  if (m.h.trace.on) m.h.trace.fn(1, 'kvm_riscv_vcpu_host_vector_save');
  const owner = m.vOwner[cpu] as number;
  m.hostCtxV[v] = owner;
  const ctx = owner === NOWHERE ? m.h.vmmThread(v) : owner;
  __kvm_riscv_vector_save(m, m.hostCtx[v] as Uint8Array, cpu, ctx, m.V, 2);
}

export function kvm_riscv_vcpu_host_vector_restore(m: RiscvState, v: number, cpu: number): void {
  if (m.h.trace.on) m.h.trace.fn(1, 'kvm_riscv_vcpu_host_vector_restore');
  const owner = m.hostCtxV[v] as number;
  const ctx = owner === NOWHERE ? m.h.vmmThread(v) : owner;
  __kvm_riscv_vector_restore(m, m.hostCtx[v] as Uint8Array, cpu, ctx, m.V, 2);
  m.vOwner[cpu] = owner;
  m.h.loaded(cpu, owner === NOWHERE ? null : owner, m.V);
}

/** The register's address (m.regArea / m.regSlice: the same offset here), or -ENOENT. */
export function kvm_riscv_vcpu_vreg_addr(m: RiscvState, num: number): number {
  if (num < VREG0_NUM) {
    if (num > VLENB_NUM) return -ENOENT; // datap
    m.regSlice = VECTOR_CSR_SLICES[num] as Slice;
  } else if (num < VREG0_NUM + 32) {
    m.regSlice = m.vRegs[num - VREG0_NUM] as Slice;
  } else return -ENOENT;
  m.regArea = m.regSlice.offset;
  return 0;
}

export function kvm_riscv_vcpu_get_reg_vector(
  m: RiscvState,
  v: number,
  num: number,
  out: Uint8Array,
): number {
  if (!m.isa.v) return -ENOENT;
  const r = kvm_riscv_vcpu_vreg_addr(m, num);
  if (r !== 0) return r;
  const a = m.area[v] as Uint8Array;
  const p = m.regSlice;
  for (let i = 0; i < p.length; i++) out[p.offset + i] = a[p.offset + i] as number;
  return 0;
}

/** vlenb is read-only: a different value is -EINVAL, the same one 0 with nothing stored (§C.2 R12). */
export function kvm_riscv_vcpu_set_reg_vector(
  m: RiscvState,
  v: number,
  num: number,
  src: Uint8Array,
): number {
  if (!m.isa.v) return -ENOENT;
  if (num === VLENB_NUM) {
    const same = readU32(src, VLENB) === m.vlenb && readU32(src, VLENB + 4) === 0;
    return same ? 0 : -ERRNO.EINVAL;
  }
  const r = kvm_riscv_vcpu_vreg_addr(m, num);
  if (r !== 0) return r;
  const a = m.area[v] as Uint8Array;
  const p = m.regSlice;
  for (let i = 0; i < p.length; i++) a[p.offset + i] = src[p.offset + i] as number;
  return 0;
}
