/**
 * The invariants beyond each variant's defaults: every option combination × every policy keeps
 * guest and host state (zero oracle violations), except the one kernel bug reproduced on purpose.
 */
import { POLICY_NAMES, runText } from '@vfpu/core';
import { invariantProblems, presetText } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { armVfp } from '../src/index.js';

const backends = [armVfp()];

const CONFIGS: readonly [string, Record<string, unknown>][] = [
  ['armv7-2013', { vfpv3: false }],
  ['armv7-2013', { d32: false }],
  ['armv7-2013', { smp: false }],
  ['armv7-c', { vfpv3: false, smp: false }],
  ['armv7-c', { d32: false }],
  ['arm64-e4', { vhe: false }],
  ['arm64-e4', { vhe: false, sve: false, quirks: 'fixed' }],
  ['arm64-e4', { sve: false, aarch32: true }],
  ['arm64-e5', { vhe: false, sve: false }],
  ['arm64-e5', { vq: 16 }],
  ['arm64-e5', { vq: 1, aarch32: true }],
];

function run(variant: string, config: Record<string, unknown>, policy: string, preset: string) {
  // a uniprocessor kernel runs on one pCPU
  const params = config.smp === false ? { cpus: 1 } : {};
  const text = presetText(preset, 4000, 5, { arch: 'arm-vfp', variant, config }, params);
  return runText(text, { backends, policy, seed: 5 }).report;
}

/**
 * Without CONFIG_VFPv3 no policy can give the guest VFP (every access is an exit and an UNDEF),
 * so eager's "no first-use trap" does not apply; nor does it for an SVE instruction of a vCPU
 * without SVE (EC 0x19, declined: an UNDEF).
 */
function problems(config: Record<string, unknown>, policy: string, report: ReturnType<typeof run>) {
  const all = invariantProblems(policy, report);
  const undefOnly = config.vfpv3 === false || config.sve === false;
  return undefOnly ? all.filter((p) => !p.startsWith('eager took first-use traps')) : all;
}

describe('option combinations × every policy keep the invariants', () => {
  for (const [variant, config] of CONFIGS) {
    it(`${variant} ${JSON.stringify(config)}`, () => {
      for (const preset of ['overcommit', 'hpc'])
        for (const policy of POLICY_NAMES) {
          const report = run(variant, config, policy, preset);
          expect(problems(config, policy, report)).toEqual([]);
        }
    });
  }

  it('arm64-e4 nVHE quirk: a non-SVE vCPU that owns FP runs SVE with TZ clear and loses the upper bits', () => {
    // switch.h / kvm_get_reset_cptr_el2 (E4 nVHE): TZ is armed only while the guest does not own
    // FP; __fpsimd_save_state then keeps only the low 128 bits of each Z register
    const kernel = run('arm64-e4', { vhe: false, sve: false }, 'kvm', 'hpc');
    expect(kernel.check.violations).toBeGreaterThan(0);
    expect(kernel.check.first?.unit).toBe('sve');
    const fixed = run('arm64-e4', { vhe: false, sve: false, quirks: 'fixed' }, 'kvm', 'hpc');
    expect(fixed.check.violations).toBe(0);
    expect(fixed.traps.esr_ec_0x19).toBeGreaterThan(0);
  });
});
