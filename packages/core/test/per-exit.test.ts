/**
 * FP work per exit reason (per-exit.ts): each root trap, save and restore is charged to the most
 * recent exit of its vCPU (its label, else its reason), or to (first entry) / (preemption).
 * Derivation for the toy (lazy: first FP use traps and restores 256 bytes, vcpu_put saves them),
 * written before the run:
 *   run; use → trap + restore, charged to (first entry);
 *   exit mmio labelled IO_INSTRUCTION → KVM_RUN returns, vcpu_put saves: IO_INSTRUCTION 1 exit, 1 save;
 *   run; use → trap + restore, charged to IO_INSTRUCTION (the exit that took the state away);
 *   exit irq (in the kernel, no put) → irq 1 exit, nothing else; use → live, nothing;
 *   sched-out → put saves: (preemption) 1 save.
 */
import { describe, expect, it } from 'vitest';
import { toyBackend } from '../../testkit/src/toy.js';
import { runText } from '../src/run.js';
import { toyWorkload } from './fixtures/recording.js';

describe('FP work per exit reason', () => {
  it('charges each trap, save and restore to the exit that caused it', () => {
    const text = toyWorkload([
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"fp","access":"write"}',
      '{"op":"exit","vcpu":0,"reason":"mmio","label":"IO_INSTRUCTION"}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"fp","access":"read"}',
      '{"op":"exit","vcpu":0,"reason":"irq"}',
      '{"op":"run","vcpu":0}',
      '{"op":"use","vcpu":0,"unit":"fp","access":"read"}',
      '{"op":"sched-out","vcpu":0}',
    ]);
    const { report } = runText(text, { backends: [toyBackend()], policy: 'kvm' });
    expect(report.check.violations).toBe(0);
    expect(report.per_exit_reason).toEqual({
      '(first entry)': { exits: 0, traps: 1, saves: 0, restores: 1, bytes: 256 },
      '(preemption)': { exits: 0, traps: 0, saves: 1, restores: 0, bytes: 256 },
      IO_INSTRUCTION: { exits: 1, traps: 1, saves: 1, restores: 1, bytes: 512 },
      irq: { exits: 1, traps: 0, saves: 0, restores: 0, bytes: 0 },
    });
    // every trap and routine call is charged exactly once
    const w = Object.values(report.per_exit_reason);
    const sum = (k: 'traps' | 'saves' | 'restores') => w.reduce((a, x) => a + x[k], 0);
    expect(sum('traps')).toBe(report.traps.fp_disabled);
    expect(sum('saves') + sum('restores')).toBe(
      Object.values(report.ops).reduce((a, o) => a + o.calls, 0),
    );
  });

  it('the same work by vCPU and by pCPU adds up to the totals; host work belongs to no vCPU', () => {
    const text = toyWorkload(
      [
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"use","vcpu":0,"unit":"fp","access":"write"}',
        '{"op":"run","vcpu":1,"cpu":1}',
        '{"op":"use","vcpu":1,"unit":"fp","access":"write"}',
        '{"op":"sched-out","vcpu":1}',
        '{"op":"host-use","cpu":1,"thread":"vmm1","unit":"fp","access":"write"}',
      ],
      '"cpus":2,"vcpus":2',
    );
    const { report } = runText(text, { backends: [toyBackend()], policy: 'kvm' });
    expect(report.per_vcpu.map((w) => w.traps)).toEqual([1, 1]);
    expect(report.per_cpu.map((w) => w.traps)).toEqual([1, 1]);
    // vCPU 1's save at sched-out happens on pCPU 1
    expect(report.per_vcpu[1]).toMatchObject({ saves: 1, restores: 1 });
    expect(report.per_cpu[1]?.saves).toBeGreaterThanOrEqual(1);
    const total = (ws: readonly { bytes: number }[]) => ws.reduce((a, w) => a + w.bytes, 0);
    const moved = report.bytes.saved + report.bytes.restored;
    expect(total(report.per_vcpu) + report.per_none.vcpu.bytes).toBe(moved);
    expect(total(report.per_cpu) + report.per_none.cpu.bytes).toBe(moved);
  });

  it('an exit without a label is counted under its reason; labels are kept apart', () => {
    const text = toyWorkload([
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"exit","vcpu":0,"reason":"hlt","label":"HLT"}',
      '{"op":"run","vcpu":0}',
      '{"op":"exit","vcpu":0,"reason":"hlt"}',
    ]);
    const { report } = runText(text, { backends: [toyBackend()], policy: 'kvm' });
    expect(Object.keys(report.per_exit_reason)).toEqual(['HLT', 'hlt']);
  });
});
