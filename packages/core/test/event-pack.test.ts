/** The packer of the replay's batches: sizes grow from the first full one; every field comes back. */
import { describe, expect, it } from 'vitest';
import { Op, WorkloadEvent } from '../src/workload/event.js';
import { EventPacker, EventUnpacker } from '../src/workload/event-pack.js';

/** The sizes of the batches taken each time the packer is full, after a first batch of one line. */
function sizes(capacity: number, first: number, events: number): number[] {
  const p = new EventPacker(capacity, first);
  const ev = new WorkloadEvent().reset(Op.work);
  p.text(1, 'header');
  const out = [p.take().n];
  for (let i = 0; i < events; i++) {
    p.event(ev);
    if (p.full) out.push(p.take().n);
  }
  return out;
}

describe('EventPacker', () => {
  it('fills its first full batch to `first`, then doubles up to the capacity', () => {
    // the header's batch, taken before it is full, does not count
    expect(sizes(16, 4, 44)).toEqual([1, 4, 8, 16, 16]);
    expect(sizes(16, 16, 32)).toEqual([1, 16, 16]);
    // a first of 0 is 1 (a packer never full would overrun its arrays): the header fills it
    expect(sizes(16, 0, 3)).toEqual([1, 2]);
  });

  it('gives back every field, the texts in order and each string once', () => {
    const p = new EventPacker(8, 2);
    const a = new WorkloadEvent().reset(Op.use);
    Object.assign(a, { line: 2, vcpu: 3, cpu: -1, unit: 1, unitName: 'vec128', access: 1 });
    Object.assign(a, { reg: 7, conditionFails: true, preemptAfterTrap: true, reason: 4 });
    Object.assign(a, { label: 'EXCCODE_FPE', thread: 9, ts: 1.5, cycles: 1000 });
    p.event(a);
    p.text(3, '{"op": "put"}');
    const batch = p.take();
    expect(batch.strings).toEqual(['vec128', 'EXCCODE_FPE']);
    const u = new EventUnpacker();
    u.begin(batch);
    const b = new WorkloadEvent();
    expect(u.fill(0, b)).toBe(true);
    expect(b).toEqual(a);
    expect(u.fill(1, b)).toBe('{"op": "put"}');
    expect(u.line(1)).toBe(3);
  });
});
