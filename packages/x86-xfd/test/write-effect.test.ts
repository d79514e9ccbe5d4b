/**
 * `Machine.guestWriteEffect` (write-effect.ts) against the kernel paths it claims to mirror:
 * handle_xsetbv → kvm_emulate_xsetbv → __kvm_set_xcr, 4.8 vmx.c handle_cr (CLTS →
 * handle_clts → vmx_fpu_activate), handle_wrmsr → vmx_set_msr for IA32_XFD. Each test asks the
 * declaration what a guest write does in the state a workload left, then runs that write and
 * reads its `explain` lines: the routines the kernel takes must be the ones it announces.
 */
import { probeGuestWrite } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { x86Xfd } from '../src/index.js';

const backend = x86Xfd();
const RUN = '{"op":"run","vcpu":0,"cpu":0}';
const CR0_TS = 1 << 3;
const XFEATURE_MASK_FP_SSE = 0x3;
const XFEATURE_XTILEDATA = 0x40000;

/** The explain lines, trimmed. */
const lines = (path: readonly string[]) => path.map((l) => l.trim());

describe('x86-xfd guestWriteEffect', () => {
  it('handle_xsetbv: XSETBV at CPL 0 exits, __kvm_set_xcr takes the value: the enables are its', () => {
    const r = probeGuestWrite(backend, {
      variant: 'kvm-6.16',
      events: [RUN],
      reg: 'XCR0',
      value: () => XFEATURE_MASK_FP_SSE,
    });
    expect(r.effect).toMatchObject({ exits: true, enabled: ['x87', 'sse'], loads: false });
    expect(r.kept).toBe(XFEATURE_MASK_FP_SSE);
    const path = lines(r.path);
    expect(path[0]).toMatch(/^handle_xsetbv → kvm_emulate_xsetbv/);
    expect(path.join('\n')).not.toContain('#GP');
  });

  it('__kvm_set_xcr: a value it refuses (no x87) is #GP, the old XCR0 and its enables kept', () => {
    const r = probeGuestWrite(backend, {
      variant: 'kvm-6.16',
      events: [RUN],
      reg: 'XCR0',
      value: (old) => old & ~1,
    });
    expect(r.kept).toBe((r.value | 1) >>> 0);
    expect(r.effect?.exits).toBe(true);
    expect(r.effect?.enabled).toContain('avx');
    expect(lines(r.path)).toContain('__kvm_set_xcr refuses it: #GP(0)');
  });

  it('handle_cr (4.8): a CLTS with the guest FPU inactive exits and loads it (handle_clts → vmx_fpu_activate)', () => {
    const r = probeGuestWrite(backend, {
      variant: 'kvm-lazy-cr0ts',
      events: [RUN],
      reg: 'CR0',
      value: (old) => old & ~CR0_TS,
    });
    expect(r.effect).toMatchObject({ exits: true, loads: true, drops: false, uses: null });
    const path = lines(r.path);
    expect(path[0]).toBe('handle_cr → handle_clts → vmx_fpu_activate');
    expect(path).toContain('kvm_load_guest_fpu');
  });

  it('handle_cr (4.8): setting TS with the guest FPU inactive exits and loads nothing', () => {
    const r = probeGuestWrite(backend, {
      variant: 'kvm-lazy-cr0ts',
      events: [RUN],
      reg: 'CR0',
      value: (old) => old | CR0_TS,
    });
    expect(r.effect).toMatchObject({ exits: true, loads: false });
    const path = lines(r.path);
    expect(path[0]).toMatch(/^handle_cr → kvm_set_cr0/);
    expect(path).not.toContain('kvm_load_guest_fpu');
  });

  it('handle_cr: in 6.16 CR0.TS is guest-owned, a CR0 write does not exit', () => {
    const r = probeGuestWrite(backend, {
      variant: 'kvm-6.16',
      events: [RUN],
      reg: 'CR0',
      value: (old) => old & ~CR0_TS,
    });
    expect(r.effect).toMatchObject({ exits: false, loads: false });
    expect(lines(r.path).some((l) => l.startsWith('handle_cr'))).toBe(false);
  });

  it('vmx_set_msr: the first non-zero IA32_XFD write exits, then the MSR is passed through', () => {
    const first = probeGuestWrite(backend, {
      variant: 'kvm-6.16',
      events: [RUN],
      reg: 'IA32_XFD',
      value: () => XFEATURE_XTILEDATA,
    });
    expect(first.effect).toMatchObject({ exits: true, loads: false, uses: null });
    const path = lines(first.path);
    expect(path[0]).toMatch(/^handle_wrmsr → kvm_set_msr_common/);
    expect(path.some((l) => l.startsWith('vmx_set_msr'))).toBe(true);
    const again = probeGuestWrite(backend, {
      variant: 'kvm-6.16',
      events: [RUN, `{"op":"guest-write","vcpu":0,"reg":"IA32_XFD","value":${XFEATURE_XTILEDATA}}`],
      reg: 'IA32_XFD',
      value: () => 0,
    });
    expect(again.effect).toMatchObject({ exits: false });
    expect(lines(again.path).some((l) => l.startsWith('handle_wrmsr'))).toBe(false);
  });
});
