/**
 * arm64 paths only a non-`kvm` policy takes (no kernel generation has them): a save of the guest
 * registers at every exit (the arm64 v4.6 design) and a load at entry without the trap.
 */
import { __fpsimd_save_state, __sve_save_state } from './hyp-fpsimd.js';
import { type Arm64, type Cpu, FP_STATE_FREE, FP_STATE_GUEST_OWNED, type Task } from './state.js';
import { hypLoadGuest } from './switch.js';

/** At exit (`save` true): the guest registers saved at EL2 and the CPU left unbound. */
export function saveAtExit(a: Arm64, cpu: number, vi: number): void {
  const c = a.cpus[cpu] as Cpu;
  if (c.fp_owner !== FP_STATE_GUEST_OWNED) return;
  if (a.t.on) a.t.line(0, 'policy saves at exit (the arm64 v4.6 design, not this kernel)');
  if (a.isSveVcpu(vi)) __sve_save_state(a, cpu, vi, 1);
  else __fpsimd_save_state(a, cpu, vi, 1);
  c.fp_owner = FP_STATE_FREE;
  c.fpsimd_last_state = -1;
  if (c.current >= 0) (a.tasks[c.current] as Task).TIF_FOREIGN_FPSTATE = 1;
}

/** A policy's preload at entry: the trap handler's work without the trap. */
export function policyLoad(a: Arm64, cpu: number, vi: number): void {
  if ((a.cpus[cpu] as Cpu).fp_owner === FP_STATE_GUEST_OWNED) return;
  if (a.t.on) a.t.line(0, 'policy load at entry (not a kernel path)');
  hypLoadGuest(a, cpu, vi);
}
