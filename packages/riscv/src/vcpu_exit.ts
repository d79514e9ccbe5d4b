/**
 * arch/riscv/kvm/vcpu_exit.c: kvm_riscv_vcpu_exit. Non-FP exits as a table (their vcpu->stat
 * counters; `exits` counts every one), and the illegal-instruction case: before Linux 6.17
 * EXC_INST_ILLEGAL (scause 2) is not in KVM_HEDELEG_DEFAULT, so it exits to KVM, which counts
 * `instr_illegal_exits` (and the PMU firmware event SBI_PMU_FW_ILLEGAL_INSN) and redirects it to
 * the guest (vcpu_redirect → kvm_riscv_vcpu_trap_redirect). From 6.17 the exception is delegated
 * and never reaches KVM (the case stays for SBI implementations that ignore hedeleg). KVM loads
 * nothing in either case: FS/VS and the saved context are unchanged (§B.8).
 */
import type { MachineHost, Resume } from '@vfpu/core';
import { type ExitRow, exitTable, RESUME_GUEST, RESUME_HOST } from '@vfpu/core/backend-utils';
import type { RiscvState } from './state.js';

export function riscvExitTable(
  h: MachineHost,
  ids: Readonly<Record<string, number>>,
): readonly ExitRow[] {
  const exits = h.counter('exits', 'exits');
  const row = (text: string, counter: string | null, resume = RESUME_GUEST): ExitRow => ({
    text,
    counters: counter === null ? [exits] : [exits, h.counter('exits', counter)],
    resume,
  });
  return exitTable(ids, {
    // KVM_EXIT_MMIO: kvm_riscv_vcpu_mmio_load/store found no in-kernel device
    mmio: row(
      'exit: guest page fault on MMIO, for userspace (KVM_EXIT_MMIO)',
      'mmio_exit_user',
      RESUME_HOST,
    ),
    irq: row('exit: host interrupt (scause interrupt bit): kvm_riscv_vcpu_exit returns 1', null),
    hlt: row('exit: virtual instruction WFI (kvm_riscv_vcpu_wfi)', 'wfi_exit_stat'),
    hypercall: row(
      'exit: ecall handled in the kernel (kvm_riscv_vcpu_sbi_ecall)',
      'ecall_exit_stat',
    ),
    signal: row('exit: a signal is pending (KVM_EXIT_INTR)', 'signal_exits', RESUME_HOST),
    other: row('exit: handled in the kernel', null),
  });
}

export interface IllegalCounters {
  readonly exits: number;
  readonly illegal: number;
}

/** The EXC_INST_ILLEGAL case (Linux < 6.17). */
export function kvm_riscv_vcpu_exit(m: RiscvState, v: number, c: IllegalCounters): Resume {
  if (m.h.trace.on) m.h.trace.fn(0, 'kvm_riscv_vcpu_exit', '— scause 2 EXC_INST_ILLEGAL');
  m.h.count(c.exits);
  m.h.count(c.illegal);
  vcpu_redirect(m, v);
  return RESUME_GUEST;
}

function vcpu_redirect(m: RiscvState, v: number): void {
  if (m.h.trace.on) m.h.trace.fn(1, 'kvm_riscv_vcpu_trap_redirect');
  // the guest's trap handler runs next instead of the instruction (guestAccess reads this)
  m.redirected[v] = 1;
}
