/**
 * handle_exit (arch/arm/kvm/handle_exit.c; arm.c in v3.9): the exits that reach the host, by
 * exit reason, and the HCPTR trap taken as a full exit without CONFIG_VFPv3.
 */
import type { Resume } from '@vfpu/core';
import { type ExitRow, exitTable, RESUME_GUEST, RESUME_HOST } from '@vfpu/core/backend-utils';
import { exitRow } from '../exits.js';
import { HSR_EC_CP10_ID, HSR_EC_DABT, HSR_EC_HVC, HSR_EC_WFI } from '../regs.js';
import { kvm_condition_valid } from './emulate.js';
import type { Arm32, Ids, Vcpu } from './state.js';

/** arm_exit_handlers by exit-reason id (`reasons`: core's ids), with the variant's `cp10-id`. */
export function armExitHandlers(
  ids: Ids,
  reasons: Readonly<Record<string, number>>,
): readonly ExitRow[] {
  return exitTable(reasons, {
    mmio: exitRow(
      'HSR',
      HSR_EC_DABT,
      0,
      'kvm_handle_guest_abort → io_mem_abort → KVM_EXIT_MMIO',
      [ids.abort, ids.mmio],
      RESUME_HOST,
    ),
    irq: exitRow(
      'HSR',
      null,
      0,
      'ARM_EXCEPTION_IRQ: handle_exit returns 1',
      [ids.irq],
      RESUME_GUEST,
    ),
    hlt: exitRow('HSR', HSR_EC_WFI, 0, 'kvm_handle_wfx', [ids.wfx], RESUME_GUEST),
    hypercall: exitRow('HSR', HSR_EC_HVC, 0, 'handle_hvc', [ids.hvc], RESUME_GUEST),
    signal: exitRow(
      'HSR',
      null,
      0,
      'ARM_EXCEPTION_IRQ, then signal_pending: KVM_EXIT_INTR',
      [ids.irq, ids.intr],
      RESUME_HOST,
    ),
    other: exitRow(
      'HSR',
      null,
      0,
      'HSR EC 0x03 (CP15_32): kvm_handle_cp15_32, handled in the kernel',
      [ids.cp15],
      RESUME_GUEST,
    ),
    // VMRS r0, MVFR0 (AL): Opc1 7, CRn 7, Dir 1 (kernel-check.md §7: 0x23E1DC01)
    'cp10-id': exitRow(
      'HSR',
      HSR_EC_CP10_ID,
      0x1e1dc01,
      'kvm_handle_cp10_id → kvm_inject_undefined',
      [ids.cp10id, ids.undefCp10],
      RESUME_GUEST,
    ),
  });
}

/**
 * handle_exit for the HCPTR trap without CONFIG_VFPv3 (ARM_EXCEPTION_HVC, HSR EC 0x07):
 * kvm_condition_valid first, then arm_exit_handlers[HSR_EC_CP_0_13].
 */
export function handle_exit(a: Arm32, vi: number): Resume {
  const v = a.vcpus[vi] as Vcpu;
  if (!kvm_condition_valid(a, vi)) {
    if (a.t.on) a.t.fn(0, 'kvm_condition_valid', '— false: kvm_skip_instr, PC += 4');
    a.host.count(a.ids.condition);
    a.host.count(a.ids.skipped);
    v.pendingSkip = true;
  } else {
    kvm_handle_cp_0_13_access(a, v);
  }
  return RESUME_GUEST;
}

/** handle_exit.c kvm_handle_cp_0_13_access: kvm_inject_undefined. */
function kvm_handle_cp_0_13_access(a: Arm32, v: Vcpu): void {
  if (a.t.on) a.t.fn(0, 'kvm_handle_cp_0_13_access', '→ kvm_inject_undefined');
  a.host.count(a.ids.cp013);
  a.host.count(a.ids.undefCp013);
  v.pendingUndef = true;
}
