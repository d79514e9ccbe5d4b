/**
 * After an oops (kernel/dumpstack.ts die) the killed thread runs nothing more, and a vCPU whose
 * VMM thread died inside KVM_RUN is gone with it (its thread held vcpu->mutex). Core still
 * delivers the workload's later events of that vCPU or thread (a workload's validity must not
 * depend on the policy, and where the faulting XRSTORS happens does): each is accepted, runs
 * nothing and warns.
 */
import type { HostTask, X86 } from './state.js';

/** True (after a warning and a trace line) when `t` died in an oops. */
export function deadThread(m: X86, t: HostTask): boolean {
  if (!t.dead) return false;
  const h = m.host;
  const who =
    t.vcpu === null ? h.contextName(t.ctx) : `vCPU ${t.vcpu.id}'s thread (${h.contextName(t.ctx)})`;
  h.warn(`${who} died in an oops: event not run`);
  if (h.trace.on) m.line(0, `${who} died in an oops: event not run`);
  return true;
}
