/**
 * Issue 12 item 4: a 32-bit host kernel without CONFIG_VFPv3 on D32 hardware. Its
 * struct vfp_hard_struct has fpregs[16] and vfp_save_state / vfp_load_state move d0–d15 only
 * (144 bytes); it advertises neither HWCAP_VFPD32 nor HWCAP_NEON (vfp_init sets them under
 * #ifdef CONFIG_VFPv3 / CONFIG_NEON, and arch/arm/Kconfig NEON depends on VFPv3). So:
 * - kernel-mode NEON does not exist (KERNEL_MODE_NEON depends on NEON): `kernel-fpu` is ignored
 *   with a warning, as for a kernel without a kernel-mode FP API;
 * - a host thread that uses d16–d31 anyway executes (the hardware has them, FPEXC.EN is set),
 *   but no kernel path preserves them: the thread's d16–d31 are undefined after each save of its
 *   state (not checked until written again), with a warning.
 */
import { POLICY_NAMES, runText } from '@vfpu/core';
import { type WorkloadShape, workloadText } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { armVfp } from '../src/index.js';

const backend = armVfp();

function shape(variant: string, config: Record<string, unknown>): WorkloadShape {
  return { arch: 'arm-vfp', variant, cpus: 1, vcpus: 1, threads: ['bash'], config };
}

function report(
  variant: string,
  config: Record<string, unknown>,
  events: readonly string[],
  policy = 'kvm',
) {
  const text = workloadText(shape(variant, config), events);
  return runText(text, { backends: [backend], policy }).report;
}

/** Policies under which the workload reports a violation (validity never depends on one). */
function violating(variant: string, config: Record<string, unknown>, events: readonly string[]) {
  return POLICY_NAMES.filter((p) => report(variant, config, events, p).check.violations !== 0);
}

/** Two threads on one CPU, both writing q12 (d24/d25), the first reading it back. */
const twoThreads = (unit: string, reg: number) => [
  '{"op":"switch","cpu":0,"thread":"vmm0"}',
  `{"op":"host-use","cpu":0,"thread":"vmm0","unit":"${unit}","access":"write","reg":${reg}}`,
  '{"op":"host-use","cpu":0,"thread":"vmm0","unit":"vfp","access":"write","reg":3}',
  '{"op":"switch","cpu":0,"thread":"bash"}',
  `{"op":"host-use","cpu":0,"thread":"bash","unit":"${unit}","access":"write","reg":${reg}}`,
  '{"op":"host-use","cpu":0,"thread":"bash","unit":"vfp","access":"write","reg":3}',
  '{"op":"switch","cpu":0,"thread":"vmm0"}',
  `{"op":"host-use","cpu":0,"thread":"vmm0","unit":"${unit}","access":"read","reg":${reg}}`,
  '{"op":"host-use","cpu":0,"thread":"vmm0","unit":"vfp","access":"read","reg":3}',
];

const kernelNeon = [
  '{"op":"switch","cpu":0,"thread":"vmm0"}',
  '{"op":"host-use","cpu":0,"thread":"vmm0","unit":"vfp","access":"write","reg":5}',
  '{"op":"host-use","cpu":0,"thread":"vmm0","unit":"neon","access":"write","reg":12}',
  '{"op":"kernel-fpu","cpu":0}',
  '{"op":"host-use","cpu":0,"thread":"vmm0","unit":"vfp","access":"read","reg":5}',
  '{"op":"host-use","cpu":0,"thread":"vmm0","unit":"neon","access":"read","reg":12}',
];

const CONFIGS: readonly Record<string, unknown>[] = [
  { vfpv3: false },
  { vfpv3: false, smp: false },
];

describe('a host without CONFIG_VFPv3 (issue 12.4)', () => {
  for (const variant of ['armv7-2013', 'armv7-c'])
    for (const config of CONFIGS) {
      const name = `${variant} ${JSON.stringify(config)}`;
      it(`${name}: kernel-fpu is ignored with a warning (no KERNEL_MODE_NEON)`, () => {
        const r = report(variant, config, kernelNeon);
        expect(violating(variant, config, kernelNeon)).toEqual([]);
        expect(r.check.reads).toBe(2);
        expect(r.warnings.some((w) => w.includes('CONFIG_KERNEL_MODE_NEON'))).toBe(true);
        expect(r.ops.vfp_save_state?.calls ?? 0).toBe(0);
      });

      for (const [unit, reg] of [
        ['d16-d31', 8],
        ['neon', 12],
      ] as const) {
        it(`${name}: a host thread's ${unit} is not preserved; not checked, with a warning`, () => {
          const r = report(variant, config, twoThreads(unit, reg));
          expect(violating(variant, config, twoThreads(unit, reg))).toEqual([]);
          expect(r.check.reads).toBeGreaterThan(0);
          expect(r.warnings.some((w) => w.includes('HWCAP_VFPD32'))).toBe(true);
        });
      }

      it(`${name}: d0–d15 (q0–q7) are still preserved and checked`, () => {
        // q3 is d6/d7: inside the 144-byte transfer, so checked and kept
        const r = report(variant, config, twoThreads('neon', 3));
        expect(r.check.violations).toBe(0);
        expect(r.check.reads).toBe(2);
      });
    }

  it('with CONFIG_VFPv3 the same workloads keep d16–d31 and run kernel-mode NEON', () => {
    for (const variant of ['armv7-2013', 'armv7-c']) {
      const r = report(variant, {}, twoThreads('neon', 12));
      expect(r.check.violations).toBe(0);
      expect(r.warnings).toEqual([]);
      const k = report(variant, {}, kernelNeon);
      expect(k.check.violations).toBe(0);
      expect(k.ops.vfp_save_state?.calls).toBe(1);
    }
  });
});
