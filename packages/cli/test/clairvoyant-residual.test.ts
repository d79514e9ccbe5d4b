/**
 * The residual cases of issue 17 where a built-in beat `clairvoyant` (docs/clairvoyant.md), each
 * as `node scripts/bound-gaps.mjs 100 <seed>` shrank it before it was closed. Seeds 1–3: arm64
 * SVE enabled mid-slice (kvm_hyp_handle_fpsimd loads the whole state: alsoLoads), RISC-V
 * vsstatus Off at vcpu_load (vcpu_load restores by the HS-level FS/VS: preloadReach), x86 4.8
 * CLTS (vmx_fpu_activate's VMCS writes: controlWrites). Seeds 4–9, once those were closed:
 * LoongArch EUEN.SXE without FPE (a preload of LSX is the way to the FPU), a use the guest has
 * not enabled that exits first (its re-entry is an entry), a use preempted after its trap (the
 * instruction runs again after the re-entry), x86 6.16 kernel-mode FP between KVM_RUN's load and
 * the entry. Seeds 1 and 6, once those were closed: LoongArch, FCSR0.TM set in a VM without
 * LBT (kvm_own_fpu's kvm_check_fcsr owns LBT, after which the guest's LBT instruction runs
 * instead of exiting to kvm_handle_lbt_disabled: a use whose exit a live unit avoids,
 * SLICE_AVOID). Seeds 10 and 12, once those were closed: x86 6.16, the guest's XFD armed under a
 * lazy policy (its #NM is the guest's: injected in the one exit, policy-paths.ts lazyGuestNm);
 * RISC-V, a V use marks vsstatus.VS Dirty, so clearing VS0 leaves it Clean, not Off
 * (guestUseEffect); ARMv7, a load before an entry reaches the bank whatever FPEXC.EN
 * (preloadReach). Every built-in at its defaults, `kvm` included, at or above `clairvoyant`.
 */
import { POLICY_NAMES, runText } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/index.js';
import { onVariants, type ShrunkCase } from './shrunk-cases.js';

