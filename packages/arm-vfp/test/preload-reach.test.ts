/**
 * ARMv7 `preloadReach`: a policy's load before an entry (policy-paths.ts policyLoad:
 * switch_to_guest_vfp, TCP10/11 cleared) restores the whole bank, the guest's FPEXC with it,
 * whatever its FPEXC.EN, so core lets a preload through while the guest has VFP off (`eager`
 * asks only for what the guest enabled; `clairvoyant`, seeing the VMSR FPEXC coming, asks for the
 * bank). The guest's VMSR FPEXC that turns VFP back on then runs without the HCPTR trap.
 */
import { runText } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { armVfp } from '../src/index.js';

const backend = armVfp();
const FPEXC_EN = 1 << 30;

function clairvoyant(variant: string) {
  const events = [
    `{"format":"vfpu-workload","version":1,"arch":"arm-vfp","variant":"${variant}","cpus":1,"vcpus":1}`,
    '{"op":"run","vcpu":0,"cpu":0}',
    '{"op":"guest-write","vcpu":0,"reg":"FPEXC","value":0}',
    '{"op":"sched-out","vcpu":0}',
    '{"op":"run","vcpu":0,"cpu":0}',
    `{"op":"guest-write","vcpu":0,"reg":"FPEXC","value":${FPEXC_EN}}`,
    '{"op":"use","vcpu":0,"unit":"vfp"}',
  ];
  const byLine = new Map<number, string[]>();
  const { report } = runText(events.join('\n'), {
    backends: [backend],
    policy: 'clairvoyant',
    explain: (line, _event, out) =>
      byLine.set(
        line,
        out.map((l) => l.trim()),
      ),
  });
  return { report, byLine };
}

describe('arm-vfp ARMv7: a preload reaches the bank whatever FPEXC.EN', () => {
  for (const variant of ['armv7-c', 'armv7-2013'])
    it(`${variant}: clairvoyant loads at the entry with FPEXC.EN = 0; the VMSR FPEXC after it takes no HCPTR trap`, () => {
      const { report, byLine } = clairvoyant(variant);
      const entry = byLine.get(5) ?? [];
      expect(entry).toContain('policy load at entry (not a kernel path): TCP10/11 cleared');
      const vmsr = (byLine.get(6) ?? []).join('\n');
      expect(vmsr).not.toContain('__vfp_guest_restore');
      expect(report.check.violations).toBe(0);
      expect(Object.values(report.traps).reduce((a, b) => a + b, 0)).toBe(0);
    });
});
