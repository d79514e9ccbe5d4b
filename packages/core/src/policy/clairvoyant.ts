/**
 * `clairvoyant`: the offline optimum of each vCPU slice (docs/clairvoyant.md). Before a slice
 * runs it sees the slice's events (the engine's bounded look-ahead) and solves a dynamic program
 * over the unit lattice (slice-dp.ts): the state is the set of live units, the decisions are the
 * preload set at each entry, the grant set at each trap and the save at each exit, and the costs
 * are the run's cost table. It then replays the optimal decisions as the engine asks for them.
 */
import { unitBit } from '../units.js';
import { NO_PLAN, SliceCosts, solveSlice } from './slice-dp.js';
import {
  type PolicyDefinition,
  type PolicyInstance,
  type PolicyView,
  SLICE_ENTRY,
  SLICE_EXIT,
  SLICE_FLUSH,
  SLICE_PREEMPTED,
  SLICE_RETURN,
  SLICE_UNIT,
  type SliceView,
} from './types.js';

/**
 * The slice as the guest runs it, into `out` (room for twice the codes). A use of a unit the guest
 * cannot run (not in `enabled`, at the slice's start) is an exception for the guest, no FP work:
 * its own, or one that traps to the kernel first (`exits`, by unit), which makes nothing live;
 * preempted after that trap, it is vcpu_put (the host saves what is live) and a re-entry. Where
 * one trap enables every unit and the kernel is not known to take the exception first
 * (ARMv7: the HCPTR trap loads the bank before the guest's FPEXC.EN is looked at), it stays a use.
 * Returns how many codes.
 */
export function guestView(
  slice: SliceView,
  enabled: number,
  trapEnablesAll: boolean,
  exits: number,
  out: Int32Array,
): number {
  let k = 0;
  for (let i = 0; i < slice.length; i++) {
    const code = slice.codes[i] as number;
    const bit = code < 0 ? 0 : unitBit(code & SLICE_UNIT);
    if (code < 0 || enabled & bit || (trapEnablesAll && !(exits & bit))) out[k++] = code;
    else if (exits & bit && code & SLICE_PREEMPTED) {
      out[k++] = SLICE_FLUSH;
      out[k++] = SLICE_ENTRY;
    }
  }
  return k;
}

class Clairvoyant implements PolicyInstance {
  private readonly view: PolicyView;
  private readonly costs: SliceCosts;
  private value = new Float64Array(0);
  /** Per vCPU: the slice's codes, the plan, how many codes, and the next code not yet passed. */
  private readonly codes: Int32Array[];
  private readonly plans: Int32Array[];
  private readonly length: Int32Array;
  private readonly pos: Int32Array;
  /** By unit: what the kernel loads along with it, read at each slice's start. */
  private readonly also: Int32Array;
  /** Per vCPU: the load planned for the re-entry of a use preempted after its trap, or −1. */
  private readonly resume: Int32Array;

  constructor(view: PolicyView) {
    this.view = view;
    this.costs = new SliceCosts(view.lattice, view.costs);
    this.codes = Array.from({ length: view.vcpus }, () => new Int32Array(0));
    this.plans = Array.from({ length: view.vcpus }, () => new Int32Array(0));
    this.length = new Int32Array(view.vcpus);
    this.pos = new Int32Array(view.vcpus);
    this.also = new Int32Array(view.lattice.units.length);
    this.resume = new Int32Array(view.vcpus).fill(-1);
  }

  lookahead(vcpu: number, slice: SliceView): void {
    if ((this.codes[vcpu] as Int32Array).length < slice.length * 2) {
      this.codes[vcpu] = new Int32Array(slice.length * 4);
      this.plans[vcpu] = new Int32Array(slice.length * 4);
    }
    const codes = this.codes[vcpu] as Int32Array;
    const v = this.view;
    let exits = 0;
    for (let u = 0; u < this.also.length; u++) if (v.disabledUseExits(vcpu, u)) exits |= unitBit(u);
    const n = guestView(slice, v.guestEnabled(vcpu), v.trapEnablesAll, exits, codes);
    const S = this.view.lattice.all + 1;
    if (this.value.length < (n + 1) * S) this.value = new Float64Array((n + 1) * S * 2);
    const lattice = this.view.lattice;
    for (let u = 0; u < this.also.length; u++) this.also[u] = this.view.alsoLoads(vcpu, u);
    solveSlice(
      { codes, length: n, truncated: slice.truncated, endsRun: slice.endsRun === true },
      lattice,
      this.costs,
      this.view.trapEnablesAll,
      this.view.live(vcpu),
      this.value,
      this.plans[vcpu] as Int32Array,
      this.view.kernelPolicy === 'lazy-per-exit',
      this.also,
    );
    this.length[vcpu] = n;
    this.pos[vcpu] = 0;
    this.resume[vcpu] = -1;
  }

