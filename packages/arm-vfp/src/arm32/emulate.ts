/** arch/arm/kvm/emulate.c: the condition check of a trapped conditional instruction. */
import { COND_AL, HSR_CV } from '../regs.js';
import type { Arm32, Vcpu } from './state.js';

/**
 * kvm_condition_valid on the latched HSR: an unconditional encoding (top two bits set) passes;
 * with HSR.CV the condition field is checked against the CPSR. The model's conditional
 * instructions are AL or NE with Z set, so any other field fails (no Thumb IT state: CV is set).
 */
export function kvm_condition_valid(a: Arm32, vi: number): boolean {
  const hsr = (a.vcpus[vi] as Vcpu).hsr;
  if (hsr >>> 30 !== 0 || !(hsr & HSR_CV)) return true;
  return ((hsr >>> 20) & 0xf) === COND_AL;
}
