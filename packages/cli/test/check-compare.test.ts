/** `vfpu check`'s comparison of recorded and predicted FP tracepoints, in order per vCPU. */
import { describe, expect, it } from 'vitest';
import { TraceComparison } from '../src/check/compare.js';

const rec = (detail: string, traceLine: number, event = 'kvm_aux') => ({
  event,
  detail,
  traceLine,
  text: `CPU 0/KVM-1 [000] 1.0: ${event}: ${detail}`,
});
const pred = (detail: string, workloadLine: number, event = 'kvm_aux') => ({
  event,
  detail,
  workloadLine,
  traceLine: workloadLine * 10,
});

describe('TraceComparison', () => {
  it('agrees whatever side comes first, per vCPU', () => {
    const c = new TraceComparison();
    c.start(0, 1);
    c.start(1, 1);
    c.predicted(0, pred('restore FPU', 2));
    c.recorded(1, rec('restore MSA', 5));
    c.recorded(0, rec('restore FPU', 3));
    c.predicted(1, pred('restore MSA', 4));
    c.finish();
    expect(c.first).toBeNull();
    expect(c.agreed).toBe(2);
    expect(c.kinds.get('kvm_aux: restore FPU')).toEqual({ recorded: 1, predicted: 1 });
  });

  it('reports the first difference with both sides, and keeps counting after it', () => {
    const c = new TraceComparison();
    c.start(0, 1);
    c.recorded(0, rec('restore FPU', 3));
    c.predicted(0, pred('restore FPU', 2));
    c.recorded(0, rec('save FPU', 9));
    c.predicted(0, pred('restore MSA', 4));
    c.predicted(0, pred('save FPU & MSA', 6));
    c.finish();
    expect(c.first).toEqual({
      vcpu: 0,
      index: 2,
      recorded: rec('save FPU', 9),
      predicted: pred('restore MSA', 4),
    });
    expect(c.kinds.get('kvm_aux: save FPU & MSA')).toEqual({ recorded: 0, predicted: 1 });
  });

  it('a side that ends early is a divergence', () => {
    const c = new TraceComparison();
    c.start(0, 1);
    c.recorded(0, rec('load', 3, 'kvm_fpu'));
    c.recorded(0, rec('unload', 4, 'kvm_fpu'));
    c.predicted(0, pred('load', 2, 'kvm_fpu'));
    c.finish();
    expect(c.first).toMatchObject({ vcpu: 0, index: 2, predicted: null });
    expect(c.first?.recorded?.detail).toBe('unload');
  });

  it("the prologue (recorded up to a vCPU's first event, fired by it) is counted, not compared", () => {
    const c = new TraceComparison();
    c.recorded(0, rec('unload', 2, 'kvm_fpu'));
    c.recorded(0, rec('load', 4, 'kvm_fpu'));
    c.recorded(0, rec('unload', 9, 'kvm_fpu'));
    c.start(0, 4); // the vCPU's first workload event came from trace line 4
    c.predictedPrologue('kvm_fpu', 'load');
    c.predicted(0, pred('unload', 3, 'kvm_fpu'));
    c.finish();
    expect(c.first).toBeNull();
    expect(c.agreed).toBe(1);
    expect(c.prologue).toEqual({ recorded: 2, predicted: 1 });
    expect(c.kinds.get('kvm_fpu: load')).toEqual({ recorded: 1, predicted: 1 });
  });

  it('a vCPU that never ran: all it recorded is prologue', () => {
    const c = new TraceComparison();
    c.recorded(3, rec('unload', 2, 'kvm_fpu'));
    c.finish();
    expect(c.first).toBeNull();
    expect(c.prologue.recorded).toBe(1);
  });
});
