/**
 * The kernel's FP tracepoints, in order per vCPU, for scenarios whose counts are trusted (their
 * expect.json). Each list is derived by hand below from the kernel source, before the assertion:
 *
 * Where the kernel fires them (mainline arch/mips/kvm v5.7–v6.x; LS-mips zengyifei1993/
 * kernel_2k1000 mips.c @9fc00afa, trace.h @550f8a18):
 * - kvm_mips_handle_exit: trace_kvm_exit(vcpu, exccode) right after local_irq_enable(), before
 *   the switch and its ++*_exits: "[COP0/1 Unusable]" (ExcCode 11), "[MSA Disabled]" (21); LS-mips
 *   ExcCode 16 (LASX Disabled when GSCause.GSExcCode is 7) has no kvm_trace_symbol_exit_types
 *   entry, so it prints "[0x10]". Other exits (irq, mmio, GSFC, …) are not FP exits: not emitted.
 * - kvm_own_fpu: after __kvm_restore_fpu and aux_inuse |= FPU, "restore FPU" (else "enable FPU").
 * - kvm_own_msa: aux (FPU|MSA[|LASX]) == FPU → "restore MSA"; 0 → "restore FPU & MSA"; else
 *   "enable MSA". The LS-mips LASX tail fires nothing.
 * - LS kvm_own_lasx: MSA (or MSA|FPU) or FPU live → "restore LASX"; 0 → "restore FPU & MSA & LASX";
 *   LASX live → "enable LASX".
 * - kvm_lose_fpu (from kvm_vz_vcpu_put at every vcpu_put, and from the own routines / GSFC):
 *   LASX live → "save FPU & MSA & LASX"; MSA → "save FPU & MSA"; FPU → "save FPU"; nothing live →
 *   nothing.
 * - kvm_drop_fpu (GSFC Status.FR change): "discard LASX", "discard MSA", "discard FPU", each if
 *   live, in that order.
 */
import { readFileSync } from 'node:fs';
import { firedTracepoints } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { mipsVz } from '../src/index.js';

const dir = new URL('./scenarios/', import.meta.url);

/** The tracepoints of vCPU `vcpu`, as "event: detail", in the order the model fires them. */
function fired(text: string, policy: string, vcpu = 0): string[] {
  return firedTracepoints(mipsVz(), text, policy, vcpu);
}

function scenario(name: string): string {
  return readFileSync(new URL(`${name}.ndjson`, dir), 'utf8');
}

describe('mips-vz tracepoints (kvm policy)', () => {
  it('01-first-fp-use-fr1 (mainline): first use, put, first use on the other pCPU', () => {
    // use fpu w3: root CU1=0 (kvm_mips_build_vcpu_run) → CpU exit: [COP0/1 Unusable];
    //   kvm_trap_vz_handle_cop_unusable → kvm_own_fpu, FPU not live → restore FPU
    // use w30, exit irq, enter, reads: CU1 set, nothing; irq exits are not FP exits
    // put → kvm_vz_vcpu_put → kvm_lose_fpu, aux FPU → save FPU
    // load cpu1, enter, read 3: CU1 clear again → [COP0/1 Unusable], restore FPU
    expect(fired(scenario('01-first-fp-use-fr1'), 'kvm')).toEqual([
      'kvm_exit: COP0/1 Unusable',
      'kvm_aux: restore FPU',
      'kvm_aux: save FPU',
      'kvm_exit: COP0/1 Unusable',
      'kvm_aux: restore FPU',
    ]);
  });

  it('03-fpu-live-then-msa (mainline): MSA after FPU, mmio put, MSA from cold', () => {
    // fpu w4: [COP0/1 Unusable], kvm_own_fpu → restore FPU
    // msa r4: root Config5.MSAEn=0 → [MSA Disabled]; kvm_own_msa, aux == FPU → restore MSA
    //   (__kvm_restore_msa_upper)
    // msa writes, irq exit, fpu r20 / msa r4: all live, nothing
    // exit mmio: KVM_RUN returns, vcpu_put → kvm_lose_fpu, MSA live → save FPU & MSA
    // user-get / host-use: no kvm tracepoint (host side)
    // enter (new KVM_RUN), msa r20: [MSA Disabled]; kvm_own_msa, aux 0 → restore FPU & MSA
    expect(fired(scenario('03-fpu-live-then-msa'), 'kvm')).toEqual([
      'kvm_exit: COP0/1 Unusable',
      'kvm_aux: restore FPU',
      'kvm_exit: MSA Disabled',
      'kvm_aux: restore MSA',
      'kvm_aux: save FPU & MSA',
      'kvm_exit: MSA Disabled',
      'kvm_aux: restore FPU & MSA',
    ]);
  });

  it('36-lasx-drop-on-fr-change (loongson-3a4000): LASX cold, put, FR toggles drop', () => {
    // lasx w2: root Config.LASXEn=0 → ExcCode 16 / GSExcCode 7: [0x10]; kvm_own_lasx, aux 0 →
    //   restore FPU & MSA & LASX
    // irq, put → kvm_lose_fpu, LASX live → save FPU & MSA & LASX
    // load, enter, lasx r2: [0x10], aux 0 → restore FPU & MSA & LASX
    // guest clears Status.FR: GSFC (not an FP exit) → kvm_drop_fpu: discard LASX, discard MSA,
    //   discard FPU (CU1 unchanged: no kvm_lose_fpu)
    // lasx r2 with guest FR=0: the guest's own Reserved Instruction, no root exit
    // fpu r2: root CU1=0 after the drop → [COP0/1 Unusable]; kvm_own_fpu (aux 0, no lose) →
    //   restore FPU
    // guest sets FR: GSFC → kvm_drop_fpu: discard FPU
    // lasx r2: [0x10], aux 0 → restore FPU & MSA & LASX; lasx w / msa r: live, nothing
    expect(fired(scenario('36-lasx-drop-on-fr-change'), 'kvm')).toEqual([
      'kvm_exit: 0x10',
      'kvm_aux: restore FPU & MSA & LASX',
      'kvm_aux: save FPU & MSA & LASX',
      'kvm_exit: 0x10',
      'kvm_aux: restore FPU & MSA & LASX',
      'kvm_aux: discard LASX',
      'kvm_aux: discard MSA',
      'kvm_aux: discard FPU',
      'kvm_exit: COP0/1 Unusable',
      'kvm_aux: restore FPU',
      'kvm_aux: discard FPU',
      'kvm_exit: 0x10',
      'kvm_aux: restore FPU & MSA & LASX',
    ]);
  });
});

