/**
 * Found by the random valid workloads (@vfpu/testkit random-workload.ts): a KVM_SET_CPUID2 before
 * the first run that takes away components the vCPU's XCR0 already enables. 6.16 accepts it and
 * keeps XCR0 (kvm_vcpu_after_set_cpuid); a guest instruction of such a component executes, while
 * KVM_GET_XSAVE2 masks it with guest_supported_xcr0 | FPSSE (kvm_vcpu_ioctl_x86_get_xsave2), so
 * the guest's registers and the VMM's view differ. Before: a violation under every policy (the
 * oracle compared the VMM's init view with the guest's registers, or the reverse). Now: the
 * guest's instruction is refused at its line, field `unit` (exit 2), whatever the policy; the
 * KVM_SET_CPUID2 itself is taken (item 2's 0xcb63f0e7 test stays as it is).
 */
import { InputError, POLICY_NAMES, runText } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { x86Xfd } from '../src/index.js';

const backends = [x86Xfd()];
const header = (config: Record<string, unknown> = {}) =>
  JSON.stringify({
    format: 'vfpu-workload',
    version: 1,
    arch: 'x86-xfd',
    variant: 'kvm-6.16',
    cpus: 1,
    vcpus: 1,
    config,
  });

function refusal(text: string, policy: string): string {
  try {
    runText(text, { backends, policy }, 'w.ndjson');
  } catch (e) {
    if (InputError.isInstance(e)) return (e as Error).message;
    throw e;
  }
  return '';
}

describe('KVM_SET_CPUID2 hiding components the XCR0 enables', () => {
  const avx512 = [
    header(),
    '{"op":"syscall","name":"KVM_SET_CPUID2","vcpu":0,"value":7}',
    '{"op":"run","vcpu":0,"cpu":0}',
    '{"op":"use","vcpu":0,"unit":"avx512"}',
    '{"op":"user-get","vcpu":0,"id":"XSAVE2"}',
  ].join('\n');
  const avx = [
    header({ guest: { xcr0: ['x87', 'sse', 'avx', 'opmask', 'zmm_hi256', 'hi16_zmm'] } }),
    '{"op":"syscall","name":"KVM_SET_CPUID2","vcpu":0,"value":1}',
    '{"op":"user-set","vcpu":0,"unit":"avx"}',
    '{"op":"run","vcpu":0,"cpu":0}',
    '{"op":"use","vcpu":0,"unit":"avx","access":"read"}',
  ].join('\n');
  for (const policy of POLICY_NAMES) {
    it(`${policy}: the guest's use of a hidden component is refused at its line, field unit`, () => {
      expect(refusal(avx512, policy)).toMatch(
        /^w\.ndjson:4: unit: the guest's XCR0 0x602e7 enables 0xe0 but its CPUID \(guest_supported_xcr0 0x7\) does not offer it/,
      );
      expect(refusal(avx, policy)).toMatch(
        /^w\.ndjson:5: unit: the guest's XCR0 0xe7 enables 0x4 but its CPUID \(guest_supported_xcr0 0x1\) does not offer it/,
      );
    });
  }
  it('a CPUID that keeps what XCR0 enables is taken, and the guest state stays checked', () => {
    const text = [
      header({ guest: { xcr0: ['x87', 'sse', 'avx'] } }),
      '{"op":"syscall","name":"KVM_SET_CPUID2","vcpu":0,"value":7}',
      '{"op":"user-set","vcpu":0,"unit":"avx"}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"avx","access":"read"}',
      '{"op":"use","vcpu":0,"unit":"avx512","access":"write"}',
      '{"op":"user-get","vcpu":0,"id":"XSAVE2"}',
    ].join('\n');
    for (const policy of POLICY_NAMES) {
      const { report } = runText(text, { backends, policy });
      expect(report.check.violations).toBe(0);
      expect(report.check.reads).toBeGreaterThan(0);
      expect(report.outcomes['KVM_SET_CPUID2 → 0']).toBe(1);
    }
  });
});
