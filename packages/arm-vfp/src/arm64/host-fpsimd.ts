/**
 * The host's FPSIMD tracking (arch/arm64/kernel/fpsimd.c): TIF_FOREIGN_FPSTATE,
 * fpsimd_last_state, the save at context switch and the reload before a task uses FP again.
 */
import { FPSIMD_TRANSFER_BYTES } from '../regs.js';
import { type Arm64, type Cpu, copyFpsimd, copySve, type Task, zeroZUpper } from './state.js';

/**
 * fpsimd_save_user_state: the bound state of `ctx` saved by entry-fpsimd.S — an SVE vCPU's at
 * its maximum VL (sve_save_state), anything else FPSIMD (fpsimd_save_state).
 */
function fpsimd_save_user_state(a: Arm64, cpu: number, ctx: number, depth: number): void {
  if (a.isSveVcpu(ctx)) {
    copySve(a.hw(cpu), a.fpState(ctx), a.o.vq);
    a.host.call(a.ops.sveSave, ctx, a.sveBytes, a.units, depth);
  } else {
    copyFpsimd(a.hw(cpu), a.fpState(ctx));
    a.host.call(a.ops.save, ctx, FPSIMD_TRANSFER_BYTES, a.fpsimdBit, depth);
  }
}

/**
 * The bound state is saved if the current task's TIF_FOREIGN_FPSTATE is clear
 * (fpsimd_save_user_state), then the CPU binding is dropped (fpsimd_flush_cpu_state).
 * `who` names the caller in the trace.
 */
function saveAndFlush(a: Arm64, cpu: number, who: string, depth: number): void {
  const c = a.cpus[cpu] as Cpu;
  const cur = c.current;
  const last = c.fpsimd_last_state;
  if (a.t.on) a.t.fn(depth, who);
  if (cur >= 0 && !(a.tasks[cur] as Task).TIF_FOREIGN_FPSTATE && last >= 0)
    fpsimd_save_user_state(a, cpu, last, depth + 1);
  c.fpsimd_last_state = -1;
  if (cur >= 0) (a.tasks[cur] as Task).TIF_FOREIGN_FPSTATE = 1;
}

/** fpsimd_save_and_flush_cpu_state. */
export function fpsimd_save_and_flush_cpu_state(a: Arm64, cpu: number, depth: number): void {
  saveAndFlush(a, cpu, 'fpsimd_save_and_flush_cpu_state', depth);
}

/**
 * fpsimd_thread_switch: the outgoing task's state is saved unless TIF_FOREIGN_FPSTATE; the
 * incoming task's flag is set unless the CPU is still bound to its state. `prev` / `next`: a
 * task, or −1 (idle).
 */
export function fpsimd_thread_switch(a: Arm64, cpu: number, prev: number, next: number): void {
  const c = a.cpus[cpu] as Cpu;
  const last = c.fpsimd_last_state;
  if (prev >= 0 && !(a.tasks[prev] as Task).TIF_FOREIGN_FPSTATE && last >= 0) {
    if (a.t.on) a.t.fn(0, 'fpsimd_thread_switch', '— fpsimd_save_user_state');
    fpsimd_save_user_state(a, cpu, last, 1);
  }
  if (next >= 0) {
    const n = a.tasks[next] as Task;
    n.TIF_FOREIGN_FPSTATE = last !== next || n.fpsimd_cpu !== cpu ? 1 : 0;
  }
  c.current = next;
}

/**
 * The task's state is reloaded on return to userspace (fpsimd_restore_current_state) when
 * TIF_FOREIGN_FPSTATE is set; vfpu performs that at the task's next FP use.
 */
export function fpsimd_restore_current_state(
  a: Arm64,
  cpu: number,
  thread: number,
  unit: number,
): boolean {
  if (unit === a.unitSve) {
    a.host.warn('host-use of sve: host task SVE state is not modelled; ignored');
    return false;
  }
  const task = a.tasks[thread] as Task;
  if (!task.TIF_FOREIGN_FPSTATE) return true;
  if (a.t.on) a.t.fn(0, 'fpsimd_restore_current_state', `— ${a.host.contextName(thread)}`);
  const hw = a.hw(cpu);
  copyFpsimd(task.fpsimd_state, hw);
  zeroZUpper(hw);
  a.host.call(a.ops.load, thread, FPSIMD_TRANSFER_BYTES, a.fpsimdBit, 1);
  a.host.loaded(cpu, thread, a.fpsimdBit);
  (a.cpus[cpu] as Cpu).fpsimd_last_state = thread;
  task.fpsimd_cpu = cpu;
  task.TIF_FOREIGN_FPSTATE = 0;
  return true;
}

/** kernel_neon_begin: fpsimd_save_user_state, then fpsimd_flush_cpu_state. */
export function kernel_neon_begin(a: Arm64, cpu: number): void {
  saveAndFlush(a, cpu, 'kernel_neon_begin', 0);
}

export function kernel_neon_end(a: Arm64): void {
  if (a.t.on) a.t.fn(0, 'kernel_neon_end');
}
