/**
 * arch/mips/kvm/msa.S: __kvm_save_msa, __kvm_restore_msa, __kvm_restore_msa_upper,
 * __kvm_restore_msacsr, with their byte counts, and Loongson's LS-msaS variants (with
 * CONFIG_CPU_LOONGSON3 the vector routines move all 256 bits of each register).
 */
import { readU32, writeU32 } from '@vfpu/core/backend-utils';
import { msacsrOffset, pendingCause } from './csr.js';
import { moveRegs } from './fpu.js';
import type { MipsVz, Vcpu } from './state.js';

/**
 * msa.S __kvm_save_msa: 32 × st_d of 128 bits (512 bytes); with CONFIG_CPU_LOONGSON3 (LS-msaS)
 * 32 × xvst_b of 256 bits (1024 bytes).
 */
export function __kvm_save_msa(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const wide = m.o.cpuHasLasx;
  const bytes = moveRegs(m, v, true, 0, wide ? 32 : 16);
  m.host.call(
    m.counters.__kvm_save_msa,
    ctx,
    bytes,
    m.ids.FPU_BIT | m.ids.MSA_BIT | (wide ? m.ids.LASX_BIT : 0),
    depth,
  );
}

/** msa.S __kvm_restore_msa: 32 × ld_d (512 bytes); Loongson: 32 × xvld_b (1024 bytes). */
export function __kvm_restore_msa(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const wide = m.o.cpuHasLasx;
  const bytes = moveRegs(m, v, false, 0, wide ? 32 : 16);
  // an MSA restore: on Loongson its 256-bit loads also bring back the LASX upper halves
  m.host.call(m.counters.__kvm_restore_msa, ctx, bytes, m.ids.FPU_BIT | m.ids.MSA_BIT, depth);
  m.host.loaded(v.cpu, ctx, m.ids.FPU_BIT | m.ids.MSA_BIT | (wide ? m.ids.LASX_BIT : 0));
}

/**
 * msa.S __kvm_restore_msa_upper: ld from FPRn+8, insert_d wN[1] (256 bytes); Loongson: the
 * doublewords 1..3 of each register, bytes 8..31 of the slot (768 bytes).
 */
export function __kvm_restore_msa_upper(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const wide = m.o.cpuHasLasx;
  const bytes = moveRegs(m, v, false, 8, wide ? 32 : 16);
  m.host.call(m.counters.__kvm_restore_msa_upper, ctx, bytes, m.ids.MSA_BIT, depth);
  m.host.loaded(v.cpu, ctx, m.ids.MSA_BIT | (wide ? m.ids.LASX_BIT : 0));
}

/**
 * msa.S __kvm_restore_msacsr: lw msacsr, then _ctcmsa (offset +4..+8 may fault the same way as
 * __kvm_restore_fcsr's ctc1). Returns true when it raises a host MSA FPE.
 */
export function __kvm_restore_msacsr(m: MipsVz, v: Vcpu, vi: number, depth: number): boolean {
  const off = msacsrOffset(m.o.slot);
  const x = readU32(v.fpu, off);
  writeU32(m.hardware(v), off, x);
  m.host.call(m.counters.__kvm_restore_msacsr, vi, 4, 0, depth);
  if (m.trace.on) m.trace.line(depth + 1, `MSACSR ← 0x${x.toString(16)}`);
  return pendingCause(x) !== 0;
}
