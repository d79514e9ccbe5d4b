/**
 * arch/loongarch/kvm/switch.S: the full save/restore routines KVM calls with
 * `&vcpu->arch.fpu`. Each moves the data registers at its width plus FCC and FCSR0
 * (fpu_save_double / fpu_save_csr / fpu_save_cc, lsx_save_data, lasx_save_data in asmmacro.h).
 * Only the bytes of its width are moved: the rest of each 32-byte slot keeps what it held.
 */
import { copyStrided } from '@vfpu/core/backend-utils';
import { CC_CSR_BYTES, FCC_OFFSET, NUM_FPU_REGS, SLOT } from './layout.js';
import type { LoongState } from './state.js';

/** Data registers at `len` bytes each, then fcc and fcsr; returns the bytes moved. */
function move(dst: Uint8Array, src: Uint8Array, len: number): number {
  return (
    copyStrided(dst, src, 0, SLOT, NUM_FPU_REGS, len) +
    copyStrided(dst, src, FCC_OFFSET, CC_CSR_BYTES, 1, CC_CSR_BYTES)
  );
}

/** kvm_save_fpu: fpu_save_csr, fpu_save_double (32 × fst.d), fpu_save_cc. */
export function kvm_save_fpu(s: LoongState, v: number): void {
  s.h.call(s.ops.kvm_save_fpu, v, move(s.fpu[v] as Uint8Array, s.hw(v), 8), s.fpuBit, 2);
}

/** kvm_restore_fpu: fpu_restore_double, fpu_restore_csr, fpu_restore_cc. */
export function kvm_restore_fpu(s: LoongState, v: number): void {
  const cpu = s.cpuOf[v] as number;
  s.h.call(s.ops.kvm_restore_fpu, v, move(s.hw(v), s.fpu[v] as Uint8Array, 8), s.fpuBit, 2);
  s.h.loaded(cpu, v, s.fpuBit);
}

/** kvm_save_lsx: fpu_save_csr, fpu_save_cc, lsx_save_data (32 × vst). */
export function kvm_save_lsx(s: LoongState, v: number): void {
  const units = s.fpuBit | s.lsxBit;
  s.h.call(s.ops.kvm_save_lsx, v, move(s.fpu[v] as Uint8Array, s.hw(v), 16), units, 2);
}

/** kvm_restore_lsx: lsx_restore_data, fpu_restore_cc, fpu_restore_csr. */
export function kvm_restore_lsx(s: LoongState, v: number): void {
  const units = s.fpuBit | s.lsxBit;
  s.h.call(s.ops.kvm_restore_lsx, v, move(s.hw(v), s.fpu[v] as Uint8Array, 16), units, 2);
  s.h.loaded(s.cpuOf[v] as number, v, units);
}

/**
 * kvm_save_lasx: fpu_save_csr, fpu_save_cc, lasx_save_data (32 × xvst). With the model's fault
 * `lasx-save-low-half` it stores only the low 128 bits of each $xr (the oracle must notice).
 */
export function kvm_save_lasx(s: LoongState, v: number): void {
  const units = s.fpuBit | s.lsxBit | s.lasxBit;
  const len = s.faultLasxSave ? 16 : 32;
  s.h.call(s.ops.kvm_save_lasx, v, move(s.fpu[v] as Uint8Array, s.hw(v), len), units, 2);
}

/** kvm_restore_lasx: lasx_restore_data, fpu_restore_cc, fpu_restore_csr. */
export function kvm_restore_lasx(s: LoongState, v: number): void {
  const units = s.fpuBit | s.lsxBit | s.lasxBit;
  s.h.call(s.ops.kvm_restore_lasx, v, move(s.hw(v), s.fpu[v] as Uint8Array, 32), units, 2);
  s.h.loaded(s.cpuOf[v] as number, v, units);
}
