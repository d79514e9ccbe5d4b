/**
 * `"preempt": "after-trap"` asks core for a preemption between a trap's handler and the
 * re-entry. ARM handles the FP trap in Hyp / at EL2 and ERETs straight back (arm64
 * kvm_hyp_handle_fpsimd, ARMv7 switch_to_guest_vfp): the host never runs there, so there is no
 * preemption (reentryPreemptible). Shrunk from the random valid workloads, where the put and
 * load core ran in that window lost the guest's register (a violation under every policy).
 */
import { POLICY_NAMES, runText } from '@vfpu/core';
import { workloadText } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { armVfp } from '../src/index.js';

const CASES: readonly [string, string][] = [
  ['arm64-e5', 'sve'],
  ['arm64-e4', 'fpsimd'],
  ['armv7-2013', 'vfp'],
  ['armv7-c', 'vfp'],
];

describe('no preemption between a Hyp/EL2-handled trap and its ERET', () => {
  for (const [variant, unit] of CASES) {
    it(`${variant}: ${unit}`, () => {
      const text = workloadText({ arch: 'arm-vfp', variant, cpus: 1, vcpus: 1 }, [
        '{"op":"run","vcpu":0,"cpu":0}',
        `{"op":"use","vcpu":0,"unit":"${unit}","reg":6,"preempt":"after-trap"}`,
        '{"op":"exit","vcpu":0,"reason":"mmio"}',
        '{"op":"run","vcpu":0,"cpu":0}',
        `{"op":"use","vcpu":0,"unit":"${unit}","access":"read","reg":6}`,
      ]);
      for (const policy of POLICY_NAMES) {
        const r = runText(text, { backends: [armVfp()], policy }).report;
        expect({ policy, violations: r.check.violations }).toEqual({ policy, violations: 0 });
        expect(r.check.reads).toBeGreaterThan(0);
      }
    });
  }
});
