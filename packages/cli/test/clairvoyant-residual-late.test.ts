/**
 * Issue 17's residual cases found on seeds 13–80 (`node scripts/bound-gaps.mjs 100 <seed>`) once
 * the earlier classes (clairvoyant-residual.test.ts) were closed, each as shrunk before it was
 * closed: x86 4.8 host kernel-mode FP is refused while KVM holds the guest FPU
 * (Machine.kernelFpuUnusableWhileLive: no save, no cost, the state stays live; without it the
 * VMM thread's state is saved and restored); a `sched-out` of a vCPU that is not in the guest
 * is no exit (the look-ahead had coded one, a save decision the kernel never asks for); where
 * kernel-mode FP is not modelled (LoongArch, MIPS, RISC-V: Machine.kernelFpuIgnored) a
 * `kernel-fpu` is no flush; a MIPS VM with LASX and no MSA (Config3.MSAP clear) has LASX enabled
 * as the hardware check has it (kvm_mips_guest_has_lasx does not look at MSAP), so a preload may
 * ask for it. Every built-in at its defaults at or above `clairvoyant`. Last, the
 * runs a kernel oops cut short (x86 6.16: a thread killed by the XFD #NM in kernel mode) stopped
 * part of the workload: `workload.not_run`, compared with nothing and left out of the bound.
 */
import { POLICY_NAMES, runText, withBounds } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/index.js';
import { onVariants, type ShrunkCase } from './shrunk-cases.js';

const CASES: readonly ShrunkCase[] = [
  {
    name: 'x86-xfd/kvm-lazy-cr0ts [exit,kernel-fpu,run,use], seed 14: kvm 419 < 682 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"x86-xfd","variant":"kvm-lazy-cr0ts","cpus":1,"vcpus":1}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"exit","vcpu":0}',
      '{"op":"kernel-fpu","cpu":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"x87"}',
    ],
  },
  {
    name: 'x86-xfd/kvm-lazy-cr0ts [exit,kernel-fpu,run,sched-out,use], seed 15: kvm 1117 < 1380 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"x86-xfd","variant":"kvm-lazy-cr0ts","cpus":2,"vcpus":2}',
      '{"op":"run","vcpu":1,"cpu":0}',
      '{"op":"use","vcpu":1,"unit":"x87"}',
      '{"op":"run","vcpu":0,"cpu":1}',
      '{"op":"exit","vcpu":0}',
      '{"op":"sched-out","vcpu":1}',
      '{"op":"kernel-fpu","cpu":1}',
      '{"op":"run","vcpu":0,"cpu":1}',
      '{"op":"use","vcpu":0,"unit":"x87"}',
    ],
  },
  {
    name: 'arm-vfp/arm64-e4 [exit,guest-write,run,sched-out,use], seed 32: lazy-per-exit 896 < 916 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"arm-vfp","variant":"arm64-e4","cpus":2,"vcpus":1,"threads":["app"],"config":{"guest":{"CPACR_EL1":["FPEN_EL0EN"]}}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"CPACR_EL1","set":["FPEN_EL1EN","ZEN_EL1EN"]}',
      '{"op":"use","vcpu":0,"unit":"fpsimd"}',
      '{"op":"exit","vcpu":0}',
      '{"op":"sched-out","vcpu":0}',
    ],
  },
  {
    name: 'mips-vz/loongson-3a4000 [run,use], LASX without MSA, seed 50: kvm 1689 < 1739 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"mips-vz","variant":"loongson-3a4000","cpus":1,"vcpus":1,"config":{"guest":{"Config3":[]}}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"lasx"}',
      '{"op":"use","vcpu":0,"unit":"fpu"}',
    ],
  },
  ...onVariants(
    ['gen-1', 'aux-load'],
    'loongarch/{variant} [exit,kernel-fpu,run,use], seed 76: eager 289 < 339 before',
    [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"gen-1","cpus":1,"vcpus":1,"config":{"quirks":"fixed"}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"fpu"}',
      '{"op":"exit","vcpu":0}',
      '{"op":"kernel-fpu","cpu":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"lasx"}',
    ],
  ),
];

/** x86 6.16, seed 22: kvm, eager and cost-aware die in the oops (1 488 FP cycles), clairvoyant too, later. */
const OOPS = [
  '{"format":"vfpu-workload","version":1,"arch":"x86-xfd","variant":"kvm-6.16","cpus":1,"vcpus":1}',
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"user-set","vcpu":0,"unit":"amx-tile"}',
  '{"op":"syscall","name":"KVM_SET_MSRS(IA32_XFD)","vcpu":0,"value":262144}',
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"exit","vcpu":0,"reason":"io"}',
  '{"op":"host-use","cpu":0,"unit":"avx512"}',
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"x87"}',
];

const reportsOf = (lines: readonly string[]) =>
  withBounds(
    POLICY_NAMES.map(
      (policy) => runText(lines.join('\n'), { backends: BACKENDS, policy }, 'late.ndjson').report,
    ),
  );

describe('clairvoyant on the residual classes of seeds 13–80 (issue 17)', () => {
  for (const c of CASES)
    it(c.name, () => {
      const reports = reportsOf(c.lines);
      const own = reports.find((r) => r.policy === 'clairvoyant')?.cycles.fp ?? -1;
      expect(reports.filter((r) => r.cycles.fp < own).map((r) => r.policy)).toEqual([]);
      expect(reports.every((r) => r.workload.not_run === undefined)).toBe(true);
    });

  it('a run an oops cut short (x86 6.16 XFD #NM in kernel mode) is marked and bounds nothing', () => {
    const reports = reportsOf(OOPS);
    const cut = reports.filter((r) => r.workload.not_run !== undefined).map((r) => r.policy);
    expect(cut).toEqual(expect.arrayContaining(['kvm', 'eager', 'cost-aware']));
    const complete = reports.filter((r) => r.workload.not_run === undefined);
    expect(complete.length).toBeGreaterThan(0);
    const bound = reports[0]?.bound;
    expect(bound).toBeDefined();
    expect(cut).not.toContain(bound?.by);
    expect(bound?.fp).toBe(Math.min(...complete.map((r) => r.cycles.fp)));
    // the cut runs' FP cycles are below the bound: they stopped part of the workload
    expect(
      reports.some((r) => r.workload.not_run !== undefined && r.cycles.fp < (bound?.fp ?? 0)),
    ).toBe(true);
  });
});
