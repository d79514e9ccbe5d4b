/**
 * Linux 4.8 (`kvm-lazy-cr0ts`, eagerfpu=off): the guest FPU is activated by the #NM that CR0.TS
 * raises (vmx.c handle_exception → vmx_fpu_activate) or by the guest's CLTS (handle_cr), loaded
 * before entry (x86.c kvm_load_guest_fpu) and saved at every vcpu_put (kvm_put_guest_fpu); when
 * it stays active is the policy's decision (`kvm` = adaptive 5/256/initial, as fpu_counter).
 */
import type { Resume } from '@vfpu/core';
import { RESUME_GUEST } from '@vfpu/core/backend-utils';
import {
  kernel_fpu_begin_mask,
  restore_fpregs_from_fpstate,
  save_fpregs_to_fpstate,
} from '../kernel/fpu/core.js';
import { KVM_FPU, LOAD, UNLOAD } from '../kvm/x86.js';
import { TRAP_LAZY_TS, type X86, type X86Cpu, type X86Vcpu } from '../state.js';

/** 4.8 x86.c kvm_load_guest_fpu: __kernel_fpu_begin (save the VMM thread), restore the guest. */
export function kvm_load_guest_fpu(m: X86, v: X86Vcpu, depth: number): void {
  const h = m.host;
  const c = m.cpu(v.cpu);
  const t = v.vmm;
  if (h.trace.on) {
    h.trace.fn(depth, 'kvm_load_guest_fpu', '');
    h.trace.fn(depth + 1, '__kernel_fpu_begin');
  }
  if (c.owner === t.fpstate && !t.needFpuLoad) save_fpregs_to_fpstate(m, c, t.fpstate, depth + 2);
  restore_fpregs_from_fpstate(m, c, v.guestFpu.fpstate, depth + 1);
  v.guestFpuLoaded = true;
  // 4.8: trace_kvm_fpu(1) after __copy_kernel_to_fpregs, the routine's last statement
  if (h.trace.on) h.trace.tracepoint(v.id, KVM_FPU, LOAD);
}

/** 4.8 x86.c kvm_put_guest_fpu (from kvm_arch_vcpu_put): save the guest, __kernel_fpu_end. */
export function kvm_put_guest_fpu(m: X86, v: X86Vcpu, notKernel: boolean): void {
  if (!v.guestFpuLoaded) return;
  const h = m.host;
  const c = m.cpu(v.cpu);
  if (h.trace.on)
    h.trace.fn(0, 'kvm_put_guest_fpu', notKernel ? '(at the exit: not a kernel path)' : '');
  if (!m.skipPutSave) save_fpregs_to_fpstate(m, c, v.guestFpu.fpstate, 1);
  v.guestFpuLoaded = false;
  if (h.trace.on) h.trace.fn(1, '__kernel_fpu_end', '(the VMM thread is fpregs_active)');
  restore_fpregs_from_fpstate(m, c, v.vmm.fpstate, 2);
  h.count(m.ids.fpuReload);
  // 4.8: trace_kvm_fpu(0) last, after ++stat.fpu_reload and the fpu_counter request (the early
  // return when !guest_fpu_loaded fires nothing)
  if (h.trace.on) h.trace.tracepoint(v.id, KVM_FPU, UNLOAD);
}

/**
 * vmx_fpu_activate: GUEST_CR0.TS from the guest's own value and #NM out of the exception bitmap
 * (2 VMCS writes); the guest FPU is loaded at once, as vcpu_enter_guest does before re-entry.
 */
function vmx_fpu_activate(m: X86, v: X86Vcpu): void {
  m.host.control(2);
  kvm_load_guest_fpu(m, v, 1);
}

/** 4.8 vmx.c handle_exception: is_no_device → vmx_fpu_activate; return 1. */
export function handle_exception(m: X86, v: X86Vcpu, trap: number): Resume {
  const h = m.host;
  h.count(trap === TRAP_LAZY_TS ? m.ids.trapLazyTs : m.ids.trapLazyXfd);
  if (h.trace.on)
    h.trace.fn(
      0,
      'handle_exception → vmx_fpu_activate',
      'GUEST_CR0.TS from the guest, #NM no longer intercepted',
    );
  vmx_fpu_activate(m, v);
  return RESUME_GUEST;
}

/** 4.8 vmx.c handle_cr for a guest CR0 write while the FPU is inactive (CR0.TS is KVM's). */
export function handle_cr(m: X86, v: X86Vcpu, ts: number): Resume {
  const h = m.host;
  h.count(m.ids.crAccess);
  v.cr0ts = ts;
  if (ts) {
    if (h.trace.on)
      h.trace.fn(0, 'handle_cr → kvm_set_cr0', '(TS in the read shadow; the FPU stays inactive)');
    return RESUME_GUEST;
  }
  // 4.8 vmx.c handle_cr case 2: handle_clts, skip_emulated_instruction, vmx_fpu_activate
  if (h.trace.on) h.trace.fn(0, 'handle_cr → handle_clts → vmx_fpu_activate');
  vmx_fpu_activate(m, v);
  return RESUME_GUEST;
}

/** 4.8 kernel_fpu_begin … kernel_fpu_end: refused while KVM holds the FPU; else eager restore. */
export function kernel_fpu_begin(m: X86, c: X86Cpu): void {
  const t = c.current;
  if (t?.vcpu?.guestFpuLoaded) {
    m.line(
      0,
      'irq_fpu_usable() is false while KVM holds the FPU (kernel_fpu_disable): the caller takes its non-FPU path',
    );
    return;
  }
  kernel_fpu_begin_mask(m, c);
  if (t === null) return;
  // 4.8 __kernel_fpu_end: the current task's registers come back at once
  if (m.host.trace.on) m.host.trace.fn(0, 'kernel_fpu_end → __kernel_fpu_end');
  restore_fpregs_from_fpstate(m, c, t.fpstate, 1);
  t.needFpuLoad = false;
}
