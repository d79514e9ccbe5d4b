/**
 * `clairvoyant`: the offline optimum of each vCPU slice (docs/clairvoyant.md). Before a slice
 * runs it sees the slice's events (the engine's bounded look-ahead) and solves a dynamic program
 * over the unit lattice: the state is the set of live units, the decisions are the preload set
 * at each entry, the grant set at each trap and the save at each exit, and the costs are the
 * run's cost table. It then replays the optimal decisions as the engine asks for them.
 */
import type { CostTable } from '../costs.js';
import { closeMask, type UnitLattice, unitBit } from '../units.js';
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

/** The slice cost model: what a load, a save and a trap of a set of units cost (cycles). */
export class SliceCosts {
  private readonly bytes: Float64Array;
  readonly trap: number;
  private readonly rFixed: number;
  private readonly rByte: number;
  private readonly sFixed: number;
  private readonly sByte: number;

  constructor(lattice: UnitLattice, costs: CostTable) {
    this.bytes = new Float64Array(lattice.all + 1);
    for (let m = 1; m <= lattice.all; m++) {
      let b = 0;
      lattice.units.forEach((u, i) => {
        if (m & unitBit(i)) b += u.partBytes;
      });
      this.bytes[m] = b;
    }
    this.trap = costs.trap.value;
    this.rFixed = costs.restore_fixed.value;
    this.rByte = costs.restore_per_byte.value;
    this.sFixed = costs.save_fixed.value;
    this.sByte = costs.save_per_byte.value;
  }
  restore(m: number): number {
    return m === 0 ? 0 : this.rFixed + this.rByte * (this.bytes[m] as number);
  }
  save(m: number): number {
    return m === 0 ? 0 : this.sFixed + this.sByte * (this.bytes[m] as number);
  }
}

/**
 * Loading `M` over live `L` is one the kernel does as asked: every unit it adds brings along what
 * the kernel loads with it (`also`, by unit). A load the kernel widens is the wider load (same
 * state after it, at more cost), so the dynamic program only considers these.
 */
function whole(L: number, M: number, also: Int32Array | undefined): boolean {
  if (also === undefined) return true;
  const added = M & ~L;
  const after = L | M;
  for (let u = 0; u < also.length; u++)
    if (added & unitBit(u) && ((also[u] as number) & ~after) !== 0) return false;
  return true;
}

/** The least cost from an entry at row `next` with nothing live (the vcpu_load after a preemption). */
function entryFrom0(
  value: Float64Array,
  next: number,
  N: number,
  c: SliceCosts,
  also: Int32Array | undefined,
): number {
  const P = bestEntryFrom0(value, next, N, c, also);
  return c.restore(P) + (value[next + P] as number);
}

/** The smallest load attaining {@link entryFrom0}. */
function bestEntryFrom0(
  value: Float64Array,
  next: number,
  N: number,
  c: SliceCosts,
  also: Int32Array | undefined,
): number {
  let best = Infinity;
  let arg = 0;
  for (let P = 0; P <= N; P++) {
    if ((P & ~N) !== 0 || !whole(0, P, also)) continue;
    const v = c.restore(P) + (value[next + P] as number);
    if (v < best) {
      best = v;
      arg = P;
    }
  }
  return arg;
}

/**
 * The slice as the guest runs it, into `out` (room for twice the codes): a use of a unit the guest
 * has not enabled (`enabled`, at the slice's start) is an exception inside the guest, no FP work;
 * preempted after its trap, it is vcpu_put (the host saves what is live) and a re-entry. Returns
 * how many codes.
 */
export function guestView(slice: SliceView, enabled: number, out: Int32Array): number {
  let k = 0;
  for (let i = 0; i < slice.length; i++) {
    const code = slice.codes[i] as number;
    if (code < 0 || enabled & unitBit(code & SLICE_UNIT)) out[k++] = code;
    else if (code & SLICE_PREEMPTED) {
      out[k++] = SLICE_FLUSH;
      out[k++] = SLICE_ENTRY;
    }
  }
  return k;
}

/** No decision recorded at a position (lazy behaviour). */
const NO_PLAN = -1;

/**
 * Solves one slice: fills `plan[i]` with the decision at code i (entry: the preload set; a use
 * that traps: the grant set; exit: 1 to save, 0 not) and returns the optimal cost from `live0`.
 * `saveOnTie`: an exit whose save costs no more than keeping saves (the kernel saves at every
 * exit); otherwise it keeps. `value` is scratch of at least (length + 1) × (lattice.all + 1) entries.
 */
