/**
 * Non-FP VM exits, named as KVM's kvm_exit tracepoint prints the VMX exit reason: rows of core's
 * exit table, built once per machine.
 */
import {
  type ExitRow,
  exitTable,
  type MachineHost,
  RESUME_GUEST,
  RESUME_HOST,
  type Resume,
} from '@vfpu/core';

/** Rows in EXIT_REASONS order, then the variant's `io` (variants.ts EXIT_REASONS). */
export function x86ExitTable(h: MachineHost): readonly ExitRow[] {
  const row = (reason: string, what: string, outcome: string | null, resume: Resume): ExitRow => ({
    text: `VM exit ${reason}: ${what}`,
    counters:
      outcome === null
        ? [h.counter('exits', reason)]
        : [h.counter('exits', reason), h.counter('outcomes', outcome)],
    resume,
  });
  return exitTable(
    {
      mmio: row('EPT_MISCONFIG', 'MMIO emulated in userspace', 'KVM_EXIT_MMIO', RESUME_HOST),
      irq: row('EXTERNAL_INTERRUPT', 'handled in the kernel', null, RESUME_GUEST),
      hlt: row('HLT', 'kvm_emulate_halt (in the kernel)', null, RESUME_GUEST),
      hypercall: row('VMCALL', 'kvm_emulate_hypercall', null, RESUME_GUEST),
      signal: row('EXTERNAL_INTERRUPT', 'a signal is pending', 'KVM_EXIT_INTR', RESUME_HOST),
      other: row('other', 'handled in the kernel', null, RESUME_GUEST),
    },
    [row('IO_INSTRUCTION', 'port I/O for userspace', 'KVM_EXIT_IO', RESUME_HOST)],
  );
}
