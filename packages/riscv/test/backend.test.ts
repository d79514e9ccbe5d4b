/** The RISC-V backend under the conformance harness: the §C.2 scenarios and random workloads. */
import { fileURLToPath } from 'node:url';
import { describeBackendConformance, faultProblems } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { riscv } from '../src/index.js';

describeBackendConformance(riscv(), {
  scenarios: fileURLToPath(new URL('./scenarios', import.meta.url)),
  variants: ['kvm-6.17', 'kvm-6.16'],
});

const shape = { arch: 'riscv', cpus: 2, vcpus: 1 };

describe('the oracle catches a lost Dirty save', () => {
  it('skip-dirty-save loses the FP registers at vcpu_put', () => {
    const events = [
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"fp","access":"write","reg":7}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":1}',
      '{"op":"use","vcpu":0,"unit":"fp","access":"read","reg":7}',
    ];
    const c = { fault: 'skip-dirty-save', shape, events, context: 'vcpu0', unit: 'fp' };
    expect(faultProblems(riscv(), c)).toEqual([]);
  });

  it('skip-dirty-save loses the vector registers at vcpu_put', () => {
    const events = [
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"v","access":"write","reg":9}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":1}',
      '{"op":"use","vcpu":0,"unit":"v","access":"read","reg":9}',
    ];
    const c = { fault: 'skip-dirty-save', shape, events, context: 'vcpu0', unit: 'v' };
    expect(faultProblems(riscv(), c)).toEqual([]);
  });
});
