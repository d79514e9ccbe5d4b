/**
 * The CI-sized run of the mutation fuzzer (fuzz/campaign.ts; the long run is
 * `npm run fuzz -- --runs N`): 2,000 mutants of every seed workload with a fixed seed, through
 * the in-process CLI. Every must-refuse mutant exits 2 naming its line and field, nothing
 * crashes or hangs, no output file or `.tmp` is left behind, a sample runs twice identically.
 */
import { describe, expect, it } from 'vitest';
import { runCampaign } from '../fuzz/campaign.js';
import { messageProblem } from '../fuzz/check.js';
import type { Mutant } from '../fuzz/mutate.js';

describe('mutation fuzzer', () => {
  it('2,000 mutants: no crash, hang, accepted bad input, bad message or leftover', async () => {
    const r = await runCampaign({ runs: 2000, seed: 12 });
    expect(r.failures, r.lines.join('\n')).toEqual([]);
    expect(r.cases).toBe(2000);
    expect(r.failed).toBe(false);
  }, 120_000);

  it('checks messages for line and field', () => {
    const m: Mutant = {
      cls: 'x',
      expect: 'refuse',
      data: Buffer.alloc(0),
      gz: false,
      note: '',
      line: 3,
      field: 'vcpu',
    };
    expect(messageProblem('vfpu: f:3: vcpu: 9 is outside 0..1\n', 'f', m)).toBeUndefined();
    expect(messageProblem('vfpu: f:4: vcpu: 9 is outside 0..1\n', 'f', m)).toMatch(/line 3/);
    expect(messageProblem('vfpu: f:3: cpu: 9 is outside 0..1\n', 'f', m)).toMatch(/field vcpu/);
    expect(messageProblem('vfpu: f:3: 9 is outside\n', 'f', m)).toMatch(/no field/);
    expect(messageProblem('vfpu: f: cannot read\n', 'f', m)).toMatch(/no line/);
    const { line: _l, field: _f, ...gz } = m;
    expect(messageProblem('vfpu: f: cannot read: x, before line 1\n', 'f', gz)).toBeUndefined();
    expect(
      messageProblem('vfpu: f:2: cannot read: x (the stream broke in line 2)\n', 'f', gz),
    ).toBeUndefined();
    const whole: Mutant = { ...m, field: null };
    expect(messageProblem('vfpu: f:3: malformed JSON (x)\n', 'f', whole)).toBeUndefined();
    const quoted: Mutant = { ...m, field: 'config."x y"' };
    expect(
      messageProblem('vfpu: f:3: config."x y": unknown option\n', 'f', quoted),
    ).toBeUndefined();
  });
});
