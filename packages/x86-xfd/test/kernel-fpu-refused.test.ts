/**
 * `Machine.kernelFpuUnusableWhileLive` (4.8) against linux-4.8/lazy-cr0ts.ts kernel_fpu_begin:
 * while KVM holds the guest FPU (kvm_load_guest_fpu's __kernel_fpu_begin left in_kernel_fpu
 * set) host kernel-mode FP is refused and moves nothing; without the guest loaded it saves and
 * restores the VMM thread's state, the bytes the declaration gives. 6.16 declares none (a flush).
 */
import { runText } from '@vfpu/core';
import { policyViewAfter } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { x86Xfd } from '../src/index.js';

const backend = x86Xfd();
const EVENTS = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"exit","vcpu":0}',
  '{"op":"kernel-fpu","cpu":0}',
];

/** The declaration before the kernel-fpu, and the kernel-fpu's explain lines, under `policy`. */
function probe(variant: string, policy: string) {
  const header = `{"format":"vfpu-workload","version":1,"arch":"x86-xfd","variant":"${variant}","cpus":1,"vcpus":1}`;
  const view = policyViewAfter(backend, [header, ...EVENTS.slice(0, 2)].join('\n'), policy);
  const declared = view.kernelFpuUnusableWhileLive(0);
  const lines: string[] = [];
  runText([header, ...EVENTS].join('\n'), {
    backends: [backend],
    policy,
    explain: (line, _e, out) => {
      if (line === 4) lines.push(...out.map((l) => l.trim()));
    },
  });
  return { declared, lines };
}

const bytes = (lines: readonly string[], op: string) =>
  lines.filter((l) => l.startsWith(op)).map((l) => Number(/— (\d+) bytes/.exec(l)?.[1]));

describe('x86-xfd kernelFpuUnusableWhileLive', () => {
  it('4.8, the guest FPU held (eager): refused, nothing moved', () => {
    const { declared, lines } = probe('kvm-lazy-cr0ts', 'eager');
    expect(declared).toBeGreaterThan(0);
    expect(lines.join('\n')).toContain('irq_fpu_usable() is false while KVM holds the FPU');
    expect(bytes(lines, 'xsaves')).toEqual([]);
  });

  it("4.8, the guest FPU not held (lazy): the VMM thread's state saved and restored, the declared bytes", () => {
    const { declared, lines } = probe('kvm-lazy-cr0ts', 'lazy');
    expect(bytes(lines, 'xsaves')).toEqual([declared]);
    expect(bytes(lines, 'xrstors')).toEqual([declared]);
  });

  it('6.16 declares none: kernel_fpu_begin_mask saves the guest (a flush)', () => {
    expect(probe('kvm-6.16', 'eager').declared).toBe(-1);
  });
});
