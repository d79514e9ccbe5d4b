/**
 * arch/x86/kvm/x86.c (6.16): the guest FPU around KVM_RUN (kvm_load_guest_fpu /
 * kvm_put_guest_fpu → fpu_swap_kvm_fpstate), vcpu_enter_guest's FPU and XFD_ERR work, XSETBV
 * (__kvm_set_xcr) and the XFD MSRs (kvm_set_msr_common), and vCPU creation.
 */
import type { Resume } from '@vfpu/core';
import { RESUME_GUEST } from '@vfpu/core/backend-utils';
import { defineComponents } from '../hw/xsave.js';
import { switch_fpu_return } from '../kernel/fpu/context.js';
import {
  fpu_alloc_guest_fpstate,
  fpu_swap_kvm_fpstate,
  fpu_sync_guest_vmexit_xfd_state,
  fpu_update_guest_xfd,
  swapFpstate,
} from '../kernel/fpu/core.js';
import { hex, MASK, MODELLED, USER_DYNAMIC } from '../layout.js';
import { NONE, type X86, type X86Cpu, type X86Vcpu } from '../state.js';
import { kvm_set_cpuid } from './cpuid.js';

export const MSR_IA32_XFD = 0x1c4;
export const MSR_IA32_XFD_ERR = 0x1c5;

/**
 * include/trace/events/kvm.h kvm_fpu: TP_printk("%s", __print_symbolic(load, {0, "unload"},
 * {1, "load"})). 6.16 x86.c fires trace_kvm_fpu(1) at the end of kvm_load_guest_fpu (after
 * fpu_swap_kvm_fpstate) and trace_kvm_fpu(0) at the end of kvm_put_guest_fpu (after
 * ++stat.fpu_reload): once each per KVM_RUN.
 */
export const KVM_FPU = 'kvm_fpu';
export const LOAD = 'load';
export const UNLOAD = 'unload';

/** kvm_load_guest_fpu (from kvm_arch_vcpu_ioctl_run, right after vcpu_load): the whole swap. */
export function kvm_load_guest_fpu(m: X86, c: X86Cpu, v: X86Vcpu): void {
  const h = m.host;
  if (h.trace.on) {
    h.trace.fn(0, 'kvm_load_guest_fpu');
    h.trace.fn(1, 'fpu_swap_kvm_fpstate', '(guest_fpu, true)');
  }
  fpu_swap_kvm_fpstate(m, c, v, true, 2);
  if (h.trace.on) h.trace.tracepoint(v.id, KVM_FPU, LOAD);
}

/** kvm_put_guest_fpu → fpu_swap_kvm_fpstate(guest_fpu, false); ++stat.fpu_reload. */
export function kvm_put_guest_fpu(m: X86, c: X86Cpu, v: X86Vcpu): void {
  const h = m.host;
  if (h.trace.on) h.trace.fn(0, 'kvm_put_guest_fpu', '→ fpu_swap_kvm_fpstate(guest_fpu, false)');
  fpu_swap_kvm_fpstate(m, c, v, false, 1);
  h.count(m.ids.fpuReload);
  if (h.trace.on) h.trace.tracepoint(v.id, KVM_FPU, UNLOAD);
}

/** vcpu_enter_guest before VM entry: the guest's XFD_ERR goes back into the MSR. */
export function vcpu_enter_guest(m: X86, v: X86Vcpu): void {
  v.hasRun = true;
  if (!m.legacy && v.guestFpu.xfdErr !== 0) {
    // vcpu_enter_guest: "if (vcpu->arch.guest_fpu.xfd_err) wrmsrq(MSR_IA32_XFD_ERR, …)"
    m.host.control(1);
    if (m.host.trace.on)
      m.line(
        0,
        `vcpu_enter_guest: WRMSR IA32_XFD_ERR ← ${hex(v.guestFpu.xfdErr)} (the guest's value)`,
      );
  }
}

