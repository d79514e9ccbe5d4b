/**
 * The dynamic program behind `clairvoyant` (docs/clairvoyant.md): the per-slice optimum over the
 * unit lattice under the slice cost model (slice-costs.ts): the state is the set of live units;
 * the decisions are the preload at each entry, the grant at each trap and the save at each exit.
 */
import { closeMask, type UnitLattice, unitBit } from '../units.js';
import { exitKeep, exitSave, putCost, returnCost, type SliceCosts } from './slice-costs.js';
import {
  SLICE_AVOID,
  SLICE_DROP,
  SLICE_ENTRY,
  SLICE_EXIT,
  SLICE_FLUSH,
  SLICE_KERNEL_FPU,
  SLICE_LOAD,
  SLICE_LOSE,
  SLICE_PREEMPTED,
  SLICE_RETURN,
  SLICE_UNIT,
  type SliceView,
} from './types.js';

export { SliceCosts } from './slice-costs.js';

/**
 * A load planned as `M` over live `L` is one the kernel does: core passes on the units of `M` in
 * `D` (those the guest has enabled there, and what a load reaches besides: Machine.preloadReach;
 * every unit for a trap's grant), and each unit loaded brings what it contains and what the
 * kernel loads along with it (`also`, by unit: within `D`, except the units in `always`, which
 * it loads along whatever the guest's enables); where one trap enables every unit (`bank`: the
 * slice's units, else 0), every load is of all of them. A plan the kernel would widen is that wider load
 * (same state after it, at more cost), one it would narrow is not a load it does: the dynamic
 * program only considers these.
 */
function whole(
  lattice: UnitLattice,
  also: Int32Array | undefined,
  L: number,
  M: number,
  D: number,
  bank: number,
  always: number,
): boolean {
  let m = M & D & ~L;
  // where one trap enables every unit, every load is of the whole bank
  if (bank !== 0) return (M & ~L) === 0 || (m !== 0 && (L | M) === bank);
  for (let grown = true; grown; ) {
    grown = false;
    for (let u = 0; u < lattice.units.length; u++) {
      if (!(m & ~L & unitBit(u))) continue;
      // what the kernel loads along only within D: read at the slice's start, it holds where
      // the guest's enables are as then (Loongson's LASX upper half needs Config.LASXEn), but
      // for `always` (LoongArch's LBT, owned by kvm_check_fcsr on FCSR0.TM alone)
      const along = also === undefined ? 0 : (also[u] as number) & (D | always);
      const more = ((lattice.closure[u] as number) | along) & ~(L | m);
      if (more !== 0) {
        m |= more;
        grown = true;
      }
    }
  }
  return (L | m) === (L | M);
}

/**
 * The whole load from nothing within `N` (passed on by core within `D`: see {@link whole}) that
 * costs least at an entry at row `next` (the smallest of a tie).
 */
function entryFrom0(
  value: Float64Array,
  next: number,
  N: number,
  D: number,
  c: SliceCosts,
  lattice: UnitLattice,
  also: Int32Array | undefined,
  bank: number,
  always: number,
): number {
  let best = Infinity;
  let arg = 0;
  for (let P = 0; P <= N; P++) {
    if ((P & ~N) !== 0 || !whole(lattice, also, 0, P, D, bank, always)) continue;
    const v = c.restore(P) + (value[next + P] as number);
    if (v < best) {
      best = v;
      arg = P;
    }
  }
  return arg;
}

/**
 * The units a load of `units` makes live: their closure, widened (to a fixed point) by what the
 * kernel loads along with each unit (`also`, by unit).
 */
export function loadWidth(
  lattice: UnitLattice,
  also: Int32Array | undefined,
  units: number,
): number {
  let m = closeMask(lattice, units);
  if (also === undefined) return m;
  for (let grown = true; grown; ) {
    grown = false;
    for (let u = 0; u < also.length; u++) {
      const more = m & unitBit(u) ? closeMask(lattice, m | (also[u] as number)) : m;
      if (more !== m) {
        m = more;
        grown = true;
      }
    }
  }
  return m;
}

/**
 * The units an entry's preload can be passed on for that contain a used unit it cannot be
 * (LoongArch EUEN.SXE without FPE: a preload of LSX is the way to the FPU's registers).
 */
function throughEntries(
  slice: SliceView,
  lattice: UnitLattice,
  enabled: Int32Array | undefined,
  used: number,
): number {
  let extra = 0;
  if (enabled === undefined) return 0;
  for (let i = 0; i < slice.length; i++) {
    const code = slice.codes[i] as number;
    if (code !== SLICE_ENTRY && !(code >= 0 && code & SLICE_PREEMPTED)) continue;
    const D = enabled[i] as number;
    if ((used & ~D) === 0) continue;
    for (let a = 0; a < lattice.units.length; a++)
      if (D & unitBit(a) && (lattice.closure[a] as number) & used & ~D) extra |= unitBit(a);
  }
  return extra;
}