const CASES: readonly ShrunkCase[] = [
  {
    name: 'arm-vfp/arm64-e5 [guest-write,run,sched-out,use], seed 1: eager 663 < 768 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"arm-vfp","variant":"arm64-e5","cpus":1,"vcpus":1}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"CPACR_EL1","clear":["ZEN_EL0EN"]}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"CPACR_EL1","set":["ZEN_EL0EN"]}',
      '{"op":"use","vcpu":0,"unit":"sve"}',
    ],
  },
  {
    name: 'arm-vfp/arm64-e4 [guest-write,run,sched-out,use], seed 1: eager 643 < 768 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"arm-vfp","variant":"arm64-e4","cpus":1,"vcpus":1}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"CPACR_EL1","clear":["ZEN_EL0EN"]}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"CPACR_EL1","set":["ZEN_EL0EN"]}',
      '{"op":"use","vcpu":0,"unit":"sve"}',
    ],
  },
  {
    name: 'arm-vfp/arm64-e5 [exit:mmio,guest-write,run,use], seed 2: eager 663 < 768 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"arm-vfp","variant":"arm64-e5","cpus":2,"vcpus":2}',
      '{"op":"run","vcpu":1,"cpu":0}',
      '{"op":"guest-write","vcpu":1,"reg":"CPACR_EL1","value":4293918720}',
      '{"op":"exit","vcpu":1,"reason":"mmio"}',
      '{"op":"run","vcpu":1,"cpu":0}',
      '{"op":"guest-write","vcpu":1,"reg":"CPACR_EL1","set":["ZEN_EL1EN","ZEN_EL0EN"]}',
      '{"op":"use","vcpu":1,"unit":"sve"}',
    ],
  },
  {
    name: 'arm-vfp/arm64-e4 [exit:mmio,guest-write,run,use], seed 2: eager 643 < 768 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"arm-vfp","variant":"arm64-e4","cpus":2,"vcpus":2}',
      '{"op":"run","vcpu":1,"cpu":0}',
      '{"op":"guest-write","vcpu":1,"reg":"CPACR_EL1","value":4293918720}',
      '{"op":"exit","vcpu":1,"reason":"mmio"}',
      '{"op":"run","vcpu":1,"cpu":0}',
      '{"op":"guest-write","vcpu":1,"reg":"CPACR_EL1","set":["ZEN_EL1EN","ZEN_EL0EN"]}',
      '{"op":"use","vcpu":1,"unit":"sve"}',
    ],
  },
  {
    name: 'riscv/kvm-6.17 [exit,guest-write,run,use,user-get], seed 2: kvm 1446 < 2549 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"riscv","variant":"kvm-6.17","cpus":1,"vcpus":1}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"vsstatus","value":0}',
      '{"op":"exit","vcpu":0}',
      '{"op":"user-get","vcpu":0,"unit":"fp"}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"vsstatus","value":8704}',
      '{"op":"use","vcpu":0,"unit":"fp"}',
    ],
  },
  {
    name: 'riscv/kvm-6.16 [exit,guest-write,run,use,user-get], seed 2: kvm 1446 < 2549 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"riscv","variant":"kvm-6.16","cpus":1,"vcpus":1}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"vsstatus","value":0}',
      '{"op":"exit","vcpu":0}',
      '{"op":"user-get","vcpu":0,"unit":"fp"}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"vsstatus","value":8704}',
      '{"op":"use","vcpu":0,"unit":"fp"}',
    ],
  },
  {
    name: 'riscv/kvm-6.17 [guest-write,run,sched-out,use], seed 3: kvm 1446 < 2549 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"riscv","variant":"kvm-6.17","cpus":1,"vcpus":1}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"vsstatus","value":0}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"vsstatus","value":8704}',
      '{"op":"use","vcpu":0,"unit":"fp"}',
    ],
  },
  {
    name: 'x86-xfd/kvm-lazy-cr0ts [guest-write,run,use], seed 3: kvm 419 < 619 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"x86-xfd","variant":"kvm-lazy-cr0ts","cpus":1,"vcpus":1}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"CR0","value":0}',
      '{"op":"use","vcpu":0,"unit":"avx"}',
      '{"op":"guest-write","vcpu":0,"reg":"MXCSR","value":8064}',
      '{"op":"use","vcpu":0,"unit":"x87"}',
      '{"op":"use","vcpu":0,"unit":"avx512"}',
    ],
  },
  {
    name: 'riscv/kvm-6.16 [guest-write,run,use], seed 3: kvm 1446 < 2549 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"riscv","variant":"kvm-6.16","cpus":1,"vcpus":1}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"vsstatus","value":0}',
      '{"op":"use","vcpu":0,"unit":"fp","reg":0,"preempt":"after-trap"}',
      '{"op":"guest-write","vcpu":0,"reg":"vsstatus","value":8704}',
      '{"op":"use","vcpu":0,"unit":"fp"}',
    ],
  },
  {
    name: 'riscv/kvm-6.16 [guest-write,run,sched-out,use], seed 3: kvm 1446 < 2549 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"riscv","variant":"kvm-6.16","cpus":1,"vcpus":1}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"vsstatus","value":0}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"vsstatus","value":25088}',
      '{"op":"use","vcpu":0,"unit":"fp"}',
    ],
  },
  {
    name: 'x86-xfd/kvm-6.16 [kernel-fpu,load,run,use], seed 4: cost-aware 619 < 882 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"x86-xfd","variant":"kvm-6.16","cpus":1,"vcpus":1}',
      '{"op":"load","vcpu":0,"cpu":0}',
      '{"op":"kernel-fpu","cpu":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"x87"}',
    ],
  },
  {
    name: 'loongarch/gen-1 [guest-write,run,use], seed 5: eager 1983 < 3291 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"gen-1","cpus":2,"vcpus":2,"config":{"guest":{"EUEN":[]},"quirks":"fixed"}}',
      '{"op":"run","vcpu":1,"cpu":1}',
      '{"op":"guest-write","vcpu":1,"reg":"EUEN","value":7}',
      '{"op":"use","vcpu":1,"unit":"fpu","reg":0,"preempt":"after-trap"}',
    ],
  },
  {
    name: 'loongarch/aux-load [guest-write,load,run,use], seed 5: eager 1597 < 3097 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"aux-load","cpus":3,"vcpus":3,"config":{"cpucfg":["FP"],"guest":{"EUEN":[]},"quirks":"fixed"}}',
      '{"op":"load","vcpu":0,"cpu":0}',
      '{"op":"run","vcpu":2,"cpu":2}',
      '{"op":"guest-write","vcpu":2,"reg":"EUEN","value":7}',
      '{"op":"use","vcpu":2,"unit":"lsx"}',
      '{"op":"use","vcpu":2,"unit":"fpu"}',
    ],
  },
  {
    name: 'loongarch/gen-1 [guest-write,run], seed 6: eager 161 < 1597 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"gen-1","cpus":1,"vcpus":1,"config":{"guest":{"EUEN":["SXE"]},"quirks":"fixed"}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"EUEN","value":7}',
      '{"op":"guest-write","vcpu":0,"reg":"FCSR0","value":0}',
    ],
  },
  {
    name: 'loongarch/gen-1 [guest-write,run,sched-out,switch,use], seed 6: eager 2417 < 3161 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"gen-1","cpus":2,"vcpus":2,"config":{"quirks":"fixed"}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"EUEN","value":1}',
      '{"op":"switch","cpu":1,"thread":"vmm1"}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"EUEN","value":15}',
      '{"op":"use","vcpu":0,"unit":"lbt"}',
      '{"op":"use","vcpu":0,"unit":"lsx"}',
    ],
  },
  {
    name: 'loongarch/aux-load [guest-write,run], seed 6: eager 161 < 1597 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"aux-load","cpus":1,"vcpus":1,"config":{"guest":{"EUEN":["SXE"]},"quirks":"fixed"}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"EUEN","value":7}',
      '{"op":"guest-write","vcpu":0,"reg":"FCSR0","value":0}',
    ],
  },
  {
    name: 'loongarch/aux-load [guest-write,run,sched-out,switch,use], seed 6: eager 2417 < 3161 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"aux-load","cpus":2,"vcpus":2,"config":{"quirks":"fixed"}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"EUEN","value":1}',
      '{"op":"switch","cpu":1,"thread":"vmm1"}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"EUEN","value":15}',
      '{"op":"use","vcpu":0,"unit":"lbt"}',
      '{"op":"use","vcpu":0,"unit":"lsx"}',
    ],
  },
  ...onVariants(
    ['gen-1', 'aux-load'],
    'loongarch/{variant} [guest-write,run,use,user-get], seed 1: eager 795 < 1774 before',
    [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"gen-1","cpus":1,"vcpus":1,"config":{"quirks":"fixed"}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"EUEN","value":22009}',
      '{"op":"guest-write","vcpu":0,"reg":"FCSR0","value":37952}',
      '{"op":"user-get","vcpu":0,"unit":"fpu"}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"lbt"}',
    ],
  ),
  ...onVariants(
    ['gen-1', 'aux-load'],
    'loongarch/{variant} [guest-write,run,sched-out,use], seed 6: eager 1565 < 1774 before',
    [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"gen-1","cpus":3,"vcpus":3,"config":{"quirks":"fixed"}}',
      '{"op":"run","vcpu":2,"cpu":2}',
      '{"op":"run","vcpu":1,"cpu":0}',
      '{"op":"guest-write","vcpu":1,"reg":"FCSR0","value":6336}',
      '{"op":"sched-out","vcpu":1}',
      '{"op":"sched-out","vcpu":2}',
      '{"op":"run","vcpu":1,"cpu":2}',
      '{"op":"guest-write","vcpu":1,"reg":"EUEN","value":8984}',
      '{"op":"use","vcpu":1,"unit":"lbt"}',
    ],
  ),
  {
    name: 'loongarch/gen-1 [guest-write,run,use,user-get], seed 1 with the LBT use preempted after its trap',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"gen-1","cpus":1,"vcpus":1,"config":{"quirks":"fixed"}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"EUEN","value":22009}',
      '{"op":"guest-write","vcpu":0,"reg":"FCSR0","value":37952}',
      '{"op":"user-get","vcpu":0,"unit":"fpu"}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"lbt","preempt":"after-trap"}',
    ],
  },
  {
    name: 'loongarch/gen-1 [guest-write,run,use], LSX in a VM without it is never live (eager 3097 < 4597 while an avoidable use was any trap-first one)',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"gen-1","cpus":1,"vcpus":1,"config":{"cpucfg":["FP"],"quirks":"fixed"}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"FCSR0","value":0}',
      '{"op":"use","vcpu":0,"unit":"lsx"}',
      '{"op":"use","vcpu":0,"unit":"lsx"}',
    ],
  },
  {
    name: 'loongarch/aux-load [run,use], LBT in a VM without it, only along with the FPU (eager 3289 < 4789 while a grant could pass it on)',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"aux-load","cpus":2,"vcpus":1,"threads":["app"],"config":{"guest":{"EUEN":["ASXE","BTE"]},"quirks":"fixed"}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"lasx"}',
      '{"op":"use","vcpu":0,"unit":"lbt"}',
      '{"op":"use","vcpu":0,"unit":"lbt"}',
    ],
  },
  {
    name: 'loongarch/gen-1 [exit,guest-write,run,switch,use,user-get], an LBT use preempted after its trap (eager 3234 < 3578 while a grant could pass LBT on)',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"gen-1","cpus":3,"vcpus":3,"config":{"quirks":"fixed"}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"switch","cpu":2,"thread":"vmm2"}',
      '{"op":"exit","vcpu":0}',
      '{"op":"run","vcpu":1,"cpu":1}',
      '{"op":"run","vcpu":2,"cpu":2}',
      '{"op":"use","vcpu":1,"unit":"lasx","reg":0}',
      '{"op":"user-get","vcpu":0,"unit":"fpu"}',
      '{"op":"guest-write","vcpu":1,"reg":"EUEN","set":["BTE","FPE"]}',
      '{"op":"use","vcpu":1,"unit":"lbt","preempt":"after-trap"}',
    ],
  },
  {
    name: 'x86-xfd/kvm-6.16 [run,syscall,use], seed 10: lazy 2519 < 2719 before',
    lines: [
      '{"format":"vfpu-workload","version":1,"arch":"x86-xfd","variant":"kvm-6.16","cpus":1,"vcpus":1}',
      '{"op":"syscall","name":"KVM_SET_MSRS(IA32_XFD)","vcpu":0,"value":262144}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"amx-tile"}',
    ],
  },
  ...onVariants(
    ['kvm-6.17', 'kvm-6.16'],
    'riscv/{variant} [exit:signal,guest-write,run,use], seed 10: kvm 1602 < 2932 before',
    [
      '{"format":"vfpu-workload","version":1,"arch":"riscv","variant":"kvm-6.17","cpus":1,"vcpus":1}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"v"}',
      '{"op":"guest-write","vcpu":0,"reg":"vsstatus","clear":["VS0"]}',
      '{"op":"exit","vcpu":0,"reason":"signal"}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"v"}',
    ],
  ),
  ...onVariants(
    ['armv7-c', 'armv7-2013'],
    'arm-vfp/{variant} [exit:signal,guest-write,run,sched-out,use], seed 12: eager 1500 < 1920 before',
    [
      '{"format":"vfpu-workload","version":1,"arch":"arm-vfp","variant":"armv7-c","cpus":2,"vcpus":1,"threads":["app"]}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"FPEXC","value":0}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"FPEXC","value":1073741824}',
      '{"op":"exit","vcpu":0,"reason":"signal"}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"vfp"}',
    ],
  ),
  ...onVariants(
    ['armv7-c', 'armv7-2013'],
    'arm-vfp/{variant} D16 [run,use], FPEXC.EN = 0, seed 19: kvm 60 < 176 once a preload reached the bank',
    [
      '{"format":"vfpu-workload","version":1,"arch":"arm-vfp","variant":"armv7-c","cpus":1,"vcpus":1,"config":{"d32":false,"guest":{"FPEXC":[]}}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"d16-d31"}',
    ],
  ),
];

function fp(text: string, policy: string): number {
  return runText(text, { backends: BACKENDS, policy }, 'residual.ndjson').report.cycles.fp;
}

describe('clairvoyant on the residual classes (issue 17)', () => {
  for (const c of CASES)
    it(c.name, () => {
      const text = c.lines.join('\n');
      const own = fp(text, 'clairvoyant');
      const below = POLICY_NAMES.filter((p) => p !== 'clairvoyant')
        .map((p) => ({ p, fp: fp(text, p) }))
        .filter((r) => r.fp < own)
        .map((r) => `${r.p} ${r.fp} < ${own}`);
      expect(below).toEqual([]);
    });
});