/** vcpu_enter_guest: "if (test_thread_flag(TIF_NEED_FPU_LOAD)) switch_fpu_return()". */
export function enterGuestFpuReload(m: X86, v: X86Vcpu): void {
  if (m.host.trace.on)
    m.host.trace.fn(0, 'vcpu_enter_guest → switch_fpu_return', '(TIF_NEED_FPU_LOAD)');
  switch_fpu_return(m, v, 0);
}

/** After every VM exit (x86.c vcpu_enter_guest): sync a passed-through XFD, clear XFD_ERR. */
export function vcpuEnterGuestAfterExit(m: X86, v: X86Vcpu): void {
  if (m.legacy) return;
  if (v.xfdNoWriteIntercept) fpu_sync_guest_vmexit_xfd_state(m, 1);
  if (v.guestFpu.xfdErr !== 0) {
    m.host.control(1);
    m.line(1, 'WRMSR IA32_XFD_ERR ← 0 (the host value outside its #NM handler)');
  }
}

/** __kvm_set_xcr's checks (x86.c): the XCR0 value `x` would #GP. */
export function xcr0Refused(v: X86Vcpu, x: number): boolean {
  if (!(x & MASK.FP)) return true;
  if (x & MASK.YMM && !(x & MASK.SSE)) return true;
  if (x & ~(v.guestSupportedXcr0 | MASK.FP)) return true;
  if (!(x & MASK.BNDREGS) !== !(x & MASK.BNDCSR)) return true;
  if (x & MASK.AVX512) {
    if (!(x & MASK.YMM)) return true;
    if ((x & MASK.AVX512) !== MASK.AVX512) return true;
  }
  return (x & MASK.XTILE) !== 0 && (x & MASK.XTILE) !== MASK.XTILE;
}

/** __kvm_set_xcr (x86.c): false when the value would #GP. */
export function __kvm_set_xcr(m: X86, v: X86Vcpu, x: number): boolean {
  if (xcr0Refused(v, x)) return false;
  const lost = m.enabledUnits(v.xcr0) & ~m.enabledUnits(x);
  v.xcr0 = x;
  if (lost && m.ready) m.host.undefine(v.id, lost);
  return true;
}

/** handle_xsetbv → kvm_emulate_xsetbv: __kvm_set_xcr, or #GP. */
export function kvm_emulate_xsetbv(m: X86, v: X86Vcpu, x: number): Resume {
  const h = m.host;
  h.count(m.ids.xsetbv);
  if (h.trace.on) h.trace.fn(0, 'handle_xsetbv → kvm_emulate_xsetbv', `(XCR0 ← ${hex(x)})`);
  if (!__kvm_set_xcr(m, v, x)) {
    if (h.trace.on)
      m.line(1, v.cpl !== 0 ? `CPL ${v.cpl}: #GP(0)` : '__kvm_set_xcr refuses it: #GP(0)');
    h.count(m.ids.gp);
  }
  vcpuEnterGuestAfterExit(m, v);
  return RESUME_GUEST;
}

/** kvm_set_msr_common for a guest WRMSR of IA32_XFD / IA32_XFD_ERR: 0, or 1 for #GP. */
export function kvm_set_msr_common(m: X86, v: X86Vcpu, msr: number, x: number): number {
  const h = m.host;
  const xfd = msr === MSR_IA32_XFD;
  if (h.trace.on)
    h.trace.fn(
      0,
      'handle_wrmsr → kvm_set_msr_common',
      `(${xfd ? 'MSR_IA32_XFD' : 'MSR_IA32_XFD_ERR'} ← ${hex(x)})`,
    );
  if (!m.o.cpuidXfd || x & ~(v.guestSupportedXcr0 & USER_DYNAMIC)) {
    m.line(
      1,
      xfd
        ? 'refused (no CPUID XFD, or a bit outside kvm_guest_supported_xfd): #GP(0)'
        : 'refused (no CPUID XFD, or a bit outside the guest-supported dynamic features): #GP(0)',
    );
    h.count(m.ids.gp);
    return 1;
  }
  // current is the vCPU thread, in its exit handler
  if (xfd) fpu_update_guest_xfd(m, v, x, v.vmm.needFpuLoad);
  else v.guestFpu.xfdErr = x;
  return 0;
}

