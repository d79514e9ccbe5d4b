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
  SLICE_RETURN,
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
    if (code >= 0) used |= unitBit(code);
  }
  let N = closeMask(lattice, used);
  if (also !== undefined)
    for (let u = 0; u < also.length; u++)
      if (N & unitBit(u)) N = closeMask(lattice, N | (also[u] as number));

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
      } else if (L & unitBit(code)) {
        best = value[next + L] as number;
      } else {
        const need = lattice.closure[code] as number;
        best = Infinity;
        for (let G = N; ; G = (G - 1) & N) {
          if ((G & need) === need && (!trapEnablesAll || G === N) && whole(L, G, also)) {
            const v = c.trap + c.restore(G & ~L) + (value[next + (L | G)] as number);
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
      L = 0;
    } else if (!(L & unitBit(code))) {
      const need = lattice.closure[code] as number;
      for (let G = need; G <= N; G++) {
        if ((G & ~N) !== 0 || (G & need) !== need || (trapEnablesAll && G !== N)) continue;
        if (!whole(L, G, also)) continue;
        if (c.trap + c.restore(G & ~L) + (value[next + (L | G)] as number) === target) {
          plan[i] = G;
          L |= G;
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

  constructor(view: PolicyView) {
    this.view = view;
    this.costs = new SliceCosts(view.lattice, view.costs);
    this.codes = Array.from({ length: view.vcpus }, () => new Int32Array(0));
    this.plans = Array.from({ length: view.vcpus }, () => new Int32Array(0));
    this.length = new Int32Array(view.vcpus);
    this.pos = new Int32Array(view.vcpus);
    this.also = new Int32Array(view.lattice.units.length);
  }

  lookahead(vcpu: number, slice: SliceView): void {
    const n = slice.length;
    if ((this.codes[vcpu] as Int32Array).length < n) {
      this.codes[vcpu] = new Int32Array(n * 2);
      this.plans[vcpu] = new Int32Array(n * 2);
    }
    const codes = this.codes[vcpu] as Int32Array;
    codes.set(slice.codes.subarray(0, n));
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
  }

  /** The index of the next code equal to `code` not yet passed, or −1. */
  private find(vcpu: number, code: number): number {
    const codes = this.codes[vcpu] as Int32Array;
    const n = this.length[vcpu] as number;
    for (let i = this.pos[vcpu] as number; i < n; i++) if (codes[i] === code) return i;
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
    const p = this.planAt(vcpu, this.find(vcpu, unit));
    const own = this.view.lattice.closure[unit] as number;
    return p === NO_PLAN ? own : p | own;
  }
  /** The plan of the entry the vCPU is at (none at a re-entry after a trap: its grant decided). */
  preload(vcpu: number): number {
    const codes = this.codes[vcpu] as Int32Array;
    const n = this.length[vcpu] as number;
    let i = this.pos[vcpu] as number;
    // the host's kernel-mode FP before this entry has run by now
    while (i < n && codes[i] === SLICE_FLUSH) i++;
    this.pos[vcpu] = i;
    if (i >= n || codes[i] !== SLICE_ENTRY) return 0;
    const p = this.planAt(vcpu, i);
    return p === NO_PLAN ? 0 : p;
  }
  saveAtExit(vcpu: number): boolean {
    const i = this.findExit(vcpu);
    if (i >= 0) this.pos[vcpu] = i + 1;
    return this.planAt(vcpu, i) === 1;
  }
  used(vcpu: number, unit: number): void {
    const i = this.find(vcpu, unit);
    if (i >= 0) this.pos[vcpu] = i + 1;
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
