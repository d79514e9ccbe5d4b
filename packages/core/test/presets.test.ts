import { describe, expect, it } from 'vitest';
import { WorkloadEvent } from '../src/workload/event.js';
import { PRESETS, presetParams } from '../src/workload/presets/catalog.js';
import { PresetGenerator } from '../src/workload/presets/generator.js';
import { formatEvent } from '../src/workload/write.js';

function stream(preset: string, events: number, seed: number, params = {}): string[] {
  const gen = new PresetGenerator(preset, events, seed, params);
  const v = gen.header.vcpus;
  const name = (c: number) =>
    c < 2 * v ? `vmm${c - v}` : (gen.header.threads[c - 2 * v] as string);
  const out: string[] = [];
  const ev = new WorkloadEvent();
  while (gen.next(ev)) out.push(formatEvent(ev, name));
  return out;
}

describe('preset generators', () => {
  it('produce exactly the requested number of events', () => {
    for (const p of Object.keys(PRESETS)) expect(stream(p, 777, 5)).toHaveLength(777);
  });
  it('are deterministic for a seed and differ across seeds', () => {
    const a = stream('overcommit', 3000, 42);
    expect(stream('overcommit', 3000, 42)).toEqual(a);
    expect(stream('overcommit', 3000, 43)).not.toEqual(a);
  });
  it('never load a vCPU twice or run two vCPUs on one pCPU', () => {
    const lines = stream('overcommit', 20_000, 9, { migration: 0.9 }).map((l) => JSON.parse(l));
    const where = new Map<number, number>();
    const onCpu = new Map<number, number>();
    for (const e of lines) {
      if (e.op === 'load') {
        expect(where.has(e.vcpu)).toBe(false);
        expect(onCpu.has(e.cpu)).toBe(false);
        where.set(e.vcpu, e.cpu);
        onCpu.set(e.cpu, e.vcpu);
      } else if (e.op === 'put') {
        onCpu.delete(where.get(e.vcpu) as number);
        where.delete(e.vcpu);
      } else if (e.op === 'use' || e.op === 'enter') {
        expect(where.has(e.vcpu)).toBe(true);
      }
    }
  });
  it('honour parameter overrides and reject bad ones', () => {
    expect(presetParams('hpc', { vcpus: 3 }).vcpus).toBe(3);
    expect(() => presetParams('hpc', { bogus: 1 })).toThrow('unknown parameter "bogus"');
    expect(() => presetParams('nope')).toThrow('unknown preset "nope"');
    expect(() => presetParams('hpc', { scalar: 0.9, vec128: 0.9 })).toThrow('> 1');
    const none = stream('idle', 5000, 1, { scalar: 0, vec128: 0 }).filter((l) =>
      l.includes('"op":"use"'),
    );
    expect(none).toHaveLength(0);
  });
});
