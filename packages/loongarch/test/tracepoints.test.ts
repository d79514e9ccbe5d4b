/**
 * The kernel's FP tracepoints, in order per vCPU, for scenarios whose counts are trusted (their
 * expect.json). Each list is derived by hand below from the kernel source, before the assertion.
 *
 * Where the kernel fires them (arch/loongarch/kvm, v6.7 vcpu.c / trace.h; the KVM_REQ_AUX_LOAD
 * series keeps the same calls in the same routines):
 * - kvm_handle_exit: trace_kvm_exit(vcpu, ecode) after local_irq_enable, before kvm_handle_fault.
 *   kvm_trace_symbol_exit_types names only IDLE / CACHE (later CPUCFG / CSR), so the Ecode prints
 *   in __print_symbolic's hex: FPD "0xf", LSXD "0x10", LASXD "0x11", BTD "0x14".
 * - kvm_own_fpu: after kvm_restore_fpu and aux_inuse |= FPU: "restore FPU".
 * - kvm_own_lsx / kvm_own_lasx: after the restore, before aux_inuse |=: "restore LSX" /
 *   "restore LASX" (whatever part was restored).
 * - kvm_lose_fpu (from _kvm_vcpu_put at every vcpu_put): the widest live width, after the save
 *   and the aux_inuse update: "save LASX" / "save LSX" / "save FPU"; nothing when nothing is live.
 * - kvm_own_lbt / kvm_lose_lbt: no tracepoint. In the aux-load variant the own routine runs from
 *   kvm_late_check_requests, after the exit: the kvm_exit still comes first.
 */
import { readFileSync } from 'node:fs';
import { firedTracepoints } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { loongarch } from '../src/index.js';

const dir = new URL('./scenarios/', import.meta.url);

function fired(text: string, policy: string, vcpu = 0): string[] {
  return firedTracepoints(loongarch(), text, policy, vcpu);
}

function scenario(name: string): string {
  return readFileSync(new URL(`${name}.ndjson`, dir), 'utf8');
}

describe('loongarch tracepoints (kvm policy)', () => {
  it('03-l3-lsx-after-fp (gen-1): FP then LSX', () => {
    // fpu w1: EUEN.FPE clear → FPD: [0xf]; kvm_handle_fpu_disabled → kvm_own_fpu: restore FPU
    // lsx w2: LSXD: [0x10]; kvm_own_lsx, FPU live → _restore_lsx_upper: restore LSX
    // lsx r2, fpu r1: live, nothing (the workload ends with the vCPU loaded: no put)
    expect(fired(scenario('03-l3-lsx-after-fp'), 'kvm')).toEqual([
      'kvm_exit: 0xf',
      'kvm_aux: restore FPU',
      'kvm_exit: 0x10',
      'kvm_aux: restore LSX',
    ]);
  });

  it('08-l8-put-at-each-width (gen-1): a put at LASX, LSX, FP width and with nothing live', () => {
    // lasx w1: [0x11], kvm_own_lasx (cold: kvm_restore_lasx) → restore LASX; sched-out → vcpu_put
    //   → kvm_lose_fpu, LASX live → save LASX
    // lsx w1: [0x10], restore LSX; put → save LSX
    // fpu w1: [0xf], restore FPU; put → save FPU
    // a run with no use: put → kvm_lose_fpu, nothing live → no tracepoint
    // lasx r1: [0x11], restore LASX (no put follows)
    expect(fired(scenario('08-l8-put-at-each-width'), 'kvm')).toEqual([
      'kvm_exit: 0x11',
      'kvm_aux: restore LASX',
      'kvm_aux: save LASX',
      'kvm_exit: 0x10',
      'kvm_aux: restore LSX',
      'kvm_aux: save LSX',
      'kvm_exit: 0xf',
      'kvm_aux: restore FPU',
      'kvm_aux: save FPU',
      'kvm_exit: 0x11',
      'kvm_aux: restore LASX',
    ]);
  });

  it('12-aux-load-first-fp-use (aux-load): the exit, then the delayed own', () => {
    // fpu w1: [0xf]; kvm_handle_fpu_disabled only raises KVM_REQ_AUX_LOAD; before re-entry
    // kvm_late_check_requests → kvm_own_fpu → restore FPU
    expect(fired(scenario('12-aux-load-first-fp-use'), 'kvm')).toEqual([
      'kvm_exit: 0xf',
      'kvm_aux: restore FPU',
    ]);
  });

  it('20-lbt-first-use (gen-1): LBT exits are traced, its own / lose are not', () => {
    // lbt w0: BTD [0x14], kvm_own_lbt (no kvm_aux); sched-out: kvm_lose_fpu finds no FP width
    // live (no kvm_aux), kvm_lose_lbt (none); lbt r0: [0x14] again
    expect(fired(scenario('20-lbt-first-use'), 'kvm')).toEqual([
      'kvm_exit: 0x14',
      'kvm_exit: 0x14',
    ]);
  });
});

describe('loongarch tracepoints under other policies, and without FP', () => {
  it('widest: the trap owns LASX through kvm_own_lasx, which fires its kvm_aux', () => {
    // A policy path that calls a kernel routine fires that routine's tracepoints (policy-paths.ts).
    // 15 under widest: lasx w3: [0x11], restore LASX; put → save LASX;
    // fpu w1: [0xf], but the policy owns the widest width: kvm_own_lasx → restore LASX;
    // lsx w2 and lasx r3 are then live: nothing
    expect(fired(scenario('15-widest-policy-fp-trap'), 'widest')).toEqual([
      'kvm_exit: 0x11',
      'kvm_aux: restore LASX',
      'kvm_aux: save LASX',
      'kvm_exit: 0xf',
      'kvm_aux: restore LASX',
    ]);
  });

  it('no FP use: no tracepoint at all', () => {
    const text = [
      '{"format":"vfpu-workload","version":1,"arch":"loongarch","variant":"gen-1","cpus":1,"vcpus":1,"threads":[],"config":{}}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"exit","vcpu":0,"reason":"mmio"}',
      '{"op":"sched-out","vcpu":0}',
    ].join('\n');
    expect(fired(text, 'kvm')).toEqual([]);
  });
});
