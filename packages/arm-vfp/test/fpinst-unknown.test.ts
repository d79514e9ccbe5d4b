/**
 * Issue 12 item 3: FPINST / FPINST2 after the guest sets FPEXC.EX itself. Neither world switch
 * loads them unless the saved FPEXC has EX (restore_vfp_state in interrupts_head.S,
 * __vfp_restore_state in hyp/vfp.S: "tst r2, #FPEXC_EX; beq 1f") and neither saves them without
 * EX (store_vfp_state / __vfp_save_state: "If FPEXC_EX is 0, then FPINST/FPINST2 reads are
 * unpredictable", yet `stm {r2-r5}` stores whatever r4/r5 hold). A guest that sets EX without
 * writing FPINST therefore has the word some other context left in the register: the kernel does
 * not define it, so it is not checked, while a guest's own VMSR of FPINST still is.
 */
import { POLICY_NAMES, runText } from '@vfpu/core';
import { type WorkloadShape, workloadText } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { armVfp } from '../src/index.js';

const backend = armVfp();
const VARIANTS = ['armv7-2013', 'armv7-c'];

function shape(variant: string): WorkloadShape {
  return { arch: 'arm-vfp', variant, cpus: 1, vcpus: 1 };
}

/** Runs with violations, as `policy/seed`, for seeds 1–20 (user-set values are seeded) × every policy. */
function violations(variant: string, events: readonly string[]): string[] {
  const text = workloadText(shape(variant), events);
  const out: string[] = [];
  for (const policy of POLICY_NAMES)
    for (let seed = 1; seed <= 20; seed++) {
      const r = runText(text, { backends: [backend], policy, seed }).report;
      if (r.check.violations !== 0) out.push(`${policy}/${seed}`);
    }
  return out;
}

const exSet = (reg: string, bits: string, before: readonly string[] = []) => [
  `{"op":"user-set","vcpu":0,"id":"${reg}"}`,
  ...before,
  '{"op":"run","vcpu":0,"cpu":0}',
  `{"op":"guest-write","vcpu":0,"reg":"FPEXC","set":${bits}}`,
  '{"op":"sched-out","vcpu":0}',
  `{"op":"user-get","vcpu":0,"id":"${reg}"}`,
];

describe('FPINST/FPINST2 after the guest sets FPEXC.EX without a restore of them (issue 12.3)', () => {
  for (const variant of VARIANTS) {
    it(`${variant}: user-set FPINST, guest sets EX → FPINST not checked`, () => {
      expect(violations(variant, exSet('FPINST', '["EX"]'))).toEqual([]);
    });

    it(`${variant}: user-set FPINST2, guest sets EX and FP2V → FPINST2 not checked`, () => {
      expect(violations(variant, exSet('FPINST2', '["EX","FP2V"]'))).toEqual([]);
    });

    it(`${variant}: user-set FPINST and FPEXC (EX clear), guest sets EX → not checked`, () => {
      const events = exSet('FPINST', '["EX"]', ['{"op":"user-set","vcpu":0,"id":"FPEXC"}']);
      expect(violations(variant, events)).toEqual([]);
    });

    it(`${variant}: a guest VMSR of FPINST/FPINST2 before setting EX is still checked`, () => {
      const events = [
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"guest-write","vcpu":0,"reg":"FPINST","value":"0xEE301A00"}',
        '{"op":"guest-write","vcpu":0,"reg":"FPINST2","value":"0xEE312A01"}',
        '{"op":"guest-write","vcpu":0,"reg":"FPEXC","set":["EX","FP2V"]}',
        '{"op":"sched-out","vcpu":0}',
        '{"op":"user-get","vcpu":0,"id":"FPINST"}',
        '{"op":"user-get","vcpu":0,"id":"FPINST2"}',
      ];
      const text = workloadText(
        { ...shape(variant), config: { faults: ['skip-fpinst-save'] } },
        events,
      );
      const r = runText(text, { backends: [backend], policy: 'kvm' }).report;
      expect(r.check.first?.unit).toBe('KVM_REG_ARM_VFP_FPINST');
      expect(violations(variant, events)).toEqual([]);
    });

    it(`${variant}: FPINST written with EX set survives two world switches (checked)`, () => {
      // saved with EX by store_vfp_state, loaded again by restore_vfp_state: still the guest's
      const events = [
        '{"op":"user-set","vcpu":0,"id":"FPINST"}',
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"guest-write","vcpu":0,"reg":"FPINST","value":"0xEE301A00"}',
        '{"op":"guest-write","vcpu":0,"reg":"FPEXC","set":["EX"]}',
        '{"op":"sched-out","vcpu":0}',
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"use","vcpu":0,"unit":"vfp","access":"read"}',
        '{"op":"sched-out","vcpu":0}',
        '{"op":"user-get","vcpu":0,"id":"FPINST"}',
      ];
      const text = workloadText(
        { ...shape(variant), config: { faults: ['skip-fpinst-save'] } },
        events,
      );
      const r = runText(text, { backends: [backend], policy: 'kvm' }).report;
      expect(r.check.first?.unit).toBe('KVM_REG_ARM_VFP_FPINST');
      expect(violations(variant, events)).toEqual([]);
    });
  }
});
