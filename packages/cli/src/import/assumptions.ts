/** The sentences a workload imported from a trace declares: what the trace could not show. */
import type { ImportOptions } from './index.js';

const TRAP_ARCHS = new Set(['mips-vz', 'loongarch']);

export function assumptions(
  arch: string,
  variant: string,
  opts: ImportOptions,
  widest: string,
  adjusted: Readonly<Record<string, number>>,
  renumbered: number,
): string[] {
  const a: string[] = [
    "vCPU n is the thread QEMU named 'CPU n/KVM' (or the vcpu field of its events); the pCPU is the trace's [cpu] column.",
    "An exit after which KVM_RUN did not return to userspace (kvm_userspace_exit, kvm_out) before the next entry was handled in the kernel: reason irq, hlt or hypercall by the kernel's name, else other.",
    "A vCPU thread scheduled back in inside KVM_RUN is loaded (kvm_sched_in's vcpu_load) at its next entry.",
    'Host tasks are the threads sched_switch names (COMM.PID); their own FP/SIMD use is not in the trace and not simulated.',
  ];
  if (opts.guestFp === 'none')
    a.push(
      'Guest FP/SIMD use is only what the trace shows as traps (--guest-fp none): between them the guest is taken not to touch FP/SIMD.',
    );
  else if (opts.guestFp === 'every-slice')
    a.push(
      `The guest uses its widest unit (${widest}) once in every guest slice, right after each entry (--guest-fp every-slice).`,
    );
  else
    a.push(
      `Guest FP/SIMD use is the guest-side trace's x86_fpu_* events (${opts.guestTrace}), merged by timestamp on one clock: a use of the widest component in xfeatures on vCPU n = the guest's CPU n, in the slice that contains it; events outside every slice are dropped (--guest-fp from-guest-trace).`,
    );
  if (TRAP_ARCHS.has(arch))
    a.push(
      'The trace shows only the first use per unit in a slice (the one that trapped): later uses of an enabled unit leave no trace.',
    );
  if (arch === 'x86-xfd' && variant === 'kvm-6.16')
    a.push(
      'Linux 6.16 loads the guest FPU for the whole KVM_RUN, so the trace shows no guest FP use but #NM (intercepted only for XFD): each #NM is taken as an AMX tile use.',
    );
  if (arch === 'x86-xfd' && variant === 'kvm-lazy-cr0ts')
    a.push(
      'A #NM (CR0.TS) loads the whole guest FPU whichever instruction took it: it is taken as an x87 use.',
    );
  if (arch === 'x86-xfd')
    a.push(
      "In kvm_exit's 'info' form, the second value is taken as VM_EXIT_INTR_INFO (as vmx_get_exit_info set it before v5.12) to tell #NM.",
    );
  if (arch === 'arm-vfp')
    a.push(
      'FP/SIMD and SVE first-use traps are handled in the hyp fast path (kvm_hyp_handle_fpsimd) and never reach kvm_exit: the trace shows no guest FP use.',
    );
  if (renumbered > 0)
    a.push(
      `${renumbered} vCPU thread(s) had no free 'CPU n/KVM' index (a second VM, or an unnamed thread) and were given the lowest free one.`,
    );
  for (const [what, n] of Object.entries(adjusted)) a.push(`${n} × ${what}.`);
  return a;
}
