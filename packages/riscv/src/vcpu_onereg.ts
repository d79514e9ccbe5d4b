/**
 * arch/riscv/kvm/vcpu_onereg.c: KVM_GET_ONE_REG / KVM_SET_ONE_REG dispatch by register type
 * (kvm_riscv_vcpu_get_reg / _set_reg): FP_F and FP_D to vcpu_fp.c, VECTOR to vcpu_vector.c.
 * Userspace reaches a vCPU only outside KVM_RUN (core guarantees it), so guest_context is the
 * vCPU's state. Errors are counted under outcomes.
 */
import type { CounterId, MachineUserRegisters, Slice } from '@vfpu/core';
import { KIND_VECTOR, VLENB_NUM } from './onereg-ids.js';
import { ENOENT, type RiscvState } from './state.js';
import { fpRegSlice, kvm_riscv_vcpu_get_reg_fp, kvm_riscv_vcpu_set_reg_fp } from './vcpu_fp.js';
import {
  kvm_riscv_vcpu_get_reg_vector,
  kvm_riscv_vcpu_set_reg_vector,
  kvm_riscv_vcpu_vreg_addr,
} from './vcpu_vector.js';

export class RiscvUserRegisters implements MachineUserRegisters {
  private readonly m: RiscvState;
  private readonly einval: CounterId;
  private readonly enoent: CounterId;

  constructor(m: RiscvState) {
    this.m = m;
    this.einval = m.h.counter('outcomes', 'ONE_REG -EINVAL');
    this.enoent = m.h.counter('outcomes', 'ONE_REG -ENOENT');
  }

  private failed(r: number): boolean {
    if (r === 0) return false;
    this.m.h.count(r === -ENOENT ? this.enoent : this.einval);
    return true;
  }

  /** kvm_riscv_vcpu_get_reg */
  getRegister(v: number, handle: number, out: Uint8Array): Slice | null {
    const m = this.m;
    const kind = handle >>> 8;
    const num = handle & 0xff;
    if (m.h.trace.on) m.h.trace.fn(0, 'kvm_riscv_vcpu_get_reg');
    const r =
      kind === KIND_VECTOR
        ? kvm_riscv_vcpu_get_reg_vector(m, v, num, out)
        : kvm_riscv_vcpu_get_reg_fp(m, v, kind, num, out);
    return this.failed(r) ? null : m.regSlice;
  }

  registerSlice(_v: number, handle: number): Slice | null {
    const m = this.m;
    const kind = handle >>> 8;
    const num = handle & 0xff;
    if (kind !== KIND_VECTOR) return fpRegSlice(m, kind, num);
    if (!m.isa.v) return null;
    // vlenb: the value is compared, never stored (setRegister returns false); its slice is
    // returned so that core hands setRegister a fresh value there
    return kvm_riscv_vcpu_vreg_addr(m, num) === 0 ? m.regSlice : null;
  }

  /** kvm_riscv_vcpu_set_reg */
  setRegister(v: number, handle: number, src: Uint8Array): boolean {
    const m = this.m;
    const kind = handle >>> 8;
    const num = handle & 0xff;
    if (m.h.trace.on) m.h.trace.fn(0, 'kvm_riscv_vcpu_set_reg');
    const r =
      kind === KIND_VECTOR
        ? kvm_riscv_vcpu_set_reg_vector(m, v, num, src)
        : kvm_riscv_vcpu_set_reg_fp(m, v, kind, num, src);
    if (this.failed(r)) return false;
    return !(kind === KIND_VECTOR && num === VLENB_NUM);
  }
}
