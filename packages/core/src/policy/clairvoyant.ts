/**
 * `clairvoyant`: the offline optimum of each vCPU slice (docs/clairvoyant.md). Before a slice
 * runs it sees the slice's events (the engine's bounded look-ahead) and solves a dynamic program
 * over the unit lattice (slice-dp.ts): the state is the set of live units, the decisions are the
 * preload set at each entry, the grant set at each trap and the save at each exit, and the costs
 * are the run's cost table. It then replays the optimal decisions as the engine asks for them.
 */
import { unitBit } from '../units.js';
import { GuestViewScratch, guestView } from './guest-view.js';
import { NO_PLAN, SliceCosts, solveSlice } from './slice-dp.js';
import {
  type PolicyDefinition,
  type PolicyInstance,
  type PolicyView,
  SLICE_AVOID,
  SLICE_ENTRY,
  SLICE_EXIT,
  SLICE_FLUSH,
  SLICE_KERNEL_FPU,
  SLICE_LOAD,
  SLICE_PREEMPTED,
  SLICE_RETURN,
  SLICE_UNIT,
  type SliceView,
} from './types.js';

class Clairvoyant implements PolicyInstance {
  private readonly view: PolicyView;
  private readonly costs: SliceCosts;
  private value = new Float64Array(0);
  /** Per vCPU: the slice's codes (and enables), the plan, how many codes, and the next code not yet passed. */
  private readonly scratch: GuestViewScratch[];
  private readonly codes: Int32Array[];
  private readonly plans: Int32Array[];
  private readonly length: Int32Array;
  private readonly pos: Int32Array;
  /** Per vCPU, by unit: what the kernel loads along with it, as its plan was made. */
  private readonly alsoOf: Int32Array[];
  /** Per vCPU: its slice was truncated (bit 0), the workload ends in it (bit 1). */
  private readonly ends: Uint8Array;
  /** Per vCPU, by code: the live units its plan expects there (solveSlice's `expect`). */
  private readonly expect: Int32Array[];
  /** Per vCPU: the units its slice can make live (what `expect` compares). */
  private readonly liveable: Int32Array;
  /** Per vCPU: the slice's writes passed. */
  private readonly write: Int32Array;
  /** Per vCPU: the load planned for the re-entry of a use preempted after its trap, or −1. */
  private readonly resume: Int32Array;
  /** Per vCPU: 1 between vcpu_put (or the slice's look-ahead) and the next sliceBegin. */
  private readonly loading: Uint8Array;
  /** Per vCPU: the code of a use preempted after its trap whose instruction has not run yet, or −1. */
  private readonly retry: Int32Array;

  constructor(view: PolicyView) {
    this.view = view;
    this.costs = new SliceCosts(view.lattice, view.costs);
    this.scratch = Array.from({ length: view.vcpus }, () => new GuestViewScratch());
    this.codes = Array.from({ length: view.vcpus }, () => new Int32Array(0));
    this.plans = Array.from({ length: view.vcpus }, () => new Int32Array(0));
    this.length = new Int32Array(view.vcpus);
    this.pos = new Int32Array(view.vcpus);
    this.alsoOf = Array.from(
      { length: view.vcpus },
      () => new Int32Array(view.lattice.units.length),
    );
    this.ends = new Uint8Array(view.vcpus);
    this.expect = Array.from({ length: view.vcpus }, () => new Int32Array(0));
    this.liveable = new Int32Array(view.vcpus);
    this.resume = new Int32Array(view.vcpus).fill(-1);
    this.retry = new Int32Array(view.vcpus).fill(-1);
    this.loading = new Uint8Array(view.vcpus).fill(1);
    this.write = new Int32Array(view.vcpus);
  }

