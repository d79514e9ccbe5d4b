/**
 * What `vfpu import` writes into a workload beyond events: `ts` and `label` on events, `source`
 * and `assumptions` in the header. The run keeps them: the assumptions are printed in every
 * report, and the per-exit-reason table counts exits by label.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir, writeFile } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

const ASSUMED = 'guest FP: none (the trace shows no guest FP use beyond the traps it records)';
const WORKLOAD = [
  {
    format: 'vfpu-workload',
    version: 1,
    arch: 'mips-vz',
    cpus: 1,
    vcpus: 1,
    threads: [],
    config: {},
    source: { file: 'host.txt', format: 'trace-cmd' },
    assumptions: [ASSUMED],
  },
  { op: 'run', vcpu: 0, cpu: 0, ts: 100.000001 },
  { op: 'use', vcpu: 0, unit: 'fpu', ts: 100.000002 },
  { op: 'exit', vcpu: 0, reason: 'mmio', label: 'TLB Load Miss', ts: 100.5 },
  { op: 'run', vcpu: 0, cpu: 0, ts: 100.6 },
  { op: 'exit', vcpu: 0, reason: 'mmio', label: 'TLB Load Miss', ts: 100.7 },
];

describe('a workload that says where it came from', () => {
  it('the JSON report carries source and assumptions, and counts exits by label', async () => {
    const file = writeFile(dir, 'w.ndjson', WORKLOAD);
    const r = await cli(['run', file, '--json']);
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.out);
    expect(rep.workload.assumptions).toEqual([ASSUMED]);
    expect(rep.workload.source).toEqual({ file: 'host.txt', format: 'trace-cmd' });
    expect(rep.per_exit_reason['TLB Load Miss']).toMatchObject({ exits: 2 });
  });

  it('the text report prints the assumptions under its title, for every policy compared', async () => {
    const file = writeFile(dir, 'w2.ndjson', WORKLOAD);
    const r = await cli(['run', file, '--policy', 'kvm,eager']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 5).join('\n')).toContain(`  - ${ASSUMED}`);
    expect(r.out).toMatch(/TLB Load Miss \(2 exits\)/);
  });

  it('a workload without them reports neither', async () => {
    const file = writeFile(dir, 'w3.ndjson', [
      { ...WORKLOAD[0], source: undefined, assumptions: undefined },
      ...WORKLOAD.slice(1),
    ]);
    const rep = JSON.parse((await cli(['run', file, '--json'])).out);
    expect(Object.keys(rep.workload)).toEqual(['name', 'events', 'seed']);
  });
});
