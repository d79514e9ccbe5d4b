/**
 * The slice as the guest runs it (docs/clairvoyant.md, "the slice model"): `clairvoyant` turns a
 * workload slice into the dynamic program's codes, following the guest's enables through the
 * slice's writes of enable and mode registers as the backend declares them
 * (`Machine.guestWriteEffect`).
 */
import { unitBit } from '../units.js';
import {
  type PolicyView,
  SLICE_AVOID,
  SLICE_DROP,
  SLICE_ENTRY,
  SLICE_FLUSH,
  SLICE_KERNEL_FPU,
  SLICE_LOAD,
  SLICE_LOSE,
  SLICE_PREEMPTED,
  SLICE_UNIT,
  SLICE_WRITE,
  type SliceView,
  WRITE_DROPS,
  WRITE_ENABLED,
  WRITE_EXITS,
  WRITE_LOADS,
  WRITE_LOSES_IF_SHIFT,
  WRITE_RETURNS,
  WRITE_USE_EXITS_SHIFT,
  WRITE_USE_UNIT_SHIFT,
  WRITE_USES,
} from './types.js';

/** Whether a load reaches `bit`: every unit where the backend names none (`preloadReach` 0). */
function reaches(reach: number, bit: number): boolean {
  return reach === 0 || (reach & bit) !== 0;
}

/** Scratch for {@link guestView}: the codes out, the enables at each, and the control registers. */
export class GuestViewScratch {
  codes = new Int32Array(0);
  enabled = new Int32Array(0);
  values = new Uint32Array(0);
  /** By slice write: the index of its first code out where it exits, or −1. */
  writeAt = new Int32Array(0);
  /** How many of the slice's writes `writeAt` covers. */
  writes = 0;

  /** Room for `n` codes out. */
  reserve(n: number, registers: number): void {
    if (this.codes.length < n) {
      this.codes = new Int32Array(n * 2);
      this.enabled = new Int32Array(n * 2);
    }
    if (this.values.length < registers) this.values = new Uint32Array(registers);
    if (this.writeAt.length < n) this.writeAt = new Int32Array(n);
  }
}

/**
 * The slice as the guest runs it, into `out` (room for five codes per code of `slice`), with
 * `out.enabled[i]` the units the guest has enabled at code i. A use of a unit the guest cannot run
 * there is an exception for the guest, no FP work: its own, or one that traps to the kernel first
 * (`exits`, by unit, read at the slice's start and after each write), which makes nothing live:
 * a {@link SLICE_AVOID} (its unit in `out.enabled` where the use runs instead while the unit is
 * live, `runsLive`; else 0) and a re-entry, preempted after that trap with vcpu_put (the host
 * saves what is live) between them. Where one trap enables every
 * unit and loads before the guest's own check (`disabledUseLoads`; ARMv7: the HCPTR trap loads
 * the bank before the guest's FPEXC.EN is looked at; not x86, XCR0's #UD first), it stays a use. A guest write of an enable or
 * mode register changes the enables from there on; where it exits to the kernel it is a
 * re-entry (an entry; the kernel's exit asks no policy), with a drop first where the kernel
 * discards the live state, a conditional save where it saves it (`at[k]`: the condition), a
 * conditional load where it loads, and a use where it is one. Returns how many codes.
 */
