/**
 * Acceptance: a workload mixing FPU, MSA and LASX use, guest FR toggles, preemption and
 * migration across 4 vCPUs on 2 pCPUs (scenarios/50-mixed-4vcpu-2cpu.ndjson) runs under every
 * built-in policy with zero oracle violations. Under `kvm` it gives the Loongson kernel's exact
 * counts (the scenario's expect.json, derived by hand in 50-mixed-4vcpu-2cpu.derivation.md).
 * The policies really differ on it, and a deliberately broken backend fails on it.
 */
import { readFileSync } from 'node:fs';
import { POLICY_NAMES, type ReportV1, rootTraps, runText } from '@vfpu/core';
import { invariantProblems, type ScenarioExpectation } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { mipsVz } from '../src/index.js';

const NAME = '50-mixed-4vcpu-2cpu';
const dir = new URL('./scenarios/', import.meta.url);
const workload = readFileSync(new URL(`${NAME}.ndjson`, dir), 'utf8');
const expectation = JSON.parse(
  readFileSync(new URL(`${NAME}.expect.json`, dir), 'utf8'),
) as ScenarioExpectation;

const backends = [mipsVz()];

function run(text: string, policy: string): ReportV1 {
  return runText(text, { backends, policy }, NAME).report;
}

/** The same workload with the header's `config` replaced. */
function withConfig(config: Record<string, unknown>): string {
  const lines = workload.split('\n');
  const header = JSON.parse(lines[0] as string) as Record<string, unknown>;
  lines[0] = JSON.stringify({ ...header, config });
  return lines.join('\n');
}

function nonZero(section: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(section).filter(([, n]) => n !== 0));
}

const reports = new Map<string, ReportV1>(POLICY_NAMES.map((p) => [p, run(workload, p)]));
const get = (p: string): ReportV1 => reports.get(p) as ReportV1;

describe(`${NAME} under every policy`, () => {
  it('covers all the built-in policies', () => {
    expect([...POLICY_NAMES].sort()).toEqual(
      [
        'adaptive',
        'clairvoyant',
        'cost-aware',
        'eager',
        'kvm',
        'lazy',
        'lazy-per-exit',
        'widest',
      ].sort(),
    );
  });

  for (const policy of POLICY_NAMES) {
    it(`${policy}: zero oracle violations, no unenabled restores, every read checked`, () => {
      const r = get(policy);
      expect(r.check.violations, JSON.stringify(r.check.first)).toBe(0);
      expect(r.check.unenabled_restores).toBe(0);
      // the same guest, host and user reads happen whatever the policy
      expect(r.check.reads).toBe(get('kvm').check.reads);
      expect(r.check.reads).toBeGreaterThan(100);
      expect(r.warnings).toEqual([]);
      // testkit's generic invariants (violations, unenabled restores; eager: no root traps and
      // no guest↔guest exposure)
      expect(invariantProblems(policy, r)).toEqual([]);
    });
  }

  // At E83/E84 v2 runs on pCPU 1 with guest Status.FR=0, whose MSA/LASX parts still hold
  // vcpu0's state: the guest has those units disabled itself, so they are not a LazyFP window
  it('eager leaves no guest↔guest exposure, with guest-disabled units holding stale state', () => {
    expect(get('eager').exposure.guest).toEqual({ events: 0, bytes: 0 });
  });

  it("kvm gives the kernel's exact counts (the hand derivation in the expect.json)", () => {
    const r = get('kvm');
    expect(r.config.policy.runs).toBe('lazy');
    expect(nonZero(r.exits)).toEqual(expectation.exits);
    expect(nonZero(r.traps)).toEqual(expectation.traps);
    expect(nonZero(r.outcomes)).toEqual(expectation.outcomes);
    const ops = Object.fromEntries(Object.entries(r.ops).filter(([, o]) => o.calls !== 0));
    expect(ops).toEqual(expectation.ops);
    expect(r.bytes).toEqual(expectation.bytes);
    expect(rootTraps(r)).toBe(21);
  });

  it('the policies actually differ on this workload', () => {
    const kvm = get('kvm');
    // kvm is this variant's lazy policy: identical results
    expect(get('lazy').traps).toEqual(kvm.traps);
    expect(get('lazy').ops).toEqual(kvm.ops);
    // eager preloads every enabled unit before each entry: no first-use (root) traps at all,
    // while kvm takes 21
    expect(rootTraps(get('eager'))).toBe(0);
    expect(rootTraps(kvm)).toBeGreaterThan(0);
    // lazy-per-exit saves what is live at every non-FP exit: more bytes saved, more re-traps
    expect(get('lazy-per-exit').bytes.saved).toBeGreaterThan(kvm.bytes.saved);
    expect(rootTraps(get('lazy-per-exit'))).toBeGreaterThan(rootTraps(kvm));
    // widest grants LASX on a CpU/MSA trap once the vCPU has used it: fewer LASX traps
    expect(get('widest').traps.lasx_disabled).toBeLessThan(kvm.traps.lasx_disabled as number);
    // adaptive needs 5 consecutive slices with use before it preloads: none here, so lazy…
    expect(get('adaptive').traps).toEqual(kvm.traps);
    // …but with threshold=1 it preloads and takes fewer traps, still with a clean oracle
    const a1 = run(workload, 'adaptive:threshold=1');
    expect(a1.check.violations).toBe(0);
    expect(rootTraps(a1)).toBeLessThan(rootTraps(kvm));
    // cost-aware starts with a 100 % chance of use: it preloads like eager on this short workload
    expect(get('cost-aware').traps).toEqual(get('eager').traps);
    // five distinct (traps, ops) outcomes: kvm/lazy/adaptive, eager/cost-aware, lazy-per-exit,
    // widest, clairvoyant (its own per-slice plan: it follows the guest's FR toggles, which drop
    // the live state at kvm_trap_vz_handle_gsfc, so it preloads after them: no root traps, and
    // FP cycles at or below every other policy's, eager's included; docs/clairvoyant.md)
    const shapes = new Set(
      POLICY_NAMES.map((p) => JSON.stringify([get(p).traps, get(p).ops, get(p).bytes])),
    );
    expect(shapes.size).toBe(5);
    expect(rootTraps(get('clairvoyant'))).toBe(0);
    for (const p of POLICY_NAMES)
      expect(get('clairvoyant').cycles.fp).toBeLessThanOrEqual(get(p).cycles.fp);
  });

  it('a broken backend (faults: save-fpu-only) produces violations on this workload under kvm', () => {
    const broken = withConfig({ faults: ['save-fpu-only'] });
    const r = run(broken, 'kvm');
    expect(r.check.violations).toBeGreaterThan(0);
    // the first put with LASX live saves only the 8-byte FPRs: vcpu0's VEC_256 read back
    // through ONE_REG right after it differs from byte 8 on
    expect(r.check.first).toMatchObject({ context: 'vcpu0', op: 'user-get', unit: 'lasx' });
    expect(r.check.first?.byte).toBeGreaterThanOrEqual(8);
    // the same header edit without the fault is clean: the fault is what the oracle caught
    expect(run(withConfig({}), 'kvm').check.violations).toBe(0);
  });
});