/** kvm_arch_vcpu_create → fpu_alloc_guest_fpstate (xfd = 0, uabi_size 4096), then KVM_SET_CPUID2. */
export function kvm_arch_vcpu_create(m: X86, v: X86Vcpu): void {
  fpu_alloc_guest_fpstate(m, v);
  v.xfdNoWriteIntercept = false;
  v.hasRun = false;
  v.xcr0 = MASK.FP; // XCR0 reset value
  v.cr0ts = 0;
  v.cpl = 0;
  v.pendingInject = false;
  v.cpuidXcr0 = 0;
  v.guestSupportedXcr0 = 0;
  // the new guest fpstate is in its init state (fpstate_init_user): that is the vCPU's state now
  if (m.ready) defineComponents(m.host, v.id, v.guestFpu.fpstate.regs, MODELLED);
  if (!m.ready && m.host.trace.on)
    m.line(0, `vcpu ${v.id} created before the workload: fpu_alloc_guest_fpstate, KVM_SET_CPUID2`);
  const r = kvm_set_cpuid(m, v, m.o.cpuidXcr0);
  if (r < 0) m.host.count(m.ids.cpuidEperm);
}

/** The vCPUs exist before the workload: created, their CPUID set, and the guest OS's XCR0 and CR0.TS. */
export function vcpusBeforeWorkload(m: X86): void {
  const o = m.o;
  for (const v of m.vcpus) {
    kvm_arch_vcpu_create(m, v);
    const want = o.guestXcr0 < 0 ? v.guestSupportedXcr0 | MASK.FP : o.guestXcr0;
    if (!__kvm_set_xcr(m, v, want))
      m.host.warn(
        `config guest.xcr0 ${hex(want)} is not a valid XCR0 for vcpu ${v.id}'s CPUID (__kvm_set_xcr); the guest keeps XCR0 = ${hex(v.xcr0)}`,
      );
    v.cr0ts = o.guestCr0ts ? 1 : 0;
  }
  m.ready = true;
}

/**
 * KVM_RUN returns (kvm_arch_vcpu_ioctl_run's end: kvm_put_guest_fpu), on `c`: after an exit to
 * userspace, or for a vCPU preempted inside it when core learns it returned (a pending signal).
 * `c` null: the VMM thread is off-CPU; the kernel would run kvm_put_guest_fpu when it next runs,
 * on a pCPU the model does not know, so only the swap is done here: the thread keeps
 * TIF_NEED_FPU_LOAD (switch_fpu set it) and its registers come back on its return to user space
 * (README, known deviations).
 */
export function kvmRunEnd(m: X86, v: X86Vcpu, c: X86Cpu | null): void {
  const h = m.host;
  if (v.cpu === NONE && h.trace.on)
    m.line(
      0,
      `KVM_RUN of vcpu ${v.id} returned while preempted (a pending signal: ${h.contextName(v.vmm.ctx)} ${c === null ? 'is off-CPU' : `runs on cpu ${c.id}`})`,
    );
  if (c !== null) {
    kvm_put_guest_fpu(m, c, v);
    return;
  }
  if (h.trace.on)
    h.trace.fn(
      0,
      'kvm_put_guest_fpu',
      '→ fpu_swap_kvm_fpstate(guest_fpu, false): the swap only (TIF_NEED_FPU_LOAD: the VMM registers come back on its return to user space)',
    );
  swapFpstate(v, false);
  h.count(m.ids.fpuReload);
  if (h.trace.on) h.trace.tracepoint(v.id, KVM_FPU, UNLOAD);
}
