/**
 * arch/mips/kvm/fpu.S: __kvm_save_fpu, __kvm_restore_fpu, __kvm_restore_fcsr, with their byte
 * counts; and the register copy every save/restore routine (here, msa.ts, lasx.ts, host-fpu.ts)
 * uses. Every routine copies real bytes between the pCPU register file and vcpu->arch.fpu.
 */
import { copyStrided, readU32, writeU32 } from '@vfpu/core/backend-utils';
import { describeFcsr, fcsrOffset, pendingCause } from './csr.js';
import { ST0_FR } from './regs.js';
import { type MipsVz, NUM_FPU_REGS, type Vcpu } from './state.js';

/**
 * Copies `len` bytes at `byteOff` of every `step`-th register (slots of `slot` bytes) from
 * `src` to `dst`; returns the bytes moved.
 */
export function copyRegs(
  dst: Uint8Array,
  src: Uint8Array,
  slot: number,
  first: number,
  step: number,
  byteOff: number,
  len: number,
): number {
  const count = Math.ceil((NUM_FPU_REGS - first) / step);
  return copyStrided(dst, src, first * slot + byteOff, step * slot, count, len);
}

/** Moves bytes [from, to) of every register between the pCPU and the save area. */
export function moveRegs(m: MipsVz, v: Vcpu, save: boolean, from: number, to: number): number {
  return save
    ? copyRegs(v.fpu, m.hardware(v), m.o.slot, 0, 1, from, to - from)
    : copyRegs(m.hardware(v), v.fpu, m.o.slot, 0, 1, from, to - from);
}

function rootFr(m: MipsVz, v: Vcpu): boolean {
  return ((m.cpus[v.cpu]?.status ?? 0) & ST0_FR) !== 0;
}

/** fpu.S __kvm_save_fpu: tests root Status.FR; FR=1 moves 32 doubles (256 bytes), FR=0 the 16 even ones (128). */
export function __kvm_save_fpu(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = copyRegs(v.fpu, m.hardware(v), m.o.slot, 0, rootFr(m, v) ? 1 : 2, 0, 8);
  m.host.call(m.counters.__kvm_save_fpu, ctx, bytes, m.ids.FPU_BIT, depth);
}

/** fpu.S __kvm_restore_fpu: the same registers, the other way. */
export function __kvm_restore_fpu(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = copyRegs(m.hardware(v), v.fpu, m.o.slot, 0, rootFr(m, v) ? 1 : 2, 0, 8);
  m.host.call(m.counters.__kvm_restore_fpu, ctx, bytes, m.ids.FPU_BIT, depth);
  m.host.loaded(v.cpu, ctx, m.ids.FPU_BIT);
}

/**
 * fpu.S __kvm_restore_fcsr: lw fcr31, then ctc1 (at offset +4). Returns true when that ctc1
 * raises a host FPE (a pending enabled cause): the caller hands it to kvm_mips_csr_die_notify
 * (mips.ts), which skips the instruction, so FCSR keeps the full value for the guest.
 */
export function __kvm_restore_fcsr(m: MipsVz, v: Vcpu, vi: number, depth: number): boolean {
  const off = fcsrOffset(m.o.slot);
  const x = readU32(v.fpu, off);
  writeU32(m.hardware(v), off, x);
  m.host.call(m.counters.__kvm_restore_fcsr, vi, 4, 0, depth);
  if (m.trace.on) m.trace.line(depth + 1, `FCSR ← ${describeFcsr(x)}`);
  return pendingCause(x) !== 0;
}
