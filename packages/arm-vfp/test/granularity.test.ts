/**
 * One trap loads everything (trapGranularity `all`): 32-bit HCPTR.TCP10/TCP11 trap the whole
 * VFP/NEON bank and the Hyp handler loads all of it; arm64 kvm_hyp_handle_fpsimd loads the whole
 * FPSIMD/SVE state for either trap. So `widest` (grant every unit on a trap) is `lazy`, and the
 * report says why.
 */
import { runText } from '@vfpu/core';
import { presetText } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { armVfp, VARIANTS } from '../src/index.js';

const backends = [armVfp()];

describe('trap granularity: widest = lazy on every variant', () => {
  for (const variant of VARIANTS) {
    it(variant.id, () => {
      const granularity = variant.trapGranularity;
      expect(granularity.scope).toBe('all');
      const text = presetText('overcommit', 4000, 7, {
        arch: 'arm-vfp',
        variant: variant.id,
        config: {},
      });
      const widest = runText(text, { backends, policy: 'widest', seed: 7 }).report;
      const lazy = runText(text, { backends, policy: 'lazy', seed: 7 }).report;
      for (const section of ['traps', 'exits', 'ops', 'bytes', 'cycles', 'check'] as const)
        expect(widest[section], section).toEqual(lazy[section]);
      expect(lazy.traps).not.toEqual({});
      const why = granularity.scope === 'all' ? granularity.why : '';
      expect(widest.warnings).toContain(
        `widest = lazy here: ${why}, so what a policy grants on a trap cannot matter`,
      );
    });
  }
});