  lookahead(vcpu: number, slice: SliceView): void {
    const scratch = this.scratch[vcpu] as GuestViewScratch;
    const v = this.view;
    scratch.reserve(slice.length * 5, v.controlRegisters);
    if ((this.plans[vcpu] as Int32Array).length < scratch.codes.length) {
      this.plans[vcpu] = new Int32Array(scratch.codes.length);
      this.expect[vcpu] = new Int32Array(scratch.codes.length + 1);
    }
    const codes = scratch.codes;
    this.codes[vcpu] = codes;
    let exits = 0;
    const units = v.lattice.units.length;
    for (let u = 0; u < units; u++) if (v.disabledUseExits(vcpu, u)) exits |= unitBit(u);
    this.costs.setControl(v.controlWrites(vcpu));
    this.costs.setKernelFpu(v.kernelFpuUnusableWhileLive(vcpu));
    const n = guestView(slice, v, vcpu, exits, v.disabledUseRunsLive(vcpu), scratch);
    const S = this.view.lattice.all + 1;
    if (this.value.length < (n + 1) * S) this.value = new Float64Array((n + 1) * S * 2);
    this.ends[vcpu] = (slice.truncated ? 1 : 0) | (slice.endsRun === true ? 2 : 0);
    this.length[vcpu] = n;
    this.solveFrom(vcpu, 0);
    this.pos[vcpu] = 0;
    this.write[vcpu] = 0;
    this.resume[vcpu] = -1;
    this.retry[vcpu] = -1;
    this.loading[vcpu] = 1;
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
    if (j < n && codes[j] === SLICE_FLUSH) this.pos[vcpu] = j + 1;
  }

  /**
   * A use the guest has not enabled that the kernel takes first: the position after the next
   * such use's code ({@link SLICE_AVOID}), the entry of its re-entry (past its vcpu_put when
   * preempted) if it trapped, past that entry too if it ran (`ran`: its unit was live).
   */
  private pastAvoid(vcpu: number, ran: boolean): void {
    const codes = this.codes[vcpu] as Int32Array;
    const n = this.length[vcpu] as number;
    let i = this.pos[vcpu] as number;
    while (i < n && codes[i] !== SLICE_AVOID) i++;
    if (i >= n) return;
    i++;
    if (i < n && codes[i] === SLICE_FLUSH) i++;
    if (ran && i < n && codes[i] === SLICE_ENTRY) i++;
    this.pos[vcpu] = i;
  }

  /**
   * The plan of the vCPU's slice from code `from` on, from what is live now and what the kernel
   * loads along with each unit now (read again: LoongArch's kvm_check_fcsr follows the saved
   * FCSR0.TM, which a guest write of FCSR0 inside the slice changes at the next save).
   */
  private solveFrom(vcpu: number, from: number): void {
    const v = this.view;
    const also = this.alsoOf[vcpu] as Int32Array;
    for (let u = 0; u < also.length; u++) also[u] = v.alsoLoads(vcpu, u);
    const scratch = this.scratch[vcpu] as GuestViewScratch;
    const n = this.length[vcpu] as number;
    const ends = this.ends[vcpu] as number;
    solveSlice(
      {
        codes: scratch.codes.subarray(from, n),
        length: n - from,
        truncated: (ends & 1) !== 0,
        endsRun: (ends & 2) !== 0,
      },
      v.lattice,
      this.costs,
      v.trapEnablesAll,
      v.live(vcpu),
      this.value,
      (this.plans[vcpu] as Int32Array).subarray(from),
      v.kernelPolicy === 'lazy-per-exit',
      also,
      scratch.enabled.subarray(from, n),
      v.alsoLoadsAlways(vcpu),
      (this.expect[vcpu] as Int32Array).subarray(from),
    );
    this.liveable[vcpu] = (this.expect[vcpu] as Int32Array)[n] as number;
  }

  /**
   * Whether the plan no longer holds at code `i`: what the kernel loads along with some unit
   * changed since it was made, or the machine has other units live than it expected there
   * (MIPS kvm_own_msa restores the FPU's registers but copies the guest's CU1 into root's, so
   * with the guest's CU1 clear the FPU is not live after a load of MSA).
   */
  private stale(vcpu: number, i: number): boolean {
    const live = this.view.live(vcpu) & (this.liveable[vcpu] as number);
    return live !== ((this.expect[vcpu] as Int32Array)[i] as number) || this.alsoChanged(vcpu);
  }

  /** Whether what the kernel loads along with some unit changed since the plan was made. */
  private alsoChanged(vcpu: number): boolean {
    const also = this.alsoOf[vcpu] as Int32Array;
    for (let u = 0; u < also.length; u++) if (this.view.alsoLoads(vcpu, u) !== also[u]) return true;
    return false;
  }

  private planAt(vcpu: number, i: number): number {
    return i < 0 ? NO_PLAN : ((this.plans[vcpu] as Int32Array)[i] as number);
  }

