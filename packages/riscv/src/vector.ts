/**
 * arch/riscv/include/asm/vector.h: the host's own vector switching. riscv_v_vstate_save saves a
 * Dirty task (32 × vlenb data + 4 CSRs) and marks it Clean. Deviation: Linux defers the next
 * task's restore to its return to user mode (riscv_v_vstate_set_restore, TIF_RISCV_V_DEFER_RESTORE)
 * and starts user tasks with VS Off until their first vector instruction traps
 * (riscv_v_first_use_handler); the model restores at the switch, like fstate_restore, and starts
 * tasks with VS Initial.
 */
import { copyStrided } from '@vfpu/core/backend-utils';
import { NREGS, VCSR_BYTES, VDATA, VSTART } from './layout.js';
import { CLEAN, DIRTY, OFF, type RiscvState } from './state.js';

export function __riscv_v_vstate_save(m: RiscvState, task: number, cpu: number): void {
  const hw = m.h.registerFile[cpu] as Uint8Array;
  const a = m.area[task] as Uint8Array;
  copyStrided(a, hw, VSTART, VCSR_BYTES, 1, VCSR_BYTES);
  const data = copyStrided(a, hw, VDATA, NREGS * m.vlenb, 1, NREGS * m.vlenb);
  m.h.call(m.ops.vstateSave, task, VCSR_BYTES + data, m.V, 1);
}

export function __riscv_v_vstate_restore(m: RiscvState, task: number, cpu: number): void {
  const hw = m.h.registerFile[cpu] as Uint8Array;
  const a = m.area[task] as Uint8Array;
  const data = copyStrided(hw, a, VDATA, NREGS * m.vlenb, 1, NREGS * m.vlenb);
  copyStrided(hw, a, VSTART, VCSR_BYTES, 1, VCSR_BYTES);
  m.h.call(m.ops.vstateRestore, task, VCSR_BYTES + data, m.V, 1);
}

export function riscv_v_vstate_save(m: RiscvState, task: number, cpu: number): void {
  if (m.vs[task] === DIRTY && m.vOwner[cpu] === task) {
    __riscv_v_vstate_save(m, task, cpu);
    m.vs[task] = CLEAN;
  }
}

export function riscv_v_vstate_restore(m: RiscvState, task: number, cpu: number): void {
  if (m.vs[task] !== OFF) {
    __riscv_v_vstate_restore(m, task, cpu);
    m.vOwner[cpu] = task;
    m.h.loaded(cpu, task, m.V);
    m.vs[task] = CLEAN;
  }
}

export function __switch_to_vector(
  m: RiscvState,
  prev: number | null,
  next: number | null,
  cpu: number,
): void {
  if (m.h.trace.on) m.h.trace.fn(0, '__switch_to_vector');
  if (prev !== null) riscv_v_vstate_save(m, prev, cpu);
  if (next !== null) riscv_v_vstate_restore(m, next, cpu);
}
