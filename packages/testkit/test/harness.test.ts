import { describe, expect, it } from 'vitest';
import { checkInvariants, checkScenario } from '../src/index.js';
import { toyBackend } from '../src/toy.js';

const workload = [
  '{"format":"vfpu-workload","version":1,"arch":"toy","cpus":2,"vcpus":1}',
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"fp","access":"write","reg":1}',
  '{"op":"sched-out","vcpu":0}',
  '{"op":"run","vcpu":0,"cpu":1}',
  '{"op":"use","vcpu":0,"unit":"fp","access":"read","reg":1}',
].join('\n');

describe('the harness can fail', () => {
  it('a correct toy backend meets its scenario and the invariants', () => {
    const problems = checkScenario(toyBackend(), {
      name: 'toy',
      workload,
      expect: {
        title: 'first use traps, put saves, migration restores',
        follows: ['toy'],
        traps: { fp_disabled: 2 },
        ops: { toy_restore: { calls: 2, bytes: 512 }, toy_save: { calls: 1, bytes: 256 } },
        calls: ['toy_restore', 'toy_save', 'toy_restore'],
      },
    });
    expect(problems).toEqual([]);
    expect(
      checkInvariants(toyBackend(), { preset: 'overcommit', seed: 5, events: 3000, params: {} }),
    ).toEqual([]);
  });

  it('reports every mismatch of a wrong expectation', () => {
    const problems = checkScenario(toyBackend(), {
      name: 'toy',
      workload,
      expect: {
        title: 'deliberately wrong',
        follows: ['toy'],
        traps: { fp_disabled: 1 },
        ops: { toy_restore: { calls: 2, bytes: 500 } },
        calls: ['toy_save', 'toy_restore'],
        state: { live: [0] },
      },
    });
    expect(problems.some((p) => p.startsWith('traps.fp_disabled: expected 1, got 2'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ops.toy_restore'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ops.toy_save: expected 0 calls'))).toBe(true);
    expect(problems.some((p) => p.startsWith('calls:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('state.live.0'))).toBe(true);
  });

  it('a backend that forgets to save at put breaks the oracle invariant', () => {
    const problems = checkInvariants(toyBackend(true), {
      preset: 'overcommit',
      seed: 5,
      events: 3000,
      params: {},
    });
    expect(problems.some((p) => p.includes('state violations'))).toBe(true);
  });
});
