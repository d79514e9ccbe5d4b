/**
 * arch/x86/kernel/dumpstack.c: die → oops_begin / __die / oops_end(SIGSEGV): the current task is
 * killed (panic_on_oops = 0); its exit (exit_thread → fpu__drop → fpregs_deactivate) leaves the
 * pCPU's registers nobody's. A VMM thread that dies inside KVM_RUN takes its vCPU with it: it held
 * vcpu->mutex, KVM_RUN never returns: core (host.killed) runs none of that vCPU's later events.
 */
import type { X86, X86Cpu } from '../state.js';

export function die(m: X86, c: X86Cpu, str: string, depth: number): void {
  const h = m.host;
  const t = c.current;
  h.count(m.lateIds().die);
  if (h.trace.on)
    h.trace.fn(
      depth,
      'die',
      `("${str}") → oops_end: ${t === null ? 'the kernel' : h.contextName(t.ctx)} killed (SIGSEGV); fpu__drop → fpregs_deactivate`,
    );
  if (t !== null) {
    t.dead = true; // what is left of the routine that oopsed stops here
    h.killed(t.ctx); // and core runs none of the thread's (or its vCPU's) later events
  }
  c.owner = null;
  c.current = null;
  h.loaded(c.id, null, m.allUnits);
}
