/**
 * The state oracle must be able to fail: each deliberately broken mechanism (FAULTS in
 * src/options.ts) corrupts guest or host state in a way the kernel's correct code does not, and
 * the oracle reports it. The same workloads without the fault report no violation.
 */
import { runText } from '@vfpu/core';
import {
  faultOnPresetProblems,
  faultProblems,
  type WorkloadShape,
  workloadText,
} from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { armVfp, FAULTS } from '../src/index.js';

const backend = armVfp();

/** One pCPU, one vCPU and a host thread, `bash`. */
function shape(variant: string, config: Record<string, unknown> = {}): WorkloadShape {
  return { arch: 'arm-vfp', variant, cpus: 1, vcpus: 1, threads: ['bash'], config };
}

// interrupts_head.S store_vfp_state: FPINST is saved only when FPEXC.EX, FPINST2 when EX and FP2V;
// coproc.c vfp_get_reg reads them back from vfp_guest
const fpinst = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"guest-write","vcpu":0,"reg":"FPINST","value":"0xEE301A00"}',
  '{"op":"guest-write","vcpu":0,"reg":"FPINST2","value":"0xEE312A01"}',
  '{"op":"guest-write","vcpu":0,"reg":"FPEXC","set":["EN","EX","FP2V"]}',
  '{"op":"exit","vcpu":0,"reason":"mmio"}',
  '{"op":"user-get","vcpu":0,"id":"FPINST"}',
  '{"op":"user-get","vcpu":0,"id":"FPINST2"}',
];

// interrupts.S __kvm_vcpu_return: with TCP10/11 clear the guest bank is stored and the host's
// restored; the VMM thread's registers must come back
const switchBack = [
  '{"op":"switch","cpu":0,"thread":"vmm0"}',
  '{"op":"host-use","cpu":0,"thread":"vmm0","unit":"vfp","access":"write","reg":4}',
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"vfp","access":"write","reg":4}',
  '{"op":"exit","vcpu":0,"reason":"mmio"}',
  '{"op":"host-use","cpu":0,"thread":"vmm0","unit":"vfp","access":"read","reg":4}',
];

// fpsimd.c kvm_arch_vcpu_ctxsync_fp binds the vCPU's registers so that vcpu_put saves them
const ctxsync = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"fpsimd","access":"write","reg":9}',
  '{"op":"exit","vcpu":0,"reason":"mmio"}',
  '{"op":"switch","cpu":0,"thread":"bash"}',
  '{"op":"host-use","cpu":0,"thread":"bash","unit":"fpsimd","access":"write","reg":9}',
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"fpsimd","access":"read","reg":9}',
];

// switch.h kvm_hyp_handle_fpsimd (E4): with HOST_OWNED the host FPSIMD is saved before the guest loads
const hostSave = [
  '{"op":"switch","cpu":0,"thread":"vmm0"}',
  '{"op":"host-use","cpu":0,"thread":"vmm0","unit":"fpsimd","access":"write","reg":2}',
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"fpsimd","access":"write","reg":2}',
  '{"op":"exit","vcpu":0,"reason":"mmio"}',
  '{"op":"host-use","cpu":0,"thread":"vmm0","unit":"fpsimd","access":"read","reg":2}',
];

const cases: Array<[keyof typeof FAULTS, string, string[], string, string]> = [
  ['skip-fpinst-save', 'armv7-2013', fpinst, 'vcpu0', 'KVM_REG_ARM_VFP_FPINST'],
  ['no-switch-back', 'armv7-c', switchBack, 'vmm0', 'vfp'],
  ['skip-ctxsync', 'arm64-e5', ctxsync, 'vcpu0', 'fpsimd'],
  ['skip-host-save', 'arm64-e4', hostSave, 'vmm0', 'fpsimd'],
];

describe('the oracle catches broken mechanisms', () => {
  for (const [fault, variant, events, context, unit] of cases) {
    it(`${fault} (${variant}): ${FAULTS[fault]}`, () => {
      expect(
        faultProblems(backend, { fault, shape: shape(variant), events, context, unit }),
      ).toEqual([]);
    });
  }

  it('FPINST is not checked after a save with EX = 0 (its word is unpredictable)', () => {
    const exClear = fpinst.map((e) => e.replace('["EN","EX","FP2V"]', '["EN"]'));
    const text = workloadText(shape('armv7-2013', { faults: ['skip-fpinst-save'] }), exClear);
    const r = runText(text, { backends: [backend], policy: 'kvm' }).report;
    expect(r.check.violations).toBe(0);
  });

  it('each fault except skip-fpinst-save shows up on a random generated workload', () => {
    for (const [fault, variant] of cases) {
      if (fault === 'skip-fpinst-save') continue; // presets never write FPEXC.EX
      expect(faultOnPresetProblems(backend, fault, { arch: 'arm-vfp', variant })).toEqual([]);
    }
  });
});
