/**
 * The state oracle must be able to fail: each deliberately broken mechanism (FAULTS in
 * src/state.ts) corrupts guest or host state in a way the kernel's correct code does not, and
 * the oracle reports it. The same workloads without the fault report no violation.
 */
import { runPreset, runText } from '@vfpu/core';
import { presetText } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { FAULTS, mipsVz } from '../src/index.js';

const backends = [mipsVz()];

function workload(faults: string[], events: string[]): string {
  const header = {
    format: 'vfpu-workload',
    version: 1,
    arch: 'mips-vz',
    cpus: 2,
    vcpus: 2,
    threads: ['bash'],
    config: { faults },
  };
  return [JSON.stringify(header), ...events].join('\n');
}

// mips.c kvm_own_msa, case AUX_FPU: only __kvm_restore_msa_upper brings back the upper 64 bits
const msaUpper = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"msa","access":"write","reg":5}',
  '{"op":"sched-out","vcpu":0}',
  '{"op":"run","vcpu":1,"cpu":0}',
  '{"op":"use","vcpu":1,"unit":"msa","access":"write","reg":5}',
  '{"op":"sched-out","vcpu":1}',
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"fpu","access":"read","reg":5}',
  '{"op":"use","vcpu":0,"unit":"msa","access":"read","reg":5}',
];

// mips.c kvm_lose_fpu: with MSA live, __kvm_save_msa (512 bytes) must run, not __kvm_save_fpu
const saveFpuOnly = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"msa","access":"write","reg":7}',
  '{"op":"sched-out","vcpu":0}',
  '{"op":"run","vcpu":0,"cpu":1}',
  '{"op":"use","vcpu":0,"unit":"msa","access":"read","reg":7}',
];

// mips.c kvm_arch_vcpu_ioctl_run: lose_fpu(1) saves the VMM thread's own FP state before entry
const vmmLoseFpu = [
  '{"op":"switch","cpu":0,"thread":"vmm0"}',
  '{"op":"host-use","cpu":0,"unit":"fpu","access":"write","reg":2}',
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"fpu","access":"write","reg":2}',
  '{"op":"sched-out","vcpu":0}',
  '{"op":"switch","cpu":0,"thread":"bash"}',
  '{"op":"switch","cpu":0,"thread":"vmm0"}',
  '{"op":"host-use","cpu":0,"unit":"fpu","access":"read","reg":2}',
];

// entry.c kvm_mips_build_exit zeroes FCSR; mips.c kvm_mips_handle_exit's tail must restore it
const fcsrRestore = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"guest-write","vcpu":0,"reg":"FCSR","set":["RM0","INV_E","FLUSH"]}',
  '{"op":"exit","vcpu":0,"reason":"irq"}',
  '{"op":"enter","vcpu":0}',
  '{"op":"use","vcpu":0,"unit":"fpu","access":"read","reg":0}',
];

const cases: Array<[keyof typeof FAULTS, string[], string, string]> = [
  ['skip-msa-upper-restore', msaUpper, 'vcpu0', 'msa'],
  ['save-fpu-only', saveFpuOnly, 'vcpu0', 'msa'],
  ['skip-vmm-lose-fpu', vmmLoseFpu, 'vmm0', 'fpu'],
  ['skip-fcsr-restore', fcsrRestore, 'vcpu0', 'FCSR'],
];

/** Faults neutral presets cannot show: they never write FCSR (a MIPS guest-write). */
const NOT_IN_PRESETS: ReadonlySet<string> = new Set(['skip-fcsr-restore']);

describe('the oracle catches broken mechanisms', () => {
  for (const [fault, events, context, unit] of cases) {
    it(`${fault}: ${FAULTS[fault]}`, () => {
      const good = runText(workload([], events), { backends, policy: 'kvm' }).report;
      expect(good.check.violations).toBe(0);
      expect(good.check.reads).toBeGreaterThan(0);
      const bad = runText(workload([fault], events), { backends, policy: 'kvm' }).report;
      expect(bad.check.violations).toBeGreaterThan(0);
      expect(bad.check.first?.context).toBe(context);
      expect(bad.check.first?.unit).toBe(unit);
    });
  }

  it('each fault also shows up on a random generated workload', () => {
    for (const fault of Object.keys(FAULTS)) {
      if (NOT_IN_PRESETS.has(fault)) continue;
      const config = { faults: [fault] };
      // presets carry no config; run the generated workload through text with the fault set
      const { report } = runPreset(
        { preset: 'overcommit', events: 20_000 },
        { backends, policy: 'kvm', seed: 3 },
      );
      expect(report.check.violations).toBe(0);
      const text = presetText('overcommit', 20_000, 3, { arch: 'mips-vz', config });
      const broken = runText(text, { backends, policy: 'kvm', seed: 3 }).report;
      expect(broken.check.violations, fault).toBeGreaterThan(0);
    }
  });
});