  /** The index of the next use of `unit` not yet passed, or −1. */
  private findUse(vcpu: number, unit: number): number {
    const codes = this.codes[vcpu] as Int32Array;
    const n = this.length[vcpu] as number;
    for (let i = this.pos[vcpu] as number; i < n; i++) {
      const c = codes[i] as number;
      if (c >= 0 && (c & SLICE_UNIT) === unit) return i;
    }
    return -1;
  }

  /** The index of the next exit (returning to userspace or not) not yet passed, or −1. */
  private findExit(vcpu: number): number {
    const codes = this.codes[vcpu] as Int32Array;
    const n = this.length[vcpu] as number;
    for (let i = this.pos[vcpu] as number; i < n; i++) {
      const c = codes[i] as number;
      if (c === SLICE_EXIT || c === SLICE_RETURN) return i;
    }
    return -1;
  }

  /** A trap of a use the guest has not enabled: its preemption is the next vcpu_put planned. */
  private toPut(vcpu: number): void {
    const codes = this.codes[vcpu] as Int32Array;
    const n = this.length[vcpu] as number;
    let j = this.pos[vcpu] as number;
    while (j < n && codes[j] === SLICE_ENTRY) j++;
    if (j < n && codes[j] === SLICE_FLUSH) this.pos[vcpu] = j;
  }

  private planAt(vcpu: number, i: number): number {
    return i < 0 ? NO_PLAN : ((this.plans[vcpu] as Int32Array)[i] as number);
  }

  grant(vcpu: number, unit: number): number {
    const i = this.findUse(vcpu, unit);
    if (i < 0) this.toPut(vcpu);
    const p = this.planAt(vcpu, i);
    const own = this.view.lattice.closure[unit] as number;
    if (p === NO_PLAN) return own;
    if (((this.codes[vcpu] as Int32Array)[i] as number) & SLICE_PREEMPTED)
      this.resume[vcpu] = p >> 8;
    return (p & SLICE_UNIT) | own;
  }
  /** The plan of the entry the vCPU is at (none at a re-entry after a trap: its grant decided). */
  preload(vcpu: number): number {
    const r = this.resume[vcpu] as number;
    if (r >= 0) return r;
    const codes = this.codes[vcpu] as Int32Array;
    const n = this.length[vcpu] as number;
    let i = this.pos[vcpu] as number;
    // the host's kernel-mode FP before this entry has run by now
    while (i < n && codes[i] === SLICE_FLUSH) i++;
    this.pos[vcpu] = i;
    if (i >= n) return 0;
    const code = codes[i] as number;
    const p = this.planAt(vcpu, i);
    if (p === NO_PLAN) return 0;
    return code === SLICE_ENTRY ? p : 0;
  }
  saveAtExit(vcpu: number): boolean {
    const i = this.findExit(vcpu);
    if (i >= 0) this.pos[vcpu] = i + 1;
    return this.planAt(vcpu, i) === 1;
  }
  used(vcpu: number, unit: number): void {
    const i = this.findUse(vcpu, unit);
    if (i >= 0) this.pos[vcpu] = i + 1;
    this.resume[vcpu] = -1;
  }
  sliceBegin(_vcpu: number): void {}
  sliceEnd(_vcpu: number): void {}
}

export const CLAIRVOYANT: PolicyDefinition = {
  name: 'clairvoyant',
  description:
    "the offline optimum of each vCPU slice: sees the slice's events before it runs and picks the preload at each entry, the grant at each trap and the save at each exit that minimise the slice's FP cycles under the cost table (a dynamic program over the unit lattice)",
  origin:
    "Belady's clairvoyant (OPT) replacement, as a per-slice dynamic program (vfpu docs/clairvoyant.md)",
  params: {},
  lookahead: 'slice',
  create: (view) => new Clairvoyant(view),
};