/**
 * The units whose liveness avoids an exit of the slice ({@link SLICE_AVOID}: `enabled[i]`): units
 * the guest cannot run, which no load passes on for themselves (LoongArch: LBT in a VM without
 * it, which kvm_own_lbt reaches only through kvm_check_fcsr), only along with another.
 */
function avoiding(slice: SliceView, enabled: Int32Array | undefined): number {
  let avoid = 0;
  if (enabled === undefined) return 0;
  for (let i = 0; i < slice.length; i++)
    if (slice.codes[i] === SLICE_AVOID) avoid |= enabled[i] as number;
  return avoid;
}

/** The units a load of which makes one of `units` live along with it (`also`). */
function bringing(lattice: UnitLattice, also: Int32Array | undefined, units: number): number {
  let m = 0;
  if (units === 0 || also === undefined) return 0;
  for (let a = 0; a < lattice.units.length; a++) if ((also[a] as number) & units) m |= unitBit(a);
  return m;
}

/**
 * The code after an avoided exit's codes ({@link SLICE_AVOID} at `i`: its vcpu_put when
 * preempted, then its re-entry).
 */
function pastAvoid(codes: Int32Array, i: number, n: number): number {
  let j = i + 1;
  if (j < n && codes[j] === SLICE_FLUSH) j++;
  if (j < n && codes[j] === SLICE_ENTRY) j++;
  return j;
}

/** No decision recorded at a position (lazy behaviour). */
export const NO_PLAN = -1;