  grant(vcpu: number, unit: number): number {
    const own = this.view.lattice.closure[unit] as number;
    // a use the guest has not enabled that the kernel takes first is no use in the plan (not a
    // later use of the unit, after a write enables it)
    if (this.handedBack(vcpu, unit)) {
      // preempted, the vcpu_put (its SLICE_FLUSH) comes before the re-entry's load is asked for
      this.pastAvoid(vcpu, false);
      return own;
    }
    let i = this.findUse(vcpu, unit);
    if (i < 0) this.toPut(vcpu);
    // the instruction again after its preemption: the use after the re-entry
    if (i >= 0 && i === this.retry[vcpu]) i++;
    const p = this.planAt(vcpu, i);
    const preempted = i >= 0 && ((this.codes[vcpu] as Int32Array)[i] as number) & SLICE_PREEMPTED;
    if (preempted) this.retry[vcpu] = i;
    if (p === NO_PLAN) return own;
    if (preempted) this.resume[vcpu] = p >> 8;
    return (p & SLICE_UNIT) | own;
  }
  /** The plan of the entry the vCPU is at (none at a re-entry after a trap: its grant decided). */
  preload(vcpu: number): number {
    const r = this.resume[vcpu] as number;
    if (r >= 0) return r;
    const codes = this.codes[vcpu] as Int32Array;
    const n = this.length[vcpu] as number;
    let i = this.pos[vcpu] as number;
    // the host's kernel-mode FP before this entry, or the kernel's drop, save or load at a guest
    // write's exit, has run by now (codes SLICE_FLUSH … SLICE_LOAD)
    // at vcpu_load (before sliceBegin: x86 6.16 loads at KVM_RUN's start, RISC-V at vcpu_load)
    // the host's kernel-mode FP before the entry has not run yet and would flush a load now
    if (this.loading[vcpu] === 1 && i < n && codes[i] === SLICE_FLUSH) return 0;
    while (
      i < n &&
      (((codes[i] as number) <= SLICE_FLUSH && (codes[i] as number) >= SLICE_LOAD) ||
        codes[i] === SLICE_KERNEL_FPU)
    )
      i++;
    this.pos[vcpu] = i;
    if (i >= n || codes[i] !== SLICE_ENTRY) return 0;
    // the machine is not where the plan expected (a save took a guest write the plan could not
    // read, or a load made live other units than the model's): plan the rest from this entry
    if (this.stale(vcpu, i)) this.solveFrom(vcpu, i);
    const p = this.planAt(vcpu, i);
    return p === NO_PLAN ? 0 : p;
  }
  saveAtExit(vcpu: number): boolean {
    const i = this.findExit(vcpu);
    if (i >= 0) this.pos[vcpu] = i + 1;
    return this.planAt(vcpu, i) === 1;
  }
  /** A guest write: its re-entry, if it exits, is the next entry asked about. */
  guestWrote(vcpu: number): void {
    const w = this.write[vcpu] as number;
    this.write[vcpu] = w + 1;
    const scratch = this.scratch[vcpu] as GuestViewScratch;
    const at = w < scratch.writes ? (scratch.writeAt[w] as number) : -1;
    if (at > (this.pos[vcpu] as number)) this.pos[vcpu] = at;
  }
  /** A use of `unit` the guest has not enabled that the kernel takes first (if not live). */
  private handedBack(vcpu: number, unit: number): boolean {
    const v = this.view;
    return !(v.guestEnabled(vcpu) & unitBit(unit)) && v.disabledUseExits(vcpu, unit);
  }
  used(vcpu: number, unit: number): void {
    this.resume[vcpu] = -1;
    this.retry[vcpu] = -1;
    // such a use that ran: its unit was live, its exit avoided
    if (this.handedBack(vcpu, unit)) {
      this.pastAvoid(vcpu, true);
      return;
    }
    const i = this.findUse(vcpu, unit);
    // a preempted use's code is followed by its run after the re-entry: past both
    if (i >= 0)
      this.pos[vcpu] =
        i + (((this.codes[vcpu] as Int32Array)[i] as number) & SLICE_PREEMPTED ? 2 : 1);
  }
  sliceBegin(vcpu: number): void {
    this.loading[vcpu] = 0;
  }
  sliceEnd(vcpu: number): void {
    this.loading[vcpu] = 1;
  }
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
