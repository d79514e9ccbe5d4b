/**
 * arch/x86/kvm/vmx/vmx.c (6.16): the #NM exit (handle_nm_fault_irqoff with interrupts off, then
 * handle_exception_nmi queues the exception) and vmx_set_msr's IA32_XFD pass-through.
 */
import type { Resume } from '@vfpu/core';
import { RESUME_GUEST } from '@vfpu/core/backend-utils';
import { hex, MASK } from '../layout.js';
import { TRAP_GUEST_TS, type X86, type X86Vcpu } from '../state.js';
import { kvm_set_msr_common, MSR_IA32_XFD, vcpuEnterGuestAfterExit } from './x86.js';

/** VM-exit interruption information of #NM: valid, hardware exception, vector 7. */
const NM_INTR_INFO = 0x80000307;

/**
 * The kvm_exit of a #NM exit: trace-cmd prints reason EXCEPTION_NMI with intr_info 0x80000307
 * (vector 7 = intr_info & 0xff); the canonical detail of vfpu (BRIEF-14) is this constant.
 */
const KVM_EXIT_NM = 'EXCEPTION_NMI vector 7';

/**
 * A VM exit EXCEPTION_NMI with vector 7: the exit counter and what `explain` shows of it, then
 * trace_kvm_exit(vcpu, KVM_ISA_VMX), which 6.16 vmx_vcpu_run fires right after the VM exit,
 * before vcpu_enter_guest's handle_exit_irqoff (handle_nm_fault_irqoff) and vmx_handle_exit
 * (handle_exception_nmi); 4.8 fires it first thing in vmx_handle_exit, before handle_exception.
 */
export function vmexitNm(m: X86, v: X86Vcpu): void {
  m.host.count(m.ids.nmExit);
  if (!m.host.trace.on) return;
  const why = m.legacy
    ? 'the guest FPU is inactive'
    : v.xfdNoWriteIntercept
      ? 'xfd_no_write_intercept'
      : 'KVM keeps the guest FPU unloaded: not a kernel path';
  m.line(
    0,
    `VM exit EXCEPTION_NMI: vector 7 (#NM), VM-exit interruption information ${hex(NM_INTR_INFO)}; guest CR0.TS ${v.cr0ts}, IA32_XFD ${hex(v.guestFpu.fpstate.xfd)}, #NM intercepted (${why})`,
  );
  m.host.trace.tracepoint(v.id, 'kvm_exit', KVM_EXIT_NM);
}

/** handle_exception_irqoff → handle_nm_fault_irqoff: XFD_ERR is read only for an XFD #NM. */
function handle_nm_fault_irqoff(m: X86, v: X86Vcpu, xfdNm: boolean): void {
  const h = m.host;
  if (!xfdNm) {
    if (h.trace.on)
      h.trace.fn(
        0,
        'handle_exception_irqoff → handle_nm_fault_irqoff',
        'CR0.TS = 1: not an XFD #NM, XFD_ERR left alone',
      );
    return;
  }
  if (h.trace.on)
    h.trace.fn(
      0,
      'handle_exception_irqoff → handle_nm_fault_irqoff',
      'is_xfd_nm_fault: RDMSR IA32_XFD_ERR with interrupts off',
    );
  v.guestFpu.xfdErr = v.guestFpu.fpstate.xfd & MASK.XTILE_DATA;
  if (h.trace.on) m.line(1, `guest_fpu.xfd_err ← ${hex(v.guestFpu.xfdErr)}`);
}

/** handle_exception_nmi → kvm_queue_exception_p(NM_VECTOR, payload). */
function kvm_queue_exception_p(m: X86, v: X86Vcpu, payload: number): void {
  if (m.host.trace.on)
    m.host.trace.fn(
      0,
      'handle_exception_nmi → kvm_queue_exception_p',
      `(NM_VECTOR, ${hex(payload)})`,
    );
  m.host.count(payload ? m.ids.nmPayload : m.ids.nmZero);
  v.pendingInject = true;
}

/** The guest's own #NM, intercepted because of XFD: reflected with XFD_ERR as the payload. */
export function handle_exception_nmi(m: X86, v: X86Vcpu, trap: number): Resume {
  if (trap === TRAP_GUEST_TS) {
    m.host.count(m.ids.trapTs);
    vcpuEnterGuestAfterExit(m, v);
    handle_nm_fault_irqoff(m, v, false);
    kvm_queue_exception_p(m, v, 0);
    return RESUME_GUEST;
  }
  m.host.count(m.ids.trapXfd);
  handle_nm_fault_irqoff(m, v, true);
  vcpuEnterGuestAfterExit(m, v);
  kvm_queue_exception_p(m, v, v.guestFpu.xfdErr);
  return RESUME_GUEST;
}

/** handle_wrmsr → vmx_set_msr: kvm_set_msr_common, then a non-zero XFD stops the interception. */
export function vmx_set_msr(m: X86, v: X86Vcpu, msr: number, x: number): Resume {
  const h = m.host;
  h.count(m.ids.msrWrite);
  const gp = kvm_set_msr_common(m, v, msr, x);
  if (gp === 0 && msr === MSR_IA32_XFD && x !== 0 && !v.xfdNoWriteIntercept) {
    v.xfdNoWriteIntercept = true;
    h.control(1);
    if (h.trace.on)
      h.trace.fn(
        1,
        'vmx_set_msr',
        'non-zero: IA32_XFD read/write interception off, xfd_no_write_intercept, vmx_update_exception_bitmap adds #NM',
      );
  }
  vcpuEnterGuestAfterExit(m, v);
  return RESUME_GUEST;
}
