/**
 * The presets of published measurements (docs/published-effects.md): for each, vfpu's figure
 * and a test of the direction of the published effect.
 */
import { type ReportV1, rootTraps, runPresetMany } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/index.js';

const EVENTS = 8000;

function run(preset: string, arch: string, variant: string, policies: readonly string[]) {
  const reqs = policies.map((policy) => ({ backends: BACKENDS, arch, variant, policy, seed: 1 }));
  const reports = runPresetMany({ preset, events: EVENTS }, reqs).map((r) => r.report);
  return Object.fromEntries(reports.map((r, i) => [policies[i], r])) as Record<string, ReportV1>;
}

/** How much less total time `b` takes than `a`, in % of `b` (a throughput gain). */
const gain = (a: ReportV1, b: ReportV1) =>
  (100 * (a.cycles.total - b.cycles.total)) / b.cycles.total;

/** The share of non-FP exits that neither save nor restore FP state. */
function skipShare(r: ReportV1): number {
  let exits = 0;
  let swaps = 0;
  for (const [cause, w] of Object.entries(r.per_exit_reason)) {
    if (cause.startsWith('(')) continue;
    exits += w.exits;
    swaps += w.saves;
  }
  return 1 - swaps / exits;
}

describe('published effects', () => {
  it('sleazy-getpid: preloading after 5 slices with use (adaptive) beats lazy #NM (+0.4 to +8.5 %)', () => {
    const r = run('sleazy-getpid', 'x86-xfd', 'kvm-lazy-cr0ts', ['lazy', 'adaptive']);
    expect(gain(r.lazy as ReportV1, r.adaptive as ReportV1)).toBeGreaterThan(0);
  });
  it('loongarch-pipe: granting the widest unit used (widest) beats lazy (+9 %)', () => {
    const r = run('loongarch-pipe', 'loongarch', 'gen-1', ['lazy', 'widest']);
    expect(gain(r.lazy as ReportV1, r.widest as ReportV1)).toBeGreaterThan(0);
    expect(rootTraps(r.widest as ReportV1)).toBeLessThan(rootTraps(r.lazy as ReportV1));
  });
  it('x86-build-nm: eager takes no #NM where the lazy CR0.TS FPU takes many (20 K at boot, 50 K in a build)', () => {
    const r = run('x86-build-nm', 'x86-xfd', 'kvm-lazy-cr0ts', ['lazy', 'eager']);
    expect(rootTraps(r.eager as ReportV1)).toBe(0);
    expect(rootTraps(r.lazy as ReportV1)).toBeGreaterThan(100);
  });
  it('sve-bimodal: the SVE-heavy half of the vCPUs takes more traps than the FPSIMD-only half', () => {
    const r = run('sve-bimodal', 'arm-vfp', 'arm64-e5', ['kvm']).kvm as ReportV1;
    const [a, b, c, d] = r.per_vcpu.map((w) => w.traps) as [number, number, number, number];
    expect(a + b).toBeGreaterThan(c + d);
    expect(r.traps.esr_ec_0x19).toBeGreaterThan(0);
  });
  it('arm64-lmbench: with the save checked at exit, a share of exits skips it (30–50 %)', () => {
    const r = run('arm64-lmbench', 'arm-vfp', 'arm64-e4', ['lazy-per-exit']);
    const share = skipShare(r['lazy-per-exit'] as ReportV1);
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(1);
  });
});
