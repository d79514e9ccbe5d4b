/** The example backend under the conformance harness, and its fault caught by the oracle. */
import { fileURLToPath } from 'node:url';
import { runText } from '@vfpu/core';
import {
  describeBackendConformance,
  faultProblems,
  importProblems,
  workloadText,
} from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { nestedBackend } from '../src/index.js';

describeBackendConformance(nestedBackend(), {
  scenarios: fileURLToPath(new URL('./scenarios', import.meta.url)),
});

const shape = { arch: 'nested', cpus: 2, vcpus: 1 };
const migrate = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"vec","access":"write","reg":5}',
  '{"op":"sched-out","vcpu":0}',
  '{"op":"run","vcpu":0,"cpu":1}',
  '{"op":"use","vcpu":0,"unit":"vec","access":"read","reg":5}',
];

describe('the nested example', () => {
  it('the oracle catches skip-upper-save', () => {
    const c = { fault: 'skip-upper-save', shape, events: migrate, context: 'vcpu0', unit: 'vec' };
    expect(faultProblems(nestedBackend(), c)).toEqual([]);
  });

  it('widest grants the vector unit on a later fp trap, lazy does not (per-unit traps)', () => {
    const events = [
      ...migrate,
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"fp"}',
      '{"op":"use","vcpu":0,"unit":"vec"}',
    ];
    const traps = (policy: string) =>
      runText(workloadText(shape, events), { backends: [nestedBackend()], policy }).report.traps;
    expect(traps('lazy')).toEqual({ fp_disabled: 1, vec_disabled: 3 });
    expect(traps('widest')).toEqual({ fp_disabled: 1, vec_disabled: 2 });
  });
});

it('imports nothing from @vfpu/core but its public entry and backend-utils', () => {
  const r = importProblems(fileURLToPath(new URL('../src', import.meta.url)));
  expect(r.files).toBeGreaterThanOrEqual(1);
  expect(r.problems).toEqual([]);
});
