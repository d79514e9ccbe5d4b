/**
 * Issue 12: paths where the oracle's truth and the machine must move together. Each workload is
 * valid and must report no violation under every policy, on every variant it applies to.
 */
import { POLICY_NAMES, runText } from '@vfpu/core';
import { workloadText } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { x86Xfd } from '../src/index.js';

const backends = [x86Xfd()];
const VARIANTS = ['kvm-6.16', 'kvm-lazy-cr0ts'];

function run(variant: string, events: string[], config: Record<string, unknown> = {}, vcpus = 1) {
  const text = workloadText({ arch: 'x86-xfd', variant, cpus: 1, vcpus, config }, events);
  return POLICY_NAMES.map((policy) => ({ policy, r: runText(text, { backends, policy }).report }));
}

function clean(variant: string, events: string[], config: Record<string, unknown> = {}, vcpus = 1) {
  for (const { policy, r } of run(variant, events, config, vcpus)) {
    expect({ policy, violations: r.check.violations, first: r.check.first }).toEqual({
      policy,
      violations: 0,
      first: null,
    });
    expect(r.check.reads).toBeGreaterThan(0);
  }
}

describe('item 1: a guest LDMXCSR reaches the register file (SDM LDMXCSR)', () => {
  for (const variant of VARIANTS) {
    it(`${variant}: the reproducer`, () => {
      clean(variant, [
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"guest-write","vcpu":0,"reg":"MXCSR","value":"0x1f81"}',
        '{"op":"use","vcpu":0,"unit":"sse","access":"read"}',
      ]);
    });
    it(`${variant}: the value survives a switch to another vCPU and userspace reads it`, () => {
      clean(
        variant,
        [
          '{"op":"run","vcpu":0,"cpu":0}',
          '{"op":"guest-write","vcpu":0,"reg":"MXCSR","set":["PE","DAZ"]}',
          '{"op":"exit","vcpu":0,"reason":"irq"}',
          '{"op":"put","vcpu":0}',
          '{"op":"run","vcpu":1,"cpu":0}',
          '{"op":"guest-write","vcpu":1,"reg":"MXCSR","value":"0x9fc0"}',
          '{"op":"exit","vcpu":1,"reason":"io"}',
          '{"op":"run","vcpu":0,"cpu":0}',
          '{"op":"use","vcpu":0,"unit":"sse","access":"read","reg":3}',
          '{"op":"exit","vcpu":0,"reason":"io"}',
          '{"op":"user-get","vcpu":0,"unit":"sse"}',
          '{"op":"user-get","vcpu":1,"unit":"sse"}',
        ],
        {},
        2,
      );
    });
  }
});

describe('item 2: userspace replaces the vCPU state; the truth follows', () => {
  // the syscalls exist on the 6.16 variant only (4.8's models none)
  for (const variant of ['kvm-6.16']) {
    // kvm_arch_vcpu_create → fpu_alloc_guest_fpstate: the new guest fpstate is the init state
    it(`${variant}: KVM_CREATE_VCPU after a user-set XSAVE`, () => {
      clean(variant, [
        '{"op":"user-set","vcpu":0,"id":"XSAVE"}',
        '{"op":"syscall","vcpu":0,"name":"KVM_CREATE_VCPU"}',
        '{"op":"user-get","vcpu":0,"id":"XSAVE2"}',
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"use","vcpu":0,"unit":"sse","access":"read"}',
        '{"op":"use","vcpu":0,"unit":"x87","access":"read"}',
      ]);
    });
    // copy_uabi_to_xstate: xfeatures = the header's; the XRSTORS initialises the rest, and
    // __copy_xstate_to_uabi_buf reports init_fpstate's MXCSR (0x1f80) without SSE and YMM
    it(`${variant}: KVM_SET_XSAVE with XSTATE_BV 0x20000 initialises SSE (MXCSR 0x1f80)`, () => {
      clean(variant, [
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"guest-write","vcpu":0,"reg":"MXCSR","value":"0x1f81"}',
        '{"op":"use","vcpu":0,"unit":"sse","access":"write"}',
        '{"op":"exit","vcpu":0,"reason":"io"}',
        '{"op":"syscall","vcpu":0,"name":"KVM_SET_XSAVE","value":"0x20000"}',
        '{"op":"user-get","vcpu":0,"id":"XSAVE2"}',
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"use","vcpu":0,"unit":"sse","access":"read"}',
      ]);
    });
  }
});
