/**
 * Non-FP VM exits, named as KVM's kvm_exit tracepoint prints the VMX exit reason: rows of core's
 * exit table, built once per machine.
 */
import type { MachineHost, Resume } from '@vfpu/core';
import { type ExitRow, exitTable, RESUME_GUEST, RESUME_HOST } from '@vfpu/core/backend-utils';

/** Rows by exit-reason name (the common ones and the variant's `io`), placed at core's ids. */
export function x86ExitTable(
  h: MachineHost,
  ids: Readonly<Record<string, number>>,
): readonly ExitRow[] {
  const row = (reason: string, what: string, outcome: string | null, resume: Resume): ExitRow => ({
    text: `VM exit ${reason}: ${what}`,
    counters:
      outcome === null
        ? [h.counter('exits', reason)]
        : [h.counter('exits', reason), h.counter('outcomes', outcome)],
    resume,
  });
  return exitTable(ids, {
    mmio: row('EPT_MISCONFIG', 'MMIO emulated in userspace', 'KVM_EXIT_MMIO', RESUME_HOST),
    irq: row('EXTERNAL_INTERRUPT', 'handled in the kernel', null, RESUME_GUEST),
    hlt: row('HLT', 'kvm_emulate_halt (in the kernel)', null, RESUME_GUEST),
    hypercall: row('VMCALL', 'kvm_emulate_hypercall', null, RESUME_GUEST),
    signal: row('EXTERNAL_INTERRUPT', 'a signal is pending', 'KVM_EXIT_INTR', RESUME_HOST),
    other: row('other', 'handled in the kernel', null, RESUME_GUEST),
    io: row('IO_INSTRUCTION', 'port I/O for userspace', 'KVM_EXIT_IO', RESUME_HOST),
  });
}