/**
 * Solves one slice: fills `plan[i]` with the decision at code i (entry: the preload set; a use
 * that traps: the grant set; exit: 1 to save, 0 not) and returns the optimal cost from `live0`.
 * `saveOnTie`: an exit whose save costs no more than keeping saves (the kernel saves at every
 * exit); otherwise it keeps. `value` is scratch of at least (length + 1) × (lattice.all + 1) entries.
 * `enabled`, by code: at an entry, the units a preload is passed on for (core masks it with
 * Machine.guestEnabled and Machine.preloadReach; see {@link whole}); absent, every unit. At a {@link SLICE_LOSE} it is the
 * condition: the units whose liveness makes the kernel save everything live; at a
 * {@link SLICE_AVOID}, the unit whose liveness avoids the exit (0: none does). `always`: the units
 * `also` names that the kernel loads along whatever the guest's enables (see {@link whole}).
 * `expect`, when given (room for length + 1): the live units the plan expects before each code,
 * among those the slice can make live, which it puts at `expect[length]`.
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
  enabled?: Int32Array,
  always = 0,
  expect?: Int32Array,
): number {
  const n = slice.length;
  const codes = slice.codes;
  // the units the slice uses, with what they contain and what the kernel loads along with them:
  // no other unit is worth making live
  let used = 0;
  for (let i = 0; i < n; i++) {
    const code = codes[i] as number;
    if (code >= 0) used |= unitBit(code & SLICE_UNIT);
    else if (code === SLICE_LOAD) used |= (enabled as Int32Array)[i] as number;
  }
  // and, at an entry that cannot be asked for a used unit, the units containing it it can be,
  // and the units whose liveness avoids an exit, with those that bring them along
  const avoid = avoiding(slice, enabled);
  const N = loadWidth(
    lattice,
    also,
    used | throughEntries(slice, lattice, enabled, used) | avoid | bringing(lattice, also, avoid),
  );
  // what a load passes on: every unit but those only loaded along (not used otherwise)
  const grantable = lattice.all & ~(avoid & ~used);

  const bank = trapEnablesAll ? N : 0;
  const S = lattice.all + 1;
  // states outside N are never reached from live0 ∩ N; live units outside N stay live untouched
  const base = live0 & ~N;
  // the save at vcpu_put (with its control writes), unless the workload ends first
  const end = slice.endsRun === true && !slice.truncated;
  for (let L = N; ; L = (L - 1) & N) {
    value[n * S + L] = end ? 0 : putCost(c, L | base);
    if (L === 0) break;
  }
  // the return's save asked for where the kernel's own (at vcpu_put) writes control registers
  const saveAtReturn = saveOnTie || c.exitLive + c.putLive > 0;
  for (let i = n - 1; i >= 0; i--) {
    const code = codes[i] as number;
    const row = i * S;
    const next = (i + 1) * S;
    // a use preempted after its trap: vcpu_put saves, then the re-entry's best load from nothing
    // an entry loads only what the guest has enabled there
    const D = (enabled === undefined ? lattice.all : (enabled[i] as number)) & grantable;
    const P0 =
      code >= 0 && code & SLICE_PREEMPTED
        ? entryFrom0(value, next, N, D, c, lattice, also, bank, always)
        : 0;
    const resume = c.entry(0) + c.restore(P0) + (value[next + P0] as number);
    for (let L = N; ; L = (L - 1) & N) {
      let best: number;
      if (code === SLICE_ENTRY) {
        best = Infinity;
        for (let P = N; ; P = (P - 1) & N) {
          if (whole(lattice, also, L, P, D, bank, always)) {
            const v = c.restore(P & ~L) + (value[next + (L | P)] as number);
            if (v < best) best = v;
          }
          if (P === 0) break;
        }
        best += c.entry(L | base);
      } else if (code === SLICE_AVOID) {
        // live, the unit's instruction runs: no trap, no re-entry; else the trap's own cycles
        best =
          L & ((enabled as Int32Array)[i] as number)
            ? (value[pastAvoid(codes, i, n) * S + L] as number)
            : c.handBack + (value[next + L] as number);
      } else if (code === SLICE_RETURN) {
        best = returnCost(c, L | base, saveAtReturn) + (value[next] as number);
      } else if (code === SLICE_FLUSH) {
        best = c.save(L | base) + (value[next] as number);
      } else if (code === SLICE_KERNEL_FPU) {
        // refused while anything is live; else the host task's state saved and restored
        best =
          (L | base) !== 0 ? (value[next + L] as number) : c.kernelFpu + (value[next] as number);
      } else if (code === SLICE_DROP) {
        best = value[next] as number;
      } else if (code === SLICE_LOAD) {
        const M = (enabled as Int32Array)[i] as number;
        best =
          L & M
            ? (value[next + L] as number)
            : c.restore(M) + c.writeLoad + (value[next + (L | M)] as number);
      } else if (code === SLICE_LOSE) {
        best =
          L & ((enabled as Int32Array)[i] as number)
            ? c.save(L | base) + (value[next] as number)
            : (value[next + L] as number);
      } else if (code === SLICE_EXIT) {
        best = Math.min(exitSave(c, L, base, value, next), exitKeep(c, L, base, value, next));
      } else if (L & unitBit(code & SLICE_UNIT)) {
        best = value[next + L] as number;
      } else {
        const need = lattice.closure[code & SLICE_UNIT] as number;
        const preempted = (code & SLICE_PREEMPTED) !== 0;
        best = Infinity;
        for (let G = N; ; G = (G - 1) & N) {
          const ok = (G & need) === need && (!trapEnablesAll || G === N);
          if (ok && whole(lattice, also, L, G, grantable, bank, always)) {
            const after = preempted
              ? putCost(c, L | G | base) + resume
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
  if (expect !== undefined) expect[n] = N;
  for (let i = 0; i < n; i++) {
    if (expect !== undefined) expect[i] = L;
    const code = codes[i] as number;
    if (code === SLICE_AVOID && L & ((enabled as Int32Array)[i] as number)) {
      // the exit avoided: none of its codes happen
      const j = pastAvoid(codes, i, n);
      for (; i < j; i++) {
        plan[i] = NO_PLAN;
        if (expect !== undefined) expect[i] = L;
      }
      i--;
      continue;
    }
    const next = (i + 1) * S;
    const target = value[i * S + L] as number;
    const D = (enabled === undefined ? lattice.all : (enabled[i] as number)) & grantable;
    plan[i] = NO_PLAN;
    if (code === SLICE_ENTRY) {
      const at = c.entry(L | base);
      for (let P = 0; P <= N; P++) {
        if ((P & ~N) !== 0 || !whole(lattice, also, L, P, D, bank, always)) continue;
        if (at + c.restore(P & ~L) + (value[next + (L | P)] as number) === target) {
          plan[i] = P;
          L |= P;
          break;
        }
      }
    } else if (code === SLICE_EXIT) {
      // a tie goes the kernel's way (its path is never dearer than a policy path's)
      const drop = exitSave(c, L, base, value, next);
      const keep = exitKeep(c, L, base, value, next);
      const save = saveOnTie ? drop <= keep : drop < keep;
      plan[i] = save ? 1 : 0;
      if (save) L = 0;
    } else if (code === SLICE_AVOID) {
      // the exit taken: the trap hands the exception back, nothing loads
    } else if (code === SLICE_DROP) {
      L = 0;
    } else if (code === SLICE_LOSE) {
      if (L & ((enabled as Int32Array)[i] as number)) L = 0;
    } else if (code === SLICE_LOAD) {
      if (!(L & ((enabled as Int32Array)[i] as number))) L |= (enabled as Int32Array)[i] as number;
    } else if (code === SLICE_KERNEL_FPU) {
      // refused while anything is live, nothing made live: the live state stays
    } else if (code === SLICE_RETURN || code === SLICE_FLUSH) {
      // the return saves whatever is asked; asking costs no more than the kernel's own save
      if (code === SLICE_RETURN) plan[i] = saveAtReturn ? 1 : 0;
      L = 0;
    } else if (!(L & unitBit(code & SLICE_UNIT))) {
      const need = lattice.closure[code & SLICE_UNIT] as number;
      // preempted after the trap: the re-entry's load, in the plan's bits 8 and up
      const P =
        code & SLICE_PREEMPTED ? entryFrom0(value, next, N, D, c, lattice, also, bank, always) : -1;
      for (let G = need; G <= N; G++) {
        if ((G & ~N) !== 0 || (G & need) !== need || (trapEnablesAll && G !== N)) continue;
        if (!whole(lattice, also, L, G, grantable, bank, always)) continue;
        const after =
          P >= 0
            ? putCost(c, L | G | base) + c.entry(0) + c.restore(P) + (value[next + P] as number)
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
