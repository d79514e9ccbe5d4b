/**
 * Found by the random valid workloads (@vfpu/testkit random-workload.ts): a `user-set` of a unit
 * whose components the vCPU's CPUID does not offer. KVM_SET_XSAVE → fpu_copy_uabi_to_guest_fpstate
 * → copy_uabi_to_xstate → validate_user_xstate_header (xstate.c) refuses an image whose
 * XSTATE_BV has a bit outside fpstate->user_xfeatures (= guest_supported_xcr0 | FP | SSE after
 * KVM_SET_CPUID2): -EINVAL, nothing stored. Before the fix the model stored the registers and
 * committed init as the truth, so the guest's next read was a violation under every policy.
 */
import { POLICY_NAMES, runText } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { x86Xfd } from '../src/index.js';

const backends = [x86Xfd()];
const HEADER =
  '{"format":"vfpu-workload","version":1,"arch":"x86-xfd","variant":"kvm-6.16","cpus":1,"vcpus":1,"config":{"guest":{"xcr0":["x87","sse","avx","opmask","zmm_hi256","hi16_zmm"]}}}';

describe('user-set outside user_xfeatures', () => {
  for (const policy of POLICY_NAMES) {
    it(`${policy}: KVM_SET_CPUID2 without AVX, then user-set avx is -EINVAL and the guest keeps its state`, () => {
      const text = [
        HEADER,
        '{"op":"syscall","name":"KVM_SET_CPUID2","vcpu":0,"value":1}',
        '{"op":"user-set","vcpu":0,"unit":"avx"}',
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"use","vcpu":0,"unit":"avx","access":"read"}',
      ].join('\n');
      const { report } = runText(text, { backends, policy });
      expect(report.check.first ?? null).toBeNull();
      expect(report.check.violations).toBe(0);
      expect(report.check.reads).toBeGreaterThan(0);
    });
  }
});
