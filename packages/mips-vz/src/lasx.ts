/**
 * Loongson's LASX save/restore helpers (LS kernel, beside msa.S): __kvm_save_lasx,
 * __kvm_restore_lasx, __kvm_restore_lasx_upper, __kvm_restore_lasx_uppest, with their byte
 * counts (bodies not in the cited sources: the byte ranges follow their comments).
 */
import { moveRegs } from './fpu.js';
import type { MipsVz, Vcpu } from './state.js';

/** LS __kvm_save_lasx: the full 256 bits (1024 bytes; body not in the cited sources). */
export function __kvm_save_lasx(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = moveRegs(m, v, true, 0, 32);
  m.host.call(
    m.counters.__kvm_save_lasx,
    ctx,
    bytes,
    m.ids.FPU_BIT | m.ids.MSA_BIT | m.ids.LASX_BIT,
    depth,
  );
}

/** LS __kvm_restore_lasx: the full 256 bits (1024 bytes). */
export function __kvm_restore_lasx(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = moveRegs(m, v, false, 0, 32);
  m.host.call(
    m.counters.__kvm_restore_lasx,
    ctx,
    bytes,
    m.ids.FPU_BIT | m.ids.MSA_BIT | m.ids.LASX_BIT,
    depth,
  );
  m.host.loaded(v.cpu, ctx, m.ids.FPU_BIT | m.ids.MSA_BIT | m.ids.LASX_BIT);
}

/** LS __kvm_restore_lasx_upper: "MSA state already loaded": bits 128..255 (512 bytes). */
export function __kvm_restore_lasx_upper(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = moveRegs(m, v, false, 16, 32);
  m.host.call(m.counters.__kvm_restore_lasx_upper, ctx, bytes, m.ids.LASX_BIT, depth);
  m.host.loaded(v.cpu, ctx, m.ids.LASX_BIT);
}

/** LS __kvm_restore_lasx_uppest: "restore 64~256": bits 64..255 (768 bytes). */
export function __kvm_restore_lasx_uppest(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = moveRegs(m, v, false, 8, 32);
  m.host.call(
    m.counters.__kvm_restore_lasx_uppest,
    ctx,
    bytes,
    m.ids.MSA_BIT | m.ids.LASX_BIT,
    depth,
  );
  m.host.loaded(v.cpu, ctx, m.ids.MSA_BIT | m.ids.LASX_BIT);
}
