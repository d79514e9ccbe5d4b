/**
 * The RISC-V kernel fires no FP tracepoint, so a run emits none. Derivation from the source:
 * - arch/riscv/kvm/vcpu_fp.c (kvm_riscv_vcpu_guest_fp_save / _restore, called from
 *   kvm_arch_vcpu_load / _put and the host save/restore around them) and vcpu_vector.c contain no
 *   tracepoint: the guest's FP/V state moves at load/put, never at a trap (there is none: sstatus
 *   FS/VS dirty tracking).
 * - arch/riscv/kvm/trace.h (2024) has kvm_entry, kvm_exit ("SEPC:0x%lx, SCAUSE:0x%lx, …": raw CSR
 *   values, no reason name), kvm_mmio_emulate, kvm_vcpu_exit, kvm_vcpu_irq: no kvm_fpu / kvm_aux.
 *   The one FP-caused exit, an illegal instruction of a guest whose FS/VS is Off on kvm-6.16
 *   (EXC_INST_ILLEGAL not delegated), loads nothing and is redirected; its kvm_exit (SCAUSE 0x2,
 *   like any illegal instruction) is not an FP tracepoint.
 * A non-kvm policy's parked-unit trap (policy-paths.ts) is not Linux and fires nothing either.
 */
import { readFileSync } from 'node:fs';
import { runText } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { riscv } from '../src/index.js';

const dir = new URL('./scenarios/', import.meta.url);

function run(name: string, policy: string): { fired: string[]; moved: number } {
  const fired: string[] = [];
  const text = readFileSync(new URL(`${name}.ndjson`, dir), 'utf8');
  const { report } = runText(text, {
    backends: [riscv()],
    policy,
    tracepoints: (v, e, d) => fired.push(`${v} ${e}: ${d}`),
  });
  let moved = 0;
  for (const op of Object.values(report.ops)) moved += op.calls;
  return { fired, moved };
}

describe('riscv fires no FP tracepoint', () => {
  for (const [name, policy] of [
    ['R02-guest-uses-fp', 'kvm'],
    ['R08-vector-dirty', 'kvm'],
    ['R07b-guest-vsstatus-fs-off-6.16', 'kvm'],
    ['R04-preempt-migrate', 'kvm'],
    ['P01-lazy-per-exit-parks', 'lazy-per-exit'],
  ]) {
    it(`${name} (${policy}): state moves, no tracepoint`, () => {
      const r = run(name as string, policy as string);
      expect(r.fired).toEqual([]);
      if (name !== 'R07b-guest-vsstatus-fs-off-6.16') expect(r.moved).toBeGreaterThan(0);
    });
  }

  it('R01-idle-guest: nothing FP, nothing fired', () => {
    expect(run('R01-idle-guest', 'kvm').fired).toEqual([]);
  });
});
