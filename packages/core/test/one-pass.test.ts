/** One pass, many simulators: the same events fed to several configurations give each its own run. */
import { describe, expect, it } from 'vitest';
import { toyBackend } from '../../testkit/src/toy.js';
import { runPreset, runPresetMany } from '../src/run.js';
import { WorkloadEvent } from '../src/workload/event.js';

describe('one pass over a workload for several policies', () => {
  it('runPresetMany equals one runPreset per policy', () => {
    const backends = [toyBackend()];
    const policies = ['kvm', 'eager', 'lazy', 'lazy-per-exit', 'widest', 'adaptive'];
    const pr = { preset: 'overcommit', events: 5000 };
    const many = runPresetMany(
      pr,
      policies.map((policy) => ({ backends, policy })),
    );
    policies.forEach((policy, i) => {
      expect(many[i]?.report).toEqual(runPreset(pr, { backends, policy }).report);
    });
  });

  it('WorkloadEvent.copyFrom copies every field', () => {
    const a = new WorkloadEvent();
    const fields = Object.keys(a) as (keyof WorkloadEvent)[];
    const b = new WorkloadEvent() as unknown as Record<string, unknown>;
    fields.forEach((k, i) => {
      const v = a[k];
      b[k] = typeof v === 'number' ? 100 + i : typeof v === 'boolean' ? !v : `s${i}`;
    });
    a.copyFrom(b as unknown as WorkloadEvent);
    for (const k of fields) expect(a[k]).toBe(b[k]);
  });
});
