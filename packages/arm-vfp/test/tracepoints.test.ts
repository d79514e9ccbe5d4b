/**
 * The ARM kernels fire no FP tracepoint on the paths this backend models, so a run emits none.
 * Derivation from the kernel source:
 * - armv7-2013 (v3.9–v4.5): a guest VFP/NEON access with HCPTR TCP10/11 set traps to Hyp (HSR EC
 *   0x07); hyp_hvc → switch_to_guest_vfp (interrupts.S) saves the host bank, restores the
 *   guest's and ERETs to the same instruction: kvm_call_hyp(__kvm_vcpu_run) never returns, so
 *   arm.c's trace_kvm_exit is not reached. __kvm_vcpu_return's save at the exit is Hyp code too.
 * - armv7-c (v4.6–v5.6): the same in C: __vfp_guest_restore (hyp/entry.S) and
 *   __activate_traps / __deactivate_traps (hyp/switch.c), no kvm_exit.
 * - arm64 (v6.0–v6.13 e4, v6.14+ e5): kvm_hyp_handle_fpsimd (hyp/include/hyp/switch.h) answers
 *   EC 0x07 and EC 0x19 from fixup_guest_exit and re-enters the guest; kvm_arch_vcpu_load_fp /
 *   _ctxsync_fp / _put_fp (arch/arm64/kvm/fpsimd.c) contain no tracepoint; trace_arm.h has no
 *   kvm_fpu / kvm_aux.
 * Not modelled as a tracepoint: without CONFIG_VFPv3 (config vfpv3: false) the HCPTR trap is a
 * full exit and v3.9–v4.5 arm.c fires trace_kvm_exit(*vcpu_pc(vcpu)), whose "PC: 0x%08lx" carries
 * no reason a check could compare (README, "Tracepoints").
 */
import { readFileSync } from 'node:fs';
import { rootTraps, runText } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { armVfp } from '../src/index.js';

const dir = new URL('./scenarios/', import.meta.url);

function run(name: string, policy: string): { fired: string[]; traps: number } {
  const fired: string[] = [];
  const text = readFileSync(new URL(`${name}.ndjson`, dir), 'utf8');
  const { report } = runText(text, {
    backends: [armVfp()],
    policy,
    tracepoints: (v, e, d) => fired.push(`${v} ${e}: ${d}`),
  });
  return { fired, traps: rootTraps(report) };
}

describe('arm-vfp fires no FP tracepoint', () => {
  for (const name of [
    '02-first-vfp-use', // armv7-2013
    '02c-first-vfp-use', // armv7-c
    '11-e4-first-fp-use', // arm64-e4
    '15-e5-first-fp-use', // arm64-e5
    '16-sve-first-use', // arm64-e4, SVE
  ]) {
    it(`${name}: FP traps are taken (at Hyp / EL2), none reaches a tracepoint`, () => {
      for (const policy of ['kvm', 'eager', 'lazy-per-exit']) {
        const r = run(name, policy);
        expect(r.fired).toEqual([]);
        if (policy === 'kvm') expect(r.traps).toBeGreaterThan(0);
      }
    });
  }

  it('01-no-fp-use: nothing FP, nothing fired', () => {
    expect(run('01-no-fp-use', 'kvm').fired).toEqual([]);
  });
});
