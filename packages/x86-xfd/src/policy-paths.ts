/**
 * Paths only a non-`kvm` policy takes; none of them is a kernel path, and the trace says so.
 *
 * On 6.16 KVM swaps the guest fpstate in at KVM_RUN begin (kvm_load_guest_fpu) and reloads it
 * before every entry (vcpu_enter_guest → switch_fpu_return). A policy that leaves it unloaded at
 * an entry (lazy, adaptive below its threshold) needs KVM to keep CR0.TS set and XFD[18] armed
 * (AMX ignores CR0.TS) and to intercept #NM: the #NM then loads the whole fpstate. A policy that
 * saves at every exit (lazy-per-exit) saves the guest there. On 4.8 the save at an exit is
 * kvm_put_guest_fpu run early.
 *
 * Tracepoints: a path that runs a kernel routine fires that routine's tracepoints (the deferred
 * kvm_load_guest_fpu its kvm_fpu load, 4.8's early kvm_put_guest_fpu its unload); KVM's own #NM
 * is a VM exit and fires kvm_exit (vmexitNm); a save at the exit on 6.16 fires nothing.
 */
import type { Resume } from '@vfpu/core';
import { RESUME_GUEST } from '@vfpu/core/backend-utils';
import { guestOwnNm } from './hw/guest.js';
import { switch_fpu_return } from './kernel/fpu/context.js';
import { save_fpregs_to_fpstate, swapFpstate } from './kernel/fpu/core.js';
import { handle_exception_nmi, vmexitNm } from './kvm/vmx.js';
import { KVM_FPU, LOAD, vcpuEnterGuestAfterExit } from './kvm/x86.js';
import { kvm_put_guest_fpu } from './linux-4.8/lazy-cr0ts.js';
import { TRAP_LAZY_TS, TRAP_LAZY_XFD, type X86, type X86Cpu, type X86Vcpu } from './state.js';

/**
 * 6.16, KVM_RUN begins and the policy preloads nothing (lazy, adaptive below its threshold):
 * kvm_load_guest_fpu's save of the VMM thread and the fpstate swap, but the guest's restore is
 * deferred (TIF_NEED_FPU_LOAD) to its first #NM or a later policy load.
 */
export function kvmLoadGuestFpuDeferred(m: X86, c: X86Cpu, v: X86Vcpu): void {
  const h = m.host;
  const fpu = v.vmm;
  if (h.trace.on) h.trace.fn(0, 'kvm_load_guest_fpu', '(the restore deferred: not a kernel path)');
  if (!fpu.needFpuLoad && c.owner === fpu.fpstate) save_fpregs_to_fpstate(m, c, fpu.fpstate, 1);
  swapFpstate(v, true);
  fpu.needFpuLoad = true;
  m.line(
    1,
    "current's fpstate → the guest buffer (in_use); its registers are restored when the guest is loaded",
  );
  // still the kernel's kvm_load_guest_fpu, only its restore deferred: its trace_kvm_fpu(1) fires
  if (h.trace.on) h.trace.tracepoint(v.id, KVM_FPU, LOAD);
}

/** 6.16: the #NM of KVM's own CR0.TS / XFD[18] loads the guest fpstate (switch_fpu_return). */
function loadGuestAtNm(m: X86, v: X86Vcpu): void {
  if (m.host.trace.on) m.host.trace.fn(0, 'switch_fpu_return', '(not a kernel path)');
  switch_fpu_return(m, v, 0);
}

/**
 * 6.16: the exit handler of KVM's own #NM (TRAP_LAZY_TS / TRAP_LAZY_XFD). When the guest's own
 * CR0.TS or XFD would raise the same #NM once loaded (guestOwnNm), the exit is the guest's: it is
 * handled as the kernel handles that #NM (handle_exception_nmi: XFD_ERR read and the #NM
 * injected), and the load rides on it; re-entering to take a second #NM exit would be wasted.
 */
export function lazyGuestNm(m: X86, v: X86Vcpu, trap: number): Resume {
  const own = guestOwnNm(m, v, trap === TRAP_LAZY_XFD);
  if (own !== 0) {
    const resume = handle_exception_nmi(m, v, own);
    loadGuestAtNm(m, v);
    return resume;
  }
  m.host.count(trap === TRAP_LAZY_TS ? m.ids.trapLazyTs : m.ids.trapLazyXfd);
  vcpuEnterGuestAfterExit(m, v);
  loadGuestAtNm(m, v);
  return RESUME_GUEST;
}

/** 6.16: LDTILECFG while the guest fpstate is not loaded raises KVM's XFD[18] #NM first. */
export function lazyGuestLdtilecfg(m: X86, v: X86Vcpu): void {
  vmexitNm(m, v);
  m.host.count(m.ids.trapLazyXfd);
  loadGuestAtNm(m, v);
}

/** The policy saves everything live at this exit. */
export function saveGuestAtExit(m: X86, v: X86Vcpu): void {
  if (m.legacy) {
    kvm_put_guest_fpu(m, v, true);
    return;
  }
  if (!m.resident(v)) return;
  if (m.host.trace.on)
    m.host.trace.fn(0, 'save_fpregs_to_fpstate', '(the guest, at the exit: not a kernel path)');
  save_fpregs_to_fpstate(m, m.cpu(v.cpu), v.guestFpu.fpstate, 1);
  v.vmm.needFpuLoad = true;
}
