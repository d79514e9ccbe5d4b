/**
 * `Machine.guestWriteEffect` (write-effect.ts) against the kernel path it claims to mirror:
 * vz.c kvm_trap_vz_handle_gsfc. Each test asks the declaration what a guest mtc0 does in the
 * state a workload left, then runs that write and reads its `explain` lines: the routines the
 * kernel takes must be the ones the declaration announces.
 */
import { probeGuestWrite } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { mipsVz } from '../src/index.js';
import { ST0_CU1, ST0_FR } from '../src/regs.js';

const backend = mipsVz();
const RUN = '{"op":"run","vcpu":0,"cpu":0}';
const USE_MSA = '{"op":"use","vcpu":0,"unit":"msa"}';

/** The routine each explain line names (its first word). */
const routines = (path: readonly string[]) => path.map((l) => l.trim().split(/[\s(]/)[0]);

describe('mips-vz guestWriteEffect: kvm_trap_vz_handle_gsfc', () => {
  it('kvm_trap_vz_handle_gsfc: an FR change drops the live FPU/MSA state (kvm_drop_fpu), no save', () => {
    const r = probeGuestWrite(backend, {
      variant: 'mainline',
      events: [RUN, USE_MSA],
      reg: 'Status',
      value: (old) => old & ~ST0_FR,
    });
    expect(r.effect).toMatchObject({ exits: true, drops: true, losesIf: [], returns: false });
    const names = routines(r.path);
    expect(names).toContain('kvm_trap_vz_handle_gsfc');
    expect(names).toContain('kvm_drop_fpu');
    expect(names.filter((n) => n?.startsWith('__kvm_save'))).toEqual([]);
    expect(r.path.join('\n')).toContain('aux_inuse FPU → 0');
  });

  it('kvm_trap_vz_handle_gsfc: a CU1 change with FR=0 and MSA live saves everything live (kvm_lose_fpu)', () => {
    const r = probeGuestWrite(backend, {
      variant: 'mainline',
      config: { guest: { Status: [] } },
      events: [RUN, USE_MSA],
      reg: 'Status',
      value: (old) => old | ST0_CU1,
    });
    expect(r.effect).toMatchObject({ exits: true, drops: false, losesIf: ['msa'], returns: false });
    const names = routines(r.path);
    expect(names).toContain('kvm_trap_vz_handle_gsfc');
    expect(names).toContain('kvm_lose_fpu');
    expect(names).toContain('__kvm_save_msa');
    expect(names).not.toContain('kvm_drop_fpu');
  });

  it('kvm_trap_vz_handle_gsfc: a Status write that changes no GSFC field does not exit', () => {
    const r = probeGuestWrite(backend, {
      variant: 'mainline',
      events: [RUN, USE_MSA],
      reg: 'Status',
      value: (old) => old,
    });
    expect(r.effect).toMatchObject({ exits: false, drops: false, losesIf: [] });
    expect(routines(r.path)).not.toContain('kvm_trap_vz_handle_gsfc');
  });
});
