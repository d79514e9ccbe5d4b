/**
 * The same generated (arch-neutral) workload on every built-in backend, under the same policy names:
 * the numbers may differ only where the architectures do (packages/arm-vfp/README.md, "Same
 * workload on MIPS and ARM").
 */
import { type ReportV1, runPreset } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/index.js';

const TARGETS: readonly [string, string][] = [
  ['mips-vz', 'loongson-3a4000'],
  ['mips-vz', 'mainline'],
  ['arm-vfp', 'armv7-2013'],
  ['arm-vfp', 'armv7-c'],
  ['arm-vfp', 'arm64-e4'],
  ['arm-vfp', 'arm64-e5'],
  ['x86-xfd', 'kvm-6.16'],
  ['x86-xfd', 'kvm-lazy-cr0ts'],
  ['loongarch', 'gen-1'],
  ['loongarch', 'aux-load'],
  ['riscv', 'kvm-6.17'],
  ['riscv', 'kvm-6.16'],
];
const ARM = TARGETS.filter(([arch]) => arch === 'arm-vfp');
const POLICIES = ['lazy', 'eager', 'lazy-per-exit', 'widest', 'adaptive'] as const;

function run(arch: string, variant: string, policy: string, preset: string): ReportV1 {
  return runPreset(
    { preset, events: 30_000 },
    { backends: BACKENDS, arch, variant, policy, seed: 11 },
  ).report;
}

/** First-use traps taken to the hypervisor (not the host's or the guest's own). */
function rootTraps(r: ReportV1): number {
  return Object.entries(r.traps)
    .filter(([k]) => !k.includes(':'))
    .reduce((sum, [, n]) => sum + n, 0);
}

describe('one generated workload on every architecture', () => {
  for (const preset of ['overcommit', 'desktop']) {
    for (const policy of POLICIES) {
      it(`${preset} × ${policy}`, () => {
        const reports = TARGETS.map(([arch, variant]) => run(arch, variant, policy, preset));
        const returns = reports.map((r) => r.outcomes['KVM_RUN returned to userspace']);
        for (const [i, r] of reports.entries()) {
          const where = TARGETS[i]?.join(' ');
          // the workload decides the events and which exits reach userspace (mmio, signal)
          expect(r.workload.events, where).toBe(reports[0]?.workload.events);
          expect(returns[i], where).toBe(returns[0]);
          expect(r.check.violations, where).toBe(0);
          expect(r.check.unenabled_restores, where).toBe(0);
          if (policy === 'eager') expect(rootTraps(r), where).toBe(0);
        }
        // ARM traps all-or-nothing (HCPTR TCP10|TCP11, CPTR_EL2 TFP): one trap loads every unit,
        // so the trap count depends on the policy and the workload only, not on the generation
        const armTraps = ARM.map(([a, v]) => rootTraps(run(a, v, policy, preset)));
        expect(new Set(armTraps).size).toBe(1);
        // MIPS traps per unit (CU1, then MSAEn, then LASXEn): never fewer traps than ARM
        const mips = rootTraps(reports[0] as ReportV1);
        expect(mips).toBeGreaterThanOrEqual(armTraps[0] as number);
        // x86 traps all-or-nothing too (CR0.TS, and XFD for AMX); 4.8 saves and unloads the guest
        // at every vcpu_put (kvm_put_guest_fpu), 6.16 only when another context takes the CPU
        const traps = (arch: string, variant: string) =>
          rootTraps(
            reports[TARGETS.findIndex(([a, v]) => a === arch && v === variant)] as ReportV1,
          );
        expect(traps('x86-xfd', 'kvm-lazy-cr0ts')).toBeGreaterThanOrEqual(
          traps('x86-xfd', 'kvm-6.16'),
        );
        // LoongArch traps per unit like MIPS (EUEN FPE, SXE, ASXE): never fewer traps than ARM;
        // owning in the exit handler (gen-1) or at kvm_late_check_requests (aux-load) moves the
        // same bytes unless the vCPU is preempted between the two, which no preset does
        expect(traps('loongarch', 'gen-1')).toBeGreaterThanOrEqual(armTraps[0] as number);
        expect(traps('loongarch', 'aux-load')).toBe(traps('loongarch', 'gen-1'));
        // RISC-V has no first-use trap (vcpu_load restores what sstatus.FS/VS say is in use: the
        // kvm policy is eager there); a policy that does not preload parks the units instead
        // (policy-paths.ts, not Linux), so their first use traps
        for (const v of ['kvm-6.17', 'kvm-6.16'])
          if (policy !== 'eager') expect(traps('riscv', v), v).toBeGreaterThan(0);
      });
    }
  }

  it('kvm: ARMv7 re-arms the trap at every entry, arm64 keeps the guest state across exits', () => {
    const v7 = run('arm-vfp', 'armv7-2013', 'kvm', 'overcommit');
    const e5 = run('arm-vfp', 'arm64-e5', 'kvm', 'overcommit');
    expect(v7.config.policy.runs).toBe('lazy-per-exit');
    expect(e5.config.policy.runs).toBe('lazy');
    expect(rootTraps(v7)).toBeGreaterThan(rootTraps(e5));
    expect(v7.ops.store_vfp_state?.calls).toBeGreaterThan(0);
    expect(e5.ops.__fpsimd_save_state?.calls ?? 0).toBe(0); // E5 saves the host at vcpu_load, not in hyp
  });
});
