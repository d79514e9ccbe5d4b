/**
 * handle_exit / arm_exit_handlers (arch/arm64/kvm/handle_exit.c): the exits that reach the
 * host, by exit reason, and handle_sve for an SVE trap the EL2 handler declined.
 */
import { type ExitRow, exitTable, RESUME_GUEST, RESUME_HOST } from '@vfpu/core/backend-utils';
import { exitRow } from '../exits.js';
import {
  ESR_ELx_EC_DABT_LOW,
  ESR_ELx_EC_HVC64,
  ESR_ELx_EC_SYS64,
  ESR_ELx_EC_WFx,
} from '../regs.js';
import type { Arm64, Ids, Vcpu } from './state.js';

/** arm_exit_handlers by exit-reason id (`reasons`: core's ids). */
export function armExitHandlers(
  ids: Ids,
  reasons: Readonly<Record<string, number>>,
): readonly ExitRow[] {
  return exitTable(reasons, {
    mmio: exitRow(
      'ESR_EL2',
      ESR_ELx_EC_DABT_LOW,
      0,
      'kvm_handle_guest_abort → io_mem_abort → KVM_EXIT_MMIO',
      [ids.abort, ids.mmio],
      RESUME_HOST,
    ),
    irq: exitRow(
      'ESR_EL2',
      null,
      0,
      'ARM_EXCEPTION_IRQ: handle_exit returns 1',
      [ids.irq],
      RESUME_GUEST,
    ),
    hlt: exitRow('ESR_EL2', ESR_ELx_EC_WFx, 0, 'kvm_handle_wfx', [ids.wfx], RESUME_GUEST),
    hypercall: exitRow('ESR_EL2', ESR_ELx_EC_HVC64, 0, 'handle_hvc', [ids.hvc], RESUME_GUEST),
    signal: exitRow(
      'ESR_EL2',
      null,
      0,
      'ARM_EXCEPTION_IRQ, then a pending signal: KVM_EXIT_INTR',
      [ids.irq, ids.intr],
      RESUME_HOST,
    ),
    other: exitRow(
      'ESR_EL2',
      ESR_ELx_EC_SYS64,
      0,
      'kvm_handle_sys_reg, handled in the kernel',
      [ids.sysreg],
      RESUME_GUEST,
    ),
  });
}

/** handle_sve: no SVE for this vCPU, kvm_inject_undefined; fp_owner unchanged. */
export function handle_sve(a: Arm64, vi: number): void {
  if (a.t.on) a.t.fn(0, 'handle_sve', '→ kvm_inject_undefined; fp_owner unchanged');
  a.host.count(a.ids.handleSve);
  a.host.count(a.ids.undefSve);
  (a.vcpus[vi] as Vcpu).pendingUndef = true;
}
