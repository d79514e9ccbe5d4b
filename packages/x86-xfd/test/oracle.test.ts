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

  // the 6.16 quirk: XFD[18] set while the buffer is not in the registers keeps XSTATE_BV[18]
  it('quirks kernel: XFD[18] set by KVM_SET_MSRS over a saved tile image faults the host XRSTORS', () => {
    const events = [
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"amx-tile","access":"write","reg":0}',
      '{"op":"exit","vcpu":0,"reason":"io"}',
      '{"op":"syscall","vcpu":0,"name":"KVM_SET_MSRS(IA32_XFD)","value":"0x40000"}',
      '{"op":"enter","vcpu":0}',
    ];
    const kernel = runText(workloadText(shape('kvm-6.16'), events), { backends, policy: 'kvm' }).report;
    expect(kernel.warnings.join('\n')).toMatch(/unexpected #NM/);
    const fixed = runText(workloadText(shape('kvm-6.16', { quirks: 'fixed' }), events), {
      backends,
      policy: 'kvm',
    }).report;
    expect(fixed.warnings.join('\n')).not.toMatch(/unexpected #NM/);
  });
});
