/**
 * arch/riscv/kernel/fpu.S: a task's FP registers to and from thread.fstate
 * (struct __riscv_d_ext_state: f[32] u64 + fcsr u32, 260 bytes; the modelled host has D).
 * Unlike KVM's routines (vcpu_switch.S) these end with `csrc CSR_STATUS, SR_FS`: FS is Off after.
 */
import { copyStrided } from '@vfpu/core/backend-utils';
import { D_BYTES, D_FCSR, NREGS } from './layout.js';
import { DIRTY, OFF, type RiscvState } from './state.js';

export function __fstate_save(m: RiscvState, task: number, cpu: number): void {
  m.hwFs[cpu] = DIRTY; // li t1, SR_FS; csrs CSR_STATUS, t1
  const hw = m.fpRegisters(cpu);
  const a = m.area[task] as Uint8Array;
  copyStrided(a, hw, 0, 8, NREGS, 8);
  copyStrided(a, hw, D_FCSR, 4, 1, 4);
  m.hwFs[cpu] = OFF; // csrc CSR_STATUS, t1
  m.h.call(m.ops.fstateSave, task, D_BYTES, m.FP, 1);
}

export function __fstate_restore(m: RiscvState, task: number, cpu: number): void {
  m.hwFs[cpu] = DIRTY; // li t1, SR_FS; csrs CSR_STATUS, t1
  const hw = m.fpRegisters(cpu);
  const a = m.area[task] as Uint8Array;
  copyStrided(hw, a, 0, 8, NREGS, 8);
  copyStrided(hw, a, D_FCSR, 4, 1, 4);
  m.hwFs[cpu] = OFF; // csrc CSR_STATUS, t1
  m.h.call(m.ops.fstateRestore, task, D_BYTES, m.FP, 1);
}
