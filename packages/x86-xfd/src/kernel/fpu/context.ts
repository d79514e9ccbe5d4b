/**
 * arch/x86/kernel/fpu/context.h and asm/fpu/sched.h: the deferred FPU load of a context switch
 * (switch_fpu saves and sets TIF_NEED_FPU_LOAD; the registers come back on the way to user space
 * or to the guest, skipped when this CPU still holds them).
 */
import type { Fpstate, HostTask, X86, X86Cpu, X86Vcpu } from '../../state.js';
import { restore_fpregs_from_fpstate, save_fpregs_to_fpstate } from './core.js';

/** fpregs_state_valid: fpregs_owner_ctx and last_cpu say this CPU still holds the state. */
export function fpregs_state_valid(c: X86Cpu, fps: Fpstate): boolean {
  return c.owner === fps && fps.lastCpu === c.id;
}

/**
 * switch_fpu (asm/fpu/sched.h) for the task that leaves: save_fpregs_to_fpstate unless
 * TIF_NEED_FPU_LOAD, then set it. Kernel threads (PF_KTHREAD) neither save nor restore user FPU
 * state: what a kernel thread left in the registers is not kept for it (its FP use belongs
 * between kernel_fpu_begin and kernel_fpu_end, which a switch cannot split), so its state is
 * undefined once it leaves.
 */
export function switch_fpu(m: X86, c: X86Cpu, prev: HostTask): void {
  if (prev.kthread) {
    m.host.undefine(prev.ctx, m.allUnits);
    return;
  }
  const h = m.host;
  const fps = prev.fpstate;
  if (!prev.needFpuLoad && c.owner === fps) {
    if (h.trace.on)
      h.trace.fn(
        0,
        'switch_fpu',
        `(${h.contextName(prev.ctx)} leaves: save_fpregs_to_fpstate, TIF_NEED_FPU_LOAD)`,
      );
    // the skip-preempt-save fault loses a guest fpstate (a vCPU thread preempted inside KVM_RUN)
    if (!(m.skipPreemptSave && fps.inUse)) save_fpregs_to_fpstate(m, c, fps, 1);
    fps.lastCpu = c.id;
  }
  prev.needFpuLoad = true;
}

/** fpregs_restore_userregs on the way back to user space (skipped when fpregs_state_valid). */
export function fpregs_restore_userregs(m: X86, c: X86Cpu, t: HostTask, depth: number): void {
  if (!t.needFpuLoad) return;
  const h = m.host;
  if (fpregs_state_valid(c, t.fpstate)) {
    if (h.trace.on)
      h.trace.fn(
        depth,
        'fpregs_restore_userregs',
        `(${h.contextName(t.ctx)}: fpregs_state_valid, no XRSTORS)`,
      );
  } else {
    if (h.trace.on) h.trace.fn(depth, 'fpregs_restore_userregs', `(${h.contextName(t.ctx)})`);
    if (!restore_fpregs_from_fpstate(m, c, t.fpstate, depth + 1)) return; // died
  }
  t.needFpuLoad = false;
}

/**
 * switch_fpu_return for a VMM thread inside KVM_RUN (its fpstate is the guest's): the body of
 * fpregs_restore_userregs; the caller names the path in the trace.
 */
export function switch_fpu_return(m: X86, v: X86Vcpu, depth: number): void {
  const c = m.cpu(v.cpu);
  const fps = v.guestFpu.fpstate;
  if (fpregs_state_valid(c, fps)) {
    m.line(
      depth + 1,
      'fpregs_state_valid: this CPU still holds the guest state (fpregs_owner_ctx, last_cpu): no XRSTORS',
    );
  } else if (m.skipReloadBeforeEntry) {
    c.owner = fps;
  } else if (!restore_fpregs_from_fpstate(m, c, fps, depth + 1)) {
    return; // the vCPU thread died in the XRSTORS
  }
  v.vmm.needFpuLoad = false;
}
