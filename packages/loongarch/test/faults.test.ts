/** The oracle catches a broken mechanism; the uapi quirk is the kernel's; options are checked. */
import { runText } from '@vfpu/core';
import { faultProblems, workloadText } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { loongarch } from '../src/index.js';
import type { LoongState } from '../src/state.js';
import { kvm_arch_vcpu_ioctl_get_fpu, kvm_arch_vcpu_ioctl_set_fpu } from '../src/vcpu.js';

const shape = { arch: 'loongarch', cpus: 1, vcpus: 1 };
const lasxPut = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"lasx","access":"write","reg":5}',
  '{"op":"sched-out","vcpu":0}',
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"lasx","access":"read","reg":5}',
];

describe('loongarch faults and options', () => {
  it('the oracle catches lasx-save-low-half (kvm_save_lasx storing 128 of 256 bits)', () => {
    const c = {
      fault: 'lasx-save-low-half',
      shape,
      events: lasxPut,
      context: 'vcpu0',
      unit: 'lasx',
    };
    expect(faultProblems(loongarch(), c)).toEqual([]);
  });

  it('KVM_GET_FPU / KVM_SET_FPU move FPU_REG_WIDTH / 64 = 4 bytes per register ("fixed": 32)', () => {
    for (const uapiBytes of [4, 32]) {
      const area = new Uint8Array(1036).map((_, i) => i & 0xff);
      const s = { uapiBytes, fpu: [area] } as unknown as LoongState;
      const out = new Uint8Array(1036);
      expect(kvm_arch_vcpu_ioctl_get_fpu(s, 0, 2, out)).toBe(uapiBytes);
      expect(Array.from(out.subarray(64, 96))).toEqual(
        Array.from({ length: 32 }, (_, i) => (i < uapiBytes ? 64 + i : 0)),
      );
      const src = new Uint8Array(1036).fill(0xee);
      kvm_arch_vcpu_ioctl_set_fpu(s, 0, 2, src, 8);
      // the kernel stores `uapiBytes`; the rest reads back as it was (and becomes the truth)
      expect(Array.from(area.subarray(64, 72))).toEqual(
        [64, 65, 66, 67, 68, 69, 70, 71].map((x, i) => (i < uapiBytes ? 0xee : x)),
      );
      expect(Array.from(src.subarray(64, 72))).toEqual(Array.from(area.subarray(64, 72)));
    }
  });

  it('refuses a CPUCFG2 KVM refuses (kvm_check_cpucfg) and unknown EUEN bits', () => {
    const b = loongarch();
    const v = b.variants[0];
    if (v === undefined) throw new Error('no variant');
    const shapeArg = { cpus: 1, vcpus: 1, threads: [] };
    expect(b.resolveConfig(v, { cpucfg: ['LSX'] }, shapeArg)).toMatchObject({
      ok: false,
      field: 'cpucfg',
    });
    expect(b.resolveConfig(v, { cpucfg: ['FP', 'LASX'] }, shapeArg)).toMatchObject({ ok: false });
    expect(b.resolveConfig(v, { guest: { EUEN: ['XYZ'] } }, shapeArg)).toMatchObject({
      ok: false,
      field: 'guest.EUEN[0]',
    });
    expect(b.resolveConfig(v, {}, shapeArg)).toMatchObject({
      ok: true,
      value: { has: { fp: true, lsx: true, lasx: true }, guestEuen: 7, auxLoad: false },
    });
  });

  it('widest takes fewer traps than kvm when the guest goes back to FP after LASX', () => {
    const events = [...lasxPut];
    for (let i = 0; i < 5; i++)
      events.push(
        '{"op":"sched-out","vcpu":0}',
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"use","vcpu":0,"unit":"fpu"}',
        '{"op":"use","vcpu":0,"unit":"lsx"}',
        '{"op":"use","vcpu":0,"unit":"lasx"}',
      );
    const traps = (policy: string) => {
      const t = runText(workloadText(shape, events), { backends: [loongarch()], policy }).report
        .traps;
      return Object.values(t).reduce((a, b) => a + b, 0);
    };
    expect(traps('kvm')).toBe(2 + 15);
    expect(traps('widest')).toBe(2 + 5);
  });
});
