/**
 * The state oracle must be able to fail: each deliberately broken mechanism (FAULTS in
 * src/state.ts) corrupts guest or host state in a way the kernel's correct code does not, and
 * the oracle reports it. The same workloads without the fault report no violation.
 */
import { type FaultCase, faultOnPresetProblems, faultProblems } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { FAULTS, mipsVz } from '../src/index.js';

const backend = mipsVz();
const shape = { arch: 'mips-vz', cpus: 2, vcpus: 2, threads: ['bash'] };

const cases: ReadonlyArray<FaultCase & { readonly fault: keyof typeof FAULTS }> = [
  {
    // mips.c kvm_own_msa, case AUX_FPU: only __kvm_restore_msa_upper brings back the upper 64 bits
    fault: 'skip-msa-upper-restore',
    shape,
    events: [
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"msa","access":"write","reg":5}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":1,"cpu":0}',
      '{"op":"use","vcpu":1,"unit":"msa","access":"write","reg":5}',
      '{"op":"sched-out","vcpu":1}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"fpu","access":"read","reg":5}',
      '{"op":"use","vcpu":0,"unit":"msa","access":"read","reg":5}',
    ],
    context: 'vcpu0',
    unit: 'msa',
  },
  {
    // mips.c kvm_lose_fpu: with MSA live, __kvm_save_msa (512 bytes) must run, not __kvm_save_fpu
    fault: 'save-fpu-only',
    shape,
    events: [
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"msa","access":"write","reg":7}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":1}',
      '{"op":"use","vcpu":0,"unit":"msa","access":"read","reg":7}',
    ],
    context: 'vcpu0',
    unit: 'msa',
  },
  {
    // mips.c kvm_arch_vcpu_ioctl_run: lose_fpu(1) saves the VMM thread's own FP state before entry
    fault: 'skip-vmm-lose-fpu',
    shape,
    events: [
      '{"op":"switch","cpu":0,"thread":"vmm0"}',
      '{"op":"host-use","cpu":0,"unit":"fpu","access":"write","reg":2}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"fpu","access":"write","reg":2}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"switch","cpu":0,"thread":"bash"}',
      '{"op":"switch","cpu":0,"thread":"vmm0"}',
      '{"op":"host-use","cpu":0,"unit":"fpu","access":"read","reg":2}',
    ],
    context: 'vmm0',
    unit: 'fpu',
  },
  {
    // entry.c kvm_mips_build_exit zeroes FCSR; mips.c kvm_mips_handle_exit's tail must restore it
    fault: 'skip-fcsr-restore',
    shape,
    events: [
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"FCSR","set":["RM0","INV_E","FLUSH"]}',
      '{"op":"exit","vcpu":0,"reason":"irq"}',
      '{"op":"enter","vcpu":0}',
      '{"op":"use","vcpu":0,"unit":"fpu","access":"read","reg":0}',
    ],
    context: 'vcpu0',
    unit: 'FCSR',
  },
];

/** Faults neutral presets cannot show: they never write FCSR (a MIPS guest-write). */
const NOT_IN_PRESETS: ReadonlySet<string> = new Set(['skip-fcsr-restore']);

describe('the oracle catches broken mechanisms', () => {
  it('every fault has a case', () => {
    expect(cases.map((c) => c.fault).sort()).toEqual(Object.keys(FAULTS).sort());
  });

  for (const c of cases) {
    it(`${c.fault}: ${FAULTS[c.fault]}`, () => {
      expect(faultProblems(backend, c)).toEqual([]);
    });
  }

  it('each fault also shows up on a random generated workload', () => {
    for (const fault of Object.keys(FAULTS)) {
      if (NOT_IN_PRESETS.has(fault)) continue;
      expect(faultOnPresetProblems(backend, fault, { arch: 'mips-vz' })).toEqual([]);
    }
  });
});
