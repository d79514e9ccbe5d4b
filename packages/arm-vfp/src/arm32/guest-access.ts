/**
 * What the hardware checks on each guest VFP/NEON access (ARMv7 with the Virtualization
 * Extensions): the guest's own FPEXC.EN, D16 without d16–d31 and NEON, the HCPTR trap to Hyp
 * with the HSR it reports.
 */
import type { AccessResult } from '@vfpu/core';
import { EXECUTES, NOT_EXECUTED, ROOT_TRAP, readU32 } from '@vfpu/core/backend-utils';
import { COND_AL, FPEXC_EN, HSR_CV, HSR_EC_CP_0_13, syndrome, VFP_FPEXC } from '../regs.js';
import type { Arm32, Vcpu } from './state.js';

/** The condition code a failing conditional instruction reports (NE, with Z set). */
const COND_NE = 0x1;

/** Units the guest has enabled itself: its FPEXC.EN (live in the registers, or in vfp_guest). */
export function guestEnabled(a: Arm32, vi: number): number {
  const v = a.vcpus[vi] as Vcpu;
  const fpexc = a.bankLive(vi) !== 0 ? a.fpexc(v.cpu) : readU32(v.vfp_guest, VFP_FPEXC);
  return fpexc & FPEXC_EN ? a.bank : 0;
}

/**
 * The hardware's checks for a guest VFP/NEON instruction: D16 has no d16–d31 and no NEON; with
 * TCP10/TCP11 set the access traps to Hyp (EC 0x07, its HSR latched in vcpu->arch.fault.hsr),
 * because KVM forced the hardware FPEXC.EN on; with the guest's bank loaded its own FPEXC.EN
 * decides (the guest kernel's lazy VFP). `control`: a VMSR of that register (FPEXC is
 * writable while FPEXC.EN = 0).
 */
export function guestAccess(
  a: Arm32,
  vi: number,
  unit: number,
  control: number | null,
  conditionFails: boolean,
): AccessResult {
  const t = a.t;
  const v = a.vcpus[vi] as Vcpu;
  if (v.pendingUndef) {
    v.pendingUndef = false;
    return guestUndef(a, 'UNDEF injected by KVM: the guest enters UND mode at its vector + 4');
  }
  if (v.pendingSkip) {
    v.pendingSkip = false;
    if (t.on) t.line(0, 'the instruction was skipped (PC advanced): it does not execute');
    return NOT_EXECUTED;
  }
  if (!a.o.d32 && unit !== a.unitVfp)
    return guestUndef(a, 'D16 hardware (MVFR0.A_SIMD = 1): no d16–d31, no Advanced SIMD');
  const enabled = control === a.fpexcReg || (a.fpexc(v.cpu) & FPEXC_EN) !== 0;
  if (a.bankLive(vi) !== 0) {
    if (!enabled) return guestUndef(a, "the guest's FPEXC.EN = 0: its own lazy VFP trap");
    if (conditionFails) {
      if (t.on) t.line(0, 'the condition fails: the instruction executes as a NOP');
      return NOT_EXECUTED;
    }
    return EXECUTES;
  }
  if (!a.switchesFpexc && !enabled) {
    // no CONFIG_VFPv3: the host FPEXC is left as it was; with EN = 0 the instruction is
    // UNDEFINED at guest PL1 before any Hyp trap
    return guestUndef(a, 'the host FPEXC.EN = 0 (not forced without CONFIG_VFPv3)');
  }
  // a VFP (coproc 0xA) or Advanced SIMD (TA = 1) instruction in ARM state (IL = 1)
  const cond = conditionFails ? COND_NE : COND_AL;
  v.hsr = syndrome(
    HSR_EC_CP_0_13,
    true,
    HSR_CV | (cond << 20) | (unit === a.unitNeon ? 1 << 5 : 0xa),
  );
  return ROOT_TRAP;
}

function guestUndef(a: Arm32, why: string): AccessResult {
  a.host.count(a.ids.guestUndef);
  if (a.t.on) a.t.line(0, `guest exception: Undefined Instruction (${why}); no exit`);
  return NOT_EXECUTED;
}