export function solveSlice(
  slice: SliceView,
  lattice: UnitLattice,
  c: SliceCosts,
  trapEnablesAll: boolean,
  live0: number,
  value: Float64Array,
  plan: Int32Array,
  saveOnTie = false,
  also?: Int32Array,
): number {
  const n = slice.length;
  const codes = slice.codes;
  // the units the slice uses, with what they contain and what the kernel loads along with them:
  // no other unit is worth making live
  let used = 0;
  for (let i = 0; i < n; i++) {
    const code = codes[i] as number;
    if (code >= 0) used |= unitBit(code & SLICE_UNIT);
  }
  let N = closeMask(lattice, used);
  for (let grown = also !== undefined; grown; ) {
    grown = false;
    for (let u = 0; u < (also as Int32Array).length; u++) {
      const more = N & unitBit(u) ? closeMask(lattice, N | ((also as Int32Array)[u] as number)) : N;
      if (more !== N) {
        N = more;
        grown = true;
      }
    }
  }

  const S = lattice.all + 1;
  // states outside N are never reached from live0 ∩ N; live units outside N stay live untouched
  const base = live0 & ~N;
  // the save at vcpu_put, unless the workload ends first
  const end = slice.endsRun === true && !slice.truncated;
  for (let L = N; ; L = (L - 1) & N) {
    value[n * S + L] = end ? 0 : c.save(L | base);
    if (L === 0) break;
  }
  for (let i = n - 1; i >= 0; i--) {
    const code = codes[i] as number;
    const row = i * S;
    const next = (i + 1) * S;
    // a use preempted after its trap: vcpu_put saves, then the re-entry's best load from nothing
    const resume = code >= 0 && code & SLICE_PREEMPTED ? entryFrom0(value, next, N, c, also) : 0;
    for (let L = N; ; L = (L - 1) & N) {
      let best: number;
      if (code === SLICE_ENTRY) {
        best = Infinity;
        for (let P = N; ; P = (P - 1) & N) {
          if (whole(L, P, also)) {
            const v = c.restore(P & ~L) + (value[next + (L | P)] as number);
            if (v < best) best = v;
          }
          if (P === 0) break;
        }
      } else if (code === SLICE_RETURN || code === SLICE_FLUSH) {
        best = c.save(L | base) + (value[next] as number);
      } else if (code === SLICE_EXIT) {
        const keep = value[next + L] as number;
        const drop = c.save(L | base) + (value[next] as number);
        best = Math.min(drop, keep);
      } else if (L & unitBit(code & SLICE_UNIT)) {
        best = value[next + L] as number;
      } else {
        const need = lattice.closure[code & SLICE_UNIT] as number;
        const preempted = (code & SLICE_PREEMPTED) !== 0;
        best = Infinity;
        for (let G = N; ; G = (G - 1) & N) {
          if ((G & need) === need && (!trapEnablesAll || G === N) && whole(L, G, also)) {
            const after = preempted
              ? c.save(L | G | base) + resume
              : (value[next + (L | G)] as number);
            const v = c.trap + c.restore(G & ~L) + after;
            if (v < best) best = v;
          }
          if (G === 0) break;
        }
      }
      value[row + L] = best;
      if (L === 0) break;
    }
  }
  // forward: the decisions along the optimal path from live0
  let L = live0 & N;
  for (let i = 0; i < n; i++) {
    const code = codes[i] as number;
    const next = (i + 1) * S;
    const target = value[i * S + L] as number;
    plan[i] = NO_PLAN;
    if (code === SLICE_ENTRY) {
      for (let P = 0; P <= N; P++) {
        if ((P & ~N) !== 0 || !whole(L, P, also)) continue;
        if (c.restore(P & ~L) + (value[next + (L | P)] as number) === target) {
          plan[i] = P;
          L |= P;
          break;
        }
      }
    } else if (code === SLICE_EXIT) {
      // a tie goes the kernel's way (its path is never dearer than a policy path's)
      const drop = c.save(L | base) + (value[next] as number);
      const keep = value[next + L] as number;
      const save = saveOnTie ? drop <= keep : drop < keep;
      plan[i] = save ? 1 : 0;
      if (save) L = 0;
    } else if (code === SLICE_RETURN || code === SLICE_FLUSH) {
      // the return saves whatever is asked; asking the kernel's way costs no more
      if (code === SLICE_RETURN) plan[i] = saveOnTie ? 1 : 0;
      L = 0;
    } else if (!(L & unitBit(code & SLICE_UNIT))) {
      const need = lattice.closure[code & SLICE_UNIT] as number;
      // preempted after the trap: the re-entry's load, in the plan's bits 8 and up
      const P = code & SLICE_PREEMPTED ? bestEntryFrom0(value, next, N, c, also) : -1;
      for (let G = need; G <= N; G++) {
        if ((G & ~N) !== 0 || (G & need) !== need || (trapEnablesAll && G !== N)) continue;
        if (!whole(L, G, also)) continue;
        const after =
          P >= 0
            ? c.save(L | G | base) + c.restore(P) + (value[next + P] as number)
            : (value[next + (L | G)] as number);
        if (c.trap + c.restore(G & ~L) + after === target) {
          plan[i] = P >= 0 ? G | (P << 8) : G;
          L = P >= 0 ? P : L | G;
          break;
        }
      }
    }
  }
  return value[live0 & N] as number;
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
    const n = guestView(slice, this.view.guestEnabled(vcpu), codes);
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

  private planAt(vcpu: number, i: number): number {
    return i < 0 ? NO_PLAN : ((this.plans[vcpu] as Int32Array)[i] as number);
  }

  grant(vcpu: number, unit: number): number {
    const i = this.findUse(vcpu, unit);
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
