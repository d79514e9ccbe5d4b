/**
 * The EL2 transfer routines (arch/arm64/kvm/hyp/fpsimd.S): __fpsimd_save_state,
 * __fpsimd_restore_state, __sve_save_state, __sve_restore_state, between the registers of pCPU
 * `cpu` and the FP state of context `ctx`.
 */
import { FPSIMD_TRANSFER_BYTES } from '../regs.js';
import { type Arm64, copyFpsimd, copySve, zeroZUpper } from './state.js';

export function __fpsimd_save_state(a: Arm64, cpu: number, ctx: number, depth: number): void {
  copyFpsimd(a.hw(cpu), a.fpState(ctx));
  a.host.call(a.ops.hypSave, ctx, FPSIMD_TRANSFER_BYTES, a.fpsimdBit, depth);
}

/** V0–V31, FPSR, FPCR loaded; an FPSIMD write of V(n) zeroes the rest of Z(n). */
export function __fpsimd_restore_state(a: Arm64, cpu: number, ctx: number, depth: number): void {
  const hw = a.hw(cpu);
  copyFpsimd(a.fpState(ctx), hw);
  zeroZUpper(hw);
  a.host.call(a.ops.hypRestore, ctx, FPSIMD_TRANSFER_BYTES, a.fpsimdBit, depth);
}

/** The vCPU's Z, P, FFR at its maximum vector length, FPSR and FPCR. */
export function __sve_save_state(a: Arm64, cpu: number, ctx: number, depth: number): void {
  copySve(a.hw(cpu), a.fpState(ctx), a.o.vq);
  a.host.call(a.ops.hypSveSave, ctx, a.sveBytes, a.units, depth);
}

export function __sve_restore_state(a: Arm64, cpu: number, ctx: number, depth: number): void {
  copySve(a.fpState(ctx), a.hw(cpu), a.o.vq);
  a.host.call(a.ops.hypSveRestore, ctx, a.sveBytes, a.units, depth);
}
