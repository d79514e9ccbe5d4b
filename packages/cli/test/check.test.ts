/**
 * `vfpu check` on the trace fixtures (test/fixtures/traces, README there): every fixture agrees
 * with the variant it was recorded on or derived for; a wrong variant diverges with a readable
 * first difference; on the real x86 recordings the imported exits per reason equal the trace's own
 * counts and the replay keeps the x86 invariant (one unload per return to userspace, one load per
 * KVM_RUN, nothing swapped by in-kernel exits).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const DIR = fileURLToPath(new URL('./fixtures/traces/', import.meta.url));

interface Fixture {
  readonly file: string;
  readonly arch: string;
  readonly variant: string;
  readonly real: boolean;
  readonly counts: { kvm_exit: Record<string, number>; kvm_userspace_exit: Record<string, number> };
}

const FIXTURES: Fixture[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .map((file) => {
    const e = JSON.parse(
      readFileSync(join(DIR, file.replace(/\.[a-z-]+\.txt$/, '.expect.json')), 'utf8'),
    );
    // "variant" starts with the variant id, then says why
    const variant = String(e.variant).split(/[:\s]/)[0] as string;
    return { file, arch: e.arch, variant, real: e.derivation === undefined, counts: e.counts };
  });

async function check(f: Fixture, variant = f.variant) {
  const r = await cli([
    'check',
    join(DIR, f.file),
    '--arch',
    f.arch,
    '--variant',
    variant,
    '--json',
  ]);
  return { code: r.code, err: r.err, doc: r.out ? JSON.parse(r.out) : undefined };
}

describe('vfpu check on the fixtures', () => {
  it('finds 16 fixtures, 8 of them real recordings', () => {
    expect(FIXTURES).toHaveLength(16);
    expect(FIXTURES.filter((f) => f.real)).toHaveLength(8);
  });

  for (const f of FIXTURES)
    it(`${f.file} agrees with ${f.arch} ${f.variant}`, async () => {
      const { code, err, doc } = await check(f);
      expect(err).toBe('');
      expect(doc.divergence).toBeNull();
      expect(doc.report.check.violations).toBe(0);
      expect(code).toBe(0);
      // every FP event either side has was compared (and agreed) or is the counted prologue
      const kinds = Object.values(
        doc.kinds as Record<string, { recorded: number; predicted: number }>,
      );
      const total = (k: 'recorded' | 'predicted') => kinds.reduce((a, c) => a + c[k], 0);
      expect(total('recorded')).toBe(doc.agreed + doc.prologue.recorded);
      expect(total('predicted')).toBe(doc.agreed + doc.prologue.predicted);
    });

  it('the derived fixtures compare FP events beyond the prologue', async () => {
    for (const f of FIXTURES.filter((x) => !x.real && x.arch !== 'arm-vfp'))
      expect((await check(f)).doc.agreed, f.file).toBeGreaterThanOrEqual(4);
  });

  const WRONG: [string, string, string][] = [
    ['mips-loongson-fpu-msa-preempt', 'mainline', 'kvm_aux: save FPU & MSA & LASX'],
    ['mips-mainline-fpu-msa-mmio', 'loongson-3a4000', 'kvm_aux: save FPU & MSA'],
    ['x86-48-lazy-first-nm', 'kvm-6.16', 'kvm_fpu: unload'],
    ['x86-asethi-lazy-pio', 'kvm-6.16', 'nothing more (the trace ends)'],
    ['x86-kiszka-nested-io', 'kvm-lazy-cr0ts', 'kvm_fpu: unload'],
    // L14: Gen-1 saves at the preemption what its handler restored; the delayed load has nothing
    ['loongarch-gen1-preempt-before-reentry', 'aux-load', 'kvm_aux: save FPU'],
  ];
  for (const [name, variant, trace] of WRONG)
    it(`${name} checked as ${variant} diverges, naming both sides and the trace line`, async () => {
      const f = FIXTURES.find((x) => x.file.startsWith(`${name}.`)) as Fixture;
      const r = await cli(['check', join(DIR, f.file), '--arch', f.arch, '--variant', variant]);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/^DIVERGES at vCPU 0's FP event #\d+ \(\d+ agreed before it\):$/m);
      expect(r.out).toMatch(new RegExp(`^  trace: ${trace.replace(/[()]/g, '\\$&')}`, 'm'));
      expect(r.out).toMatch(/^ {2}model: /m);
      if (!trace.startsWith('nothing')) expect(r.out).toMatch(/\(trace line \d+: .+\)$/m);
    });

  for (const f of FIXTURES.filter((x) => x.real && x.variant === 'kvm-6.16'))
    it(`${f.file}: exits per reason as the trace counts them, and the x86 kvm_fpu invariant in the replay`, async () => {
      const { doc } = await check(f);
      const r = doc.report;
      // the trace's own count, from its text: every kvm_exit line (a recording that begins in
      // guest mode gets a `run` before its first exit: mapper.ts)
      const text = readFileSync(join(DIR, f.file), 'utf8').split('\n');
      const want: Record<string, number> = {};
      for (const l of text) {
        const m = /kvm_exit:\s+(?:vcpu \d+ )?reason (\S+)/.exec(l);
        if (m) want[m[1] as string] = (want[m[1] as string] ?? 0) + 1;
      }
      expect(Object.keys(want).length).toBeGreaterThan(0);
      for (const [label, n] of Object.entries(want))
        expect(r.per_exit_reason[label]?.exits ?? 0, label).toBe(n);
      const returns = r.outcomes['KVM_RUN returned to userspace'];
      const load = doc.kinds['kvm_fpu: load']?.predicted ?? 0;
      const unload = doc.kinds['kvm_fpu: unload']?.predicted ?? 0;
      // one unload per return to userspace; one load per KVM_RUN (the last may still be open)
      expect(unload).toBe(returns);
      expect(load - unload === 0 || load - unload === 1).toBe(true);
      // in-kernel exits swap nothing: a label whose exits all stayed in the kernel has no swaps
      const imp = await cli(['import', join(DIR, f.file), '--arch', 'x86-xfd']);
      const userspace = new Set<string>();
      for (const l of imp.out
        .split('\n')
        .slice(1)
        .filter((x) => x !== '')) {
        const e = JSON.parse(l);
        if (e.op === 'exit' && ['io', 'mmio', 'signal'].includes(e.reason)) userspace.add(e.label);
      }
      for (const [label, w] of Object.entries(
        r.per_exit_reason as Record<string, { exits: number; saves: number; restores: number }>,
      ))
        if (!label.startsWith('(') && !userspace.has(label))
          expect(w.saves + w.restores, label).toBe(0);
    });
});