export function guestView(
  slice: SliceView,
  view: PolicyView,
  vcpu: number,
  exits: number,
  runsLive: number,
  out: GuestViewScratch,
): number {
  const first = view.guestEnabled(vcpu);
  let enabled = first;
  let traps = exits;
  const writes = slice.writes;
  const values = out.values;
  if (writes !== undefined)
    for (let i = 0; i < view.modeRegisters.length; i++) {
      const r = view.modeRegisters[i] as number;
      values[r] = view.guestRead(vcpu, r) >>> 0;
    }
  const codes = out.codes;
  const at = out.enabled;
  const all = view.disabledUseLoads;
  const reach = view.preloadReach(vcpu);
  const refused = view.kernelFpuUnusableWhileLive(vcpu) >= 0;
  let k = 0;
  out.writes = 0;
  for (let i = 0; i < slice.length; i++) {
    const code = slice.codes[i] as number;
    if (code <= SLICE_WRITE) {
      if (writes === undefined) continue;
      const w = SLICE_WRITE - code;
      const reg = writes.reg[w] as number;
      const old = values[reg] as number;
      values[reg] = ((old | (writes.set[w] as number)) & ~(writes.clear[w] as number)) >>> 0;
      const effect = view.guestWriteEffect(vcpu, reg, values, old);
      out.writeAt[w] = effect === -1 || !(effect & (WRITE_EXITS | WRITE_RETURNS)) ? -1 : k;
      out.writes = w + 1;
      if (effect === -1) continue;
      if (effect & WRITE_RETURNS) {
        // vcpu_put saves what is live; the guest's next instruction is KVM_RUN again, an entry
        at[k] = enabled;
        codes[k++] = SLICE_FLUSH;
        at[k] = enabled;
        codes[k++] = SLICE_ENTRY;
        continue;
      }
      enabled = effect & WRITE_ENABLED;
      traps = (effect >>> WRITE_USE_EXITS_SHIFT) & WRITE_ENABLED;
      if (effect & WRITE_EXITS) {
        if (effect & WRITE_DROPS) {
          at[k] = enabled;
          codes[k++] = SLICE_DROP;
        }
        const loses = (effect >>> WRITE_LOSES_IF_SHIFT) & 0xff;
        if (loses !== 0) {
          at[k] = loses;
          codes[k++] = SLICE_LOSE;
        }
        if (effect & WRITE_LOADS && enabled !== 0) {
          at[k] = enabled;
          codes[k++] = SLICE_LOAD;
        }
        const unit = (effect >>> WRITE_USE_UNIT_SHIFT) & 7;
        if (effect & WRITE_USES && enabled & unitBit(unit)) {
          at[k] = enabled;
          codes[k++] = unit;
        }
        at[k] = enabled;
        codes[k++] = SLICE_ENTRY;
      }
      continue;
    }
    // a kernel-fpu where kernel-mode FP is not modelled: nothing happens
    if (code === SLICE_FLUSH && view.kernelFpuIgnored) continue;
    const bit = code < 0 ? 0 : unitBit(code & SLICE_UNIT);
    // (only while the guest has enabled nothing: where it enables a bank all or nothing, ARMv7's
    // FPEXC.EN, a unit off while others are on is one the hardware lacks, D16's d16–d31, whose
    // use is Undefined before the HCPTR trap: arm32/guest-access.ts; with nothing enabled, it is
    // one outside the bank a load reaches, where the backend names it: preloadReach)
    if (
      code < 0 ||
      enabled & bit ||
      (all && enabled === 0 && !(traps & bit) && reaches(reach, bit))
    ) {
      at[k] = enabled;
      // host kernel-mode FP, where the kernel refuses it while the guest's state is live
      codes[k++] = code === SLICE_FLUSH && refused ? SLICE_KERNEL_FPU : code;
      // the use runs: what it does to the control registers (RISC-V: FS / VS Dirty)
      if (writes !== undefined && enabled & bit)
        view.guestUseEffect(vcpu, code & SLICE_UNIT, values);
      if (code >= 0 && code & SLICE_PREEMPTED) {
        // the instruction runs again after the re-entry (it traps again if its unit is not live)
        at[k] = enabled;
        codes[k++] = code & SLICE_UNIT;
      }
    } else if (traps & bit) {
      // the kernel hands the exception back and re-enters (an entry the policy is asked about);
      // preempted after that trap, vcpu_put saves first; none of it where the unit is live and
      // its use runs instead (LoongArch: LBT owned along with the FPU, kvm_check_fcsr)
      at[k] = bit & runsLive;
      codes[k++] = SLICE_AVOID;
      if (code & SLICE_PREEMPTED) {
        at[k] = enabled;
        codes[k++] = SLICE_FLUSH;
      }
      at[k] = enabled;
      codes[k++] = SLICE_ENTRY;
    }
  }
  // an entry's preload is passed on for what the guest has enabled there and what a load reaches
  // whatever the enables (preloadReach: RISC-V's vcpu_load); the units loaded along with those
  // (their contents, alsoLoads: arm64's whole-state load) the dynamic program adds (whole)
  for (let i = 0; i < k; i++) {
    const c = codes[i] as number;
    if (c === SLICE_ENTRY || (c >= 0 && c & SLICE_PREEMPTED)) at[i] = (at[i] as number) | reach;
  }
  return k;
}
