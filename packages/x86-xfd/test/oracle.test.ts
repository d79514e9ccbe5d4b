/**
 * The state oracle must be able to fail: each deliberately broken mechanism (FAULTS in
 * src/options.ts) corrupts guest or host state where the kernel's code does not, and the oracle
 * reports it. The same workloads without the fault report no violation.
 */
import { runText } from '@vfpu/core';
import { type FaultCase, faultOnPresetProblems, faultProblems, workloadText } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { FAULTS, x86Xfd } from '../src/index.js';

const backend = x86Xfd();
const backends = [backend];
const shape = (variant: string, config: Record<string, unknown> = {}) => ({
  arch: 'x86-xfd',
  variant,
  cpus: 1,
  vcpus: 2,
  threads: ['bash'],
  config,
});

// fpu/sched.h switch_fpu: a vCPU thread preempted inside KVM_RUN saves the guest registers
const preempt = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"avx512","access":"write","reg":20}',
  '{"op":"exit","vcpu":0,"reason":"irq"}',
  '{"op":"put","vcpu":0}',
  '{"op":"switch","cpu":0,"thread":"bash"}',
  '{"op":"host-use","cpu":0,"unit":"avx512","access":"write","reg":20}',
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"avx512","access":"read","reg":20}',
];

// core.c restore_fpregs_from_fpstate restores with fpu_kernel_cfg.max_features (TILEDATA too)
const tiles = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"amx-tile","access":"write","reg":3}',
  '{"op":"exit","vcpu":0,"reason":"irq"}',
  '{"op":"put","vcpu":0}',
  '{"op":"run","vcpu":1,"cpu":0}',
  '{"op":"use","vcpu":1,"unit":"amx-tile","access":"write","reg":3}',
  '{"op":"exit","vcpu":1,"reason":"irq"}',
  '{"op":"put","vcpu":1}',
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"amx-tile","access":"read","reg":3}',
];

// x86.c vcpu_enter_guest: TIF_NEED_FPU_LOAD → switch_fpu_return before the entry
const kernelFpu = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"sse","access":"write","reg":0}',
  '{"op":"exit","vcpu":0,"reason":"irq"}',
  '{"op":"kernel-fpu","cpu":0}',
  '{"op":"enter","vcpu":0}',
  '{"op":"use","vcpu":0,"unit":"sse","access":"read","reg":0}',
];

// x86.c kvm_put_guest_fpu → fpu_swap_kvm_fpstate saves the guest before the VMM comes back
const putSave = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"avx","access":"write","reg":5}',
  '{"op":"exit","vcpu":0,"reason":"mmio"}',
  '{"op":"user-get","vcpu":0,"unit":"avx","reg":5}',
];

const cases: Array<[keyof typeof FAULTS, string, string[], string, string]> = [
  ['skip-preempt-save', 'kvm-6.16', preempt, 'vcpu0', 'avx512'],
  ['restore-default-features', 'kvm-6.16', tiles, 'vcpu0', 'amx-tile'],
  ['skip-reload-before-entry', 'kvm-6.16', kernelFpu, 'vcpu0', 'sse'],
  ['skip-put-save', 'kvm-6.16', putSave, 'vcpu0', 'avx'],
  ['skip-put-save', 'kvm-lazy-cr0ts', putSave, 'vcpu0', 'avx'],
];

describe('the oracle catches broken mechanisms', () => {
  for (const [fault, variant, events, context, unit] of cases) {
    it(`${fault} (${variant}): ${FAULTS[fault]}`, () => {
      const c: FaultCase = { fault, shape: shape(variant), events, context, unit };
      expect(faultProblems(backend, c)).toEqual([]);
    });
  }

  it('each fault shows up on a random generated workload', () => {
    for (const [fault, variant] of cases) {
      // presets never read state from userspace, and overcommit uses no matrix (AMX) class
      if (fault === 'skip-put-save' || fault === 'restore-default-features') continue;
      expect(faultOnPresetProblems(backend, fault, { arch: 'x86-xfd', variant })).toEqual([]);
    }
  });

  // 6.16: fpu_update_guest_xfd keeps XSTATE_BV[18] when XFD[18] is set over a saved tile image; the
  // next XRSTORS (kvm_load_guest_fpu → restore_fpregs_from_fpstate) takes #NM in the kernel:
  // exc_device_not_available → handle_xfd_event WARN_ON(!user_mode) → die. The merged fix
  // (b45f7217) clears it only under TIF_NEED_FPU_LOAD, clear for a KVM_SET_MSRS between KVM_RUNs.
  const tilesSaved = [
    '{"op":"run","vcpu":0,"cpu":0}',
    '{"op":"guest-write","vcpu":0,"reg":"TILECFG","value":1}',
    '{"op":"use","vcpu":0,"unit":"amx-tile","access":"write","reg":0}',
    '{"op":"exit","vcpu":0,"reason":"io"}',
    '{"op":"syscall","vcpu":0,"name":"KVM_SET_MSRS(IA32_XFD)","value":"0x40000"}',
  ];
  const died = (quirks: string, events: string[]) => {
    const r = runText(workloadText(shape('kvm-6.16', { quirks }), events), {
      backends,
      policy: 'kvm',
    }).report;
    expect(r.check.violations).toBe(0);
    return (r.outcomes['die: unexpected #NM exception'] ?? 0) === 1;
  };

  it('quirks kernel and fixed: XFD[18] set by KVM_SET_MSRS over a saved tile image kills the vCPU thread at the next KVM_RUN', () => {
    const events = [
      ...tilesSaved,
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"sse","access":"write","reg":0}',
      '{"op":"exit","vcpu":0,"reason":"io"}',
    ];
    const kernel = runText(workloadText(shape('kvm-6.16'), events), {
      backends,
      policy: 'kvm',
      recordCalls: true,
    });
    const r = kernel.report;
    expect(r.traps['host:nm_xfd_kernel']).toBe(1);
    expect(r.outcomes['die: unexpected #NM exception']).toBe(1);
    expect(r.outcomes['KVM_RUN returned to userspace']).toBe(1);
    expect(r.check.violations).toBe(0);
    // the dead vCPU's later events are accepted and run nothing
    expect(r.warnings.join('\n')).toMatch(
      /vCPU 0's thread \(vmm0\) died in an oops: event not run/,
    );
    expect(kernel.calls.slice(-2)).toEqual(['exc_device_not_available → handle_xfd_event', 'die']);
    expect(died('fixed', events)).toBe(true);
  });

  it('quirks fixed: KVM_SET_XSAVE clears the XSTATE_BV bits XFD disables (kvm_vcpu_ioctl_x86_set_xsave, b45f7217)', () => {
    const events = [
      ...tilesSaved,
      '{"op":"syscall","vcpu":0,"name":"KVM_SET_XSAVE","value":"0x600e7"}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"sse","access":"write","reg":0}',
    ];
    expect(died('kernel', events)).toBe(true);
    expect(died('fixed', events)).toBe(false);
  });
});
