/**
 * arch/riscv/include/asm/switch_to.h (@073e62f): the host's own FP switching, "eager restore,
 * dirty-only save" like KVM's: fstate_save saves a Dirty task and marks it Clean; fstate_restore
 * restores any task whose FS is not Off and marks it Clean (§B.9, §C.2 R13). FS here is the task's
 * saved sstatus (task_pt_regs(task)->status).
 */
import { __fstate_restore, __fstate_save } from './fpu.js';
import { CLEAN, DIRTY, OFF, type RiscvState } from './state.js';

export function fstate_save(m: RiscvState, task: number, cpu: number): void {
  // the registers hold the task's state whenever it is Dirty (it ran here since its restore)
  if (m.fs[task] === DIRTY && m.fpOwner[cpu] === task) {
    __fstate_save(m, task, cpu);
    m.fs[task] = CLEAN;
  }
}

export function fstate_restore(m: RiscvState, task: number, cpu: number): void {
  if (m.fs[task] !== OFF) {
    __fstate_restore(m, task, cpu);
    m.fpOwner[cpu] = task;
    m.h.loaded(cpu, task, m.FP);
    m.fs[task] = CLEAN;
  }
}

/** Runs at every switch_to when the host has F or D. */
export function __switch_to_fpu(
  m: RiscvState,
  prev: number | null,
  next: number | null,
  cpu: number,
): void {
  if (m.h.trace.on) m.h.trace.fn(0, '__switch_to_fpu');
  if (prev !== null) fstate_save(m, prev, cpu);
  if (next !== null) fstate_restore(m, next, cpu);
}
