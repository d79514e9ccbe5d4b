/**
 * The kernel's FP tracepoints, in order per vCPU, for scenarios whose counts are trusted (their
 * expect.json). Each list is derived by hand below from the kernel source, before the assertion.
 *
 * Where the kernel fires them:
 * - kvm_fpu (include/trace/events/kvm.h, "%s" of {0, "unload"}, {1, "load"}):
 *   6.16 x86.c: kvm_arch_vcpu_ioctl_run → kvm_load_guest_fpu: fpu_swap_kvm_fpstate(…, true), then
 *   trace_kvm_fpu(1); at its end kvm_put_guest_fpu: the swap back, ++stat.fpu_reload, then
 *   trace_kvm_fpu(0). Once each per KVM_RUN, FP use or not.
 *   4.8 x86.c: kvm_load_guest_fpu (vcpu_enter_guest, when fpu_active and not loaded):
 *   __kernel_fpu_begin, __copy_kernel_to_fpregs, trace_kvm_fpu(1); kvm_put_guest_fpu (from
 *   kvm_arch_vcpu_put, only if loaded): save, __kernel_fpu_end, ++fpu_reload, the fpu_counter < 5
 *   KVM_REQ_DEACTIVATE_FPU, trace_kvm_fpu(0). fpu_active starts at 1 (the first entry loads).
 * - kvm_exit of a #NM (reason EXCEPTION_NMI, intr_info 0x80000307: "EXCEPTION_NMI vector 7"):
 *   6.16 vmx_vcpu_run fires trace_kvm_exit right after the VM exit, before handle_exit_irqoff
 *   (handle_nm_fault_irqoff) and vmx_handle_exit (handle_exception_nmi); 4.8 vmx_handle_exit
 *   fires it first, before handle_exception → vmx_fpu_activate. Other exits are not FP exits.
 */
import { readFileSync } from 'node:fs';
import { firedTracepoints } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { x86Xfd } from '../src/index.js';

const dir = new URL('./scenarios/', import.meta.url);
const LOAD = 'kvm_fpu: load';
const UNLOAD = 'kvm_fpu: unload';
const NM = 'kvm_exit: EXCEPTION_NMI vector 7';

function fired(text: string, policy: string, vcpu = 0): string[] {
  return firedTracepoints(x86Xfd(), text, policy, vcpu);
}

function scenario(name: string): string {
  return readFileSync(new URL(`${name}.ndjson`, dir), 'utf8');
}

describe('x86-xfd tracepoints (kvm policy)', () => {
  it('12-xfd-nm (6.16): the guest XFD #NM between the KVM_RUN swaps', () => {
    // enter: KVM_RUN → kvm_load_guest_fpu → load
    // WRMSR IA32_XFD (an MSR exit, not FP), LDTILECFG (loaded: no exit)
    // amx-tile use with XFD[18] armed: #NM intercepted → [EXCEPTION_NMI vector 7], then
    //   handle_nm_fault_irqoff (XFD_ERR) and handle_exception_nmi (queued to the guest)
    // exit io: KVM_RUN returns → kvm_put_guest_fpu → unload
    expect(fired(scenario('12-xfd-nm'), 'kvm')).toEqual([LOAD, NM, UNLOAD]);
  });

  it('14-cr0ts-nm-xfd-armed (6.16): a CR0.TS #NM is intercepted because XFD is armed', () => {
    // enter: load; the non-zero XFD write turns on the #NM intercept (xfd_no_write_intercept);
    // guest CR0.TS is guest-owned (no exit); sse use → #NM (CR0.TS) → [EXCEPTION_NMI vector 7]
    // (handle_nm_fault_irqoff reads no XFD_ERR; queued with payload 0); exit io → unload
    expect(fired(scenario('14-cr0ts-nm-xfd-armed'), 'kvm')).toEqual([LOAD, NM, UNLOAD]);
  });

  it('31-lazy-eager-after-5 (4.8 lazy CR0.TS): #NM until fpu_counter reaches 5', () => {
    // 7 rounds of load / enter / sse use / irq exit / put.
    // Round 1: fpu_active starts at 1 → kvm_load_guest_fpu at entry (load), no #NM; put →
    //   kvm_put_guest_fpu (unload), ++fpu_counter = 1 < 5 → deactivate.
    // Rounds 2–5: the use raises #NM (CR0.TS) → [EXCEPTION_NMI vector 7] → handle_exception →
    //   vmx_fpu_activate → kvm_load_guest_fpu (load); put → unload, fpu_counter 2, 3, 4 (< 5:
    //   deactivate), then 5 (not < 5: the FPU stays active).
    // Rounds 6–7: active → load at entry, no #NM; put → unload.
    const trap = [NM, LOAD, UNLOAD];
    expect(fired(scenario('31-lazy-eager-after-5'), 'kvm')).toEqual([
      LOAD,
      UNLOAD,
      ...trap,
      ...trap,
      ...trap,
      ...trap,
      LOAD,
      UNLOAD,
      LOAD,
      UNLOAD,
    ]);
  });
});

describe('x86-xfd tracepoints under other policies, and without FP', () => {
  it('lazy on 6.16: the deferred kvm_load_guest_fpu still fires load; KVM’s own #NM is a kvm_exit', () => {
    // Decision (policy-paths.ts): a policy path that runs a kernel routine fires its tracepoints.
    // 12 under lazy: KVM_RUN's kvm_load_guest_fpu with the restore deferred → load;
    // LDTILECFG with the guest fpstate not loaded → KVM's own XFD[18] #NM (a VM exit: kvm_exit);
    // the amx-tile use → the guest's XFD #NM → kvm_exit; exit io → kvm_put_guest_fpu → unload
    expect(fired(scenario('12-xfd-nm'), 'lazy')).toEqual([LOAD, NM, NM, UNLOAD]);
  });

  it('eager on 4.8: loaded at every entry, so no #NM exit: a load / unload pair per round', () => {
    const pair = [LOAD, UNLOAD];
    expect(fired(scenario('31-lazy-eager-after-5'), 'eager')).toEqual([
      ...pair,
      ...pair,
      ...pair,
      ...pair,
      ...pair,
      ...pair,
      ...pair,
    ]);
  });

  it('no FP use on 6.16: no kvm_exit, and kvm_fpu exactly twice per KVM_RUN', () => {
    const text = [
      '{"format":"vfpu-workload","version":1,"arch":"x86-xfd","variant":"kvm-6.16","cpus":1,"vcpus":1}',
      '{"op":"load","vcpu":0,"cpu":0}',
      '{"op":"enter","vcpu":0}',
      '{"op":"exit","vcpu":0,"reason":"irq"}',
      '{"op":"enter","vcpu":0}',
      '{"op":"exit","vcpu":0,"reason":"io"}',
      '{"op":"enter","vcpu":0}',
      '{"op":"exit","vcpu":0,"reason":"io"}',
      '{"op":"put","vcpu":0}',
    ].join('\n');
    // two KVM_RUNs (each io exit returns to userspace); in-kernel exits swap nothing
    expect(fired(text, 'kvm')).toEqual([LOAD, UNLOAD, LOAD, UNLOAD]);
  });
});
