/**
 * Found by the random valid workloads (@vfpu/testkit random-workload.ts): a kernel thread's
 * registers after it was switched out. switch_fpu (asm/fpu/sched.h) saves nothing for a
 * PF_KTHREAD task, so what it left in the registers is not kept for it (another task's restore,
 * or a migration, replaces it). Before: a violation under every policy on both variants when the
 * thread read them back on another pCPU. Now: its state is undefined once it leaves (not checked
 * until written again), and what it writes afterwards is checked again.
 */
import { POLICY_NAMES, runText } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { x86Xfd } from '../src/index.js';

const backends = [x86Xfd()];

describe('a kernel thread switched out keeps no FP state', () => {
  for (const variant of ['kvm-6.16', 'kvm-lazy-cr0ts']) {
    for (const policy of POLICY_NAMES) {
      it(`${variant} ${policy}: kworker0 migrates, then reads its sse registers`, () => {
        const text = [
          JSON.stringify({
            format: 'vfpu-workload',
            version: 1,
            arch: 'x86-xfd',
            variant,
            cpus: 2,
            vcpus: 1,
            threads: ['kworker0'],
          }),
          '{"op":"switch","cpu":0,"thread":"kworker0"}',
          '{"op":"host-use","cpu":0,"unit":"sse","access":"write","reg":8}',
          '{"op":"switch","cpu":1,"thread":"kworker0"}',
          '{"op":"host-use","cpu":1,"unit":"sse","access":"read","reg":8}',
          '{"op":"host-use","cpu":1,"unit":"sse","access":"write","reg":8}',
          '{"op":"host-use","cpu":1,"unit":"sse","access":"read","reg":8}',
        ].join('\n');
        const { report } = runText(text, { backends, policy });
        expect(report.check.first ?? null).toBeNull();
        expect(report.check.reads).toBeGreaterThan(0);
      });
    }
  }
});
