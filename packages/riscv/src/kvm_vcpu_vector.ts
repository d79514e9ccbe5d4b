/**
 * arch/riscv/include/asm/kvm_vcpu_vector.h: `__kvm_riscv_vector_save/_restore(cntx)` wrap
 * `__riscv_v_vstate_save/_restore(&cntx->vector, cntx->vector.datap)` (asm/vector.h).
 *
 * Save: `__vstate_csr_save` stores vstart, vtype, vl, vcsr (4 × 8 bytes on RV64), then
 * `vsetvli e8, m8` and four `vse8.v` of 8-register groups (v0, v8, v16, v24) store 32 × vlenb
 * bytes to datap. Restore loads the data first, then `vsetvl` from the saved vl/vtype, then
 * writes vstart and vcsr. Both bracket the transfer with riscv_v_enable/riscv_v_disable, which
 * leaves the hardware sstatus.VS Off (not modelled: nothing reads it while KVM holds the pCPU).
 */
import { copyStrided } from '@vfpu/core/backend-utils';
import { NREGS, VCSR_BYTES, VDATA, VSTART } from './layout.js';
import type { RiscvState } from './state.js';

export function __kvm_riscv_vector_save(
  m: RiscvState,
  cntx: Uint8Array,
  cpu: number,
  ctx: number,
  units: number,
  depth: number,
): void {
  const hw = m.h.registerFile[cpu] as Uint8Array;
  copyStrided(cntx, hw, VSTART, VCSR_BYTES, 1, VCSR_BYTES);
  const data = copyStrided(cntx, hw, VDATA, NREGS * m.vlenb, 1, NREGS * m.vlenb);
  m.h.call(m.ops.vecSave, ctx, VCSR_BYTES + data, units, depth);
}

export function __kvm_riscv_vector_restore(
  m: RiscvState,
  cntx: Uint8Array,
  cpu: number,
  ctx: number,
  units: number,
  depth: number,
): void {
  const hw = m.h.registerFile[cpu] as Uint8Array;
  const data = copyStrided(hw, cntx, VDATA, NREGS * m.vlenb, 1, NREGS * m.vlenb);
  copyStrided(hw, cntx, VSTART, VCSR_BYTES, 1, VCSR_BYTES);
  m.h.call(m.ops.vecRestore, ctx, VCSR_BYTES + data, units, depth);
}