describe('mips-vz tracepoints under other policies, and without FP', () => {
  it('lazy-per-exit: its save at every exit is kvm_lose_fpu, which fires its kvm_aux', () => {
    // A policy path that calls a kernel routine fires that routine's tracepoints (policy-paths.ts).
    // 03 under lazy-per-exit: as under kvm until the first irq exit, where policySave runs
    // kvm_lose_fpu (MSA live) → save FPU & MSA; after re-entry fpu r20 traps again
    // ([COP0/1 Unusable], restore FPU) and msa r4 ([MSA Disabled], aux == FPU → restore MSA);
    // exit mmio: the policy's save (save FPU & MSA), then vcpu_put's kvm_lose_fpu finds nothing
    // live (no tracepoint); the new KVM_RUN's msa r20: [MSA Disabled], restore FPU & MSA
    expect(fired(scenario('03-fpu-live-then-msa'), 'lazy-per-exit')).toEqual([
      'kvm_exit: COP0/1 Unusable',
      'kvm_aux: restore FPU',
      'kvm_exit: MSA Disabled',
      'kvm_aux: restore MSA',
      'kvm_aux: save FPU & MSA',
      'kvm_exit: COP0/1 Unusable',
      'kvm_aux: restore FPU',
      'kvm_exit: MSA Disabled',
      'kvm_aux: restore MSA',
      'kvm_aux: save FPU & MSA',
      'kvm_exit: MSA Disabled',
      'kvm_aux: restore FPU & MSA',
    ]);
  });

  it('eager: the preload runs kvm_own_msa (restore FPU & MSA), so no FP exit is ever taken', () => {
    // 01 under eager (mainline: the widest unit is MSA): enter → policyLoad → kvm_own_msa, aux 0 →
    // restore FPU & MSA; the FPU uses find CU1 set; put → save FPU & MSA; the next entry preloads
    // again
    expect(fired(scenario('01-first-fp-use-fr1'), 'eager')).toEqual([
      'kvm_aux: restore FPU & MSA',
      'kvm_aux: save FPU & MSA',
      'kvm_aux: restore FPU & MSA',
    ]);
  });

  it('no FP use: no tracepoint at all', () => {
    const text = [
      '{"format":"vfpu-workload","version":1,"arch":"mips-vz","variant":"mainline","cpus":1,"vcpus":1}',
      '{"op":"load","vcpu":0,"cpu":0}',
      '{"op":"enter","vcpu":0}',
      '{"op":"exit","vcpu":0,"reason":"irq"}',
      '{"op":"enter","vcpu":0}',
      '{"op":"exit","vcpu":0,"reason":"mmio"}',
      '{"op":"enter","vcpu":0}',
      '{"op":"exit","vcpu":0,"reason":"hlt"}',
      '{"op":"put","vcpu":0}',
    ].join('\n');
    expect(fired(text, 'kvm')).toEqual([]);
  });
});
