/**
 * Random VALID workloads beyond the presets (@vfpu/testkit random-workload.ts: every op each
 * variant supports, tracked against the workload's own vCPU lifecycle) × every policy of every
 * variant: no violation, no refusal, no crash; a sample re-run for determinism. A failure is
 * shrunk by fast-check and printed as NDJSON (paste it into a file and `vfpu run` it).
 * `npm run fuzz -- --runs N` runs the same with N workloads per variant.
 */
import { OPS } from '@vfpu/core/internal';
import { checkValidWorkloads, seededValidWorkload } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/index.js';

/** CI-sized: about 1.5 s per variant on a 2-core machine. */
const RUNS = 100;

describe('random valid workloads × every policy', () => {
  for (const backend of BACKENDS) {
    for (const variant of backend.variants) {
      it(`${backend.id}/${variant.id}: 0 violations, 0 refusals`, () => {
        const r = checkValidWorkloads(backend, {
          variant: variant.id,
          runs: RUNS,
          seed: 12,
          determinismEvery: 10,
        });
        const shown =
          r.failure === undefined
            ? ''
            : `${r.failure.problems.join('\n')}\nminimal workload:\n${r.failure.ndjson}`;
        expect(shown).toBe('');
        expect(r.workloads).toBe(RUNS);
        expect(r.events).toBeGreaterThan(RUNS * 10);
      });
    }
  }

  it('the generator covers every op, unit and control register of a variant', () => {
    const backend = BACKENDS.find((b) => b.id === 'x86-xfd');
    if (backend === undefined) throw new Error('x86-xfd missing');
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const w = seededValidWorkload(backend, 'kvm-6.16', i);
      for (const line of w.lines.slice(1)) {
        const e = JSON.parse(line) as Record<string, unknown>;
        seen.add(String(e.op));
        if (e.op === 'use') seen.add(`unit ${e.unit}`);
        if (e.op === 'guest-write') seen.add(`reg ${e.reg}`);
        if (e.op === 'syscall') seen.add(`syscall ${e.name}`);
      }
    }
    const variant = backend.variants.find((v) => v.id === 'kvm-6.16');
    const want = [
      ...OPS,
      ...(variant?.units ?? []).map((u) => `unit ${u.id}`),
      ...(variant?.controlRegisters ?? []).map((r) => `reg ${r.name}`),
      ...(variant?.syscalls ?? []).map((s) => `syscall ${s.name}`),
    ];
    expect(want.filter((x) => !seen.has(x))).toEqual([]);
  });
});
