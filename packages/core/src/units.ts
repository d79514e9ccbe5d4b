/**
 * Register units and the lattice they form.
 *
 * A backend declares its units in order; unit `i` is bit `1 << i` of a {@link UnitMask}.
 * A unit may be nested inside a wider one (MIPS: fpu ⊂ msa ⊂ lasx): `parent` names the
 * next wider unit. Each unit owns a *part* of the register file: the bytes it adds to the
 * units nested inside it (MSA owns the upper 64 bits of each vector, LASX the upper 128).
 */

/** Architecture-neutral unit classes a workload may use instead of a backend's unit ids. */
export const UNIT_CLASSES = ['scalar', 'vec128', 'vec256', 'vec512', 'matrix'] as const;
/** One architecture-neutral unit class (`scalar`, `vec128`, `vec256`, `vec512`, `matrix`). */
export type UnitClass = (typeof UNIT_CLASSES)[number];

/** A bit set of unit indices (bit i = the backend's unit i). */
export type UnitMask = number;

/** One register unit a variant declares (MIPS `fpu`, `msa`, `lasx`): its id, nesting and the part of the register file it owns. */
export interface UnitSpec {
  /** Identifier used in workloads and reports, e.g. `msa`. */
  readonly id: string;
  /** Human description, e.g. `MSA: 32 × 128-bit vectors (w0–w31)`. */
  readonly description: string;
  /** Id of the next wider unit that contains this one, if any. */
  readonly parent?: string;
  /** Bytes of the register file this unit adds to the units nested inside it. */
  readonly partBytes: number;
  /** Registers the unit exposes to `use … reg` (e.g. 32). */
  readonly registers: number;
  /** The neutral class (or classes: arm64 FPSIMD is both scalar FP and 128-bit SIMD) this unit implements exactly. */
  readonly class?: UnitClass | readonly UnitClass[];
}

/** A variant's units with their nesting resolved to masks (`buildLattice`). */
export interface UnitLattice {
  /** The units, in declaration (bit) order. */
  readonly units: readonly UnitSpec[];
  /** `closure[i]`: unit i together with every unit nested inside it. */
  readonly closure: readonly UnitMask[];
  /** Mask of all units. */
  readonly all: UnitMask;
  /** The index (bit number) of the unit with this id, or −1. */
  indexOf(id: string): number;
}

/** The mask holding only unit `index`. */
export function unitBit(index: number): UnitMask {
  return 1 << index;
}

/** Builds the lattice for a backend's unit list; throws on a malformed declaration. */
export function buildLattice(units: readonly UnitSpec[]): UnitLattice {
  if (units.length === 0 || units.length > 30) {
    throw new Error(`a backend declares 1 to 30 units, got ${units.length}`);
  }
  const index = new Map<string, number>();
  units.forEach((u, i) => {
    if (index.has(u.id)) throw new Error(`unit "${u.id}" declared twice`);
    index.set(u.id, i);
  });
  const closure: UnitMask[] = units.map((_, i) => unitBit(i));
  units.forEach((u, i) => {
    // walk up the parent chain: every ancestor contains unit i
    let parentId = u.parent;
    let guard = 0;
    while (parentId !== undefined) {
      const p = index.get(parentId);
      if (p === undefined) throw new Error(`unit "${u.id}": unknown parent "${parentId}"`);
      if (++guard > units.length) throw new Error(`unit "${u.id}": parent cycle`);
      closure[p] = (closure[p] as number) | unitBit(i);
      parentId = units[p]?.parent;
    }
  });
  return {
    units,
    closure,
    all: (1 << units.length) - 1,
    indexOf(id) {
      return index.get(id) ?? -1;
    },
  };
}

/** The widest units of a mask: those not nested inside another unit of the mask. */
export function widestUnits(lattice: UnitLattice, mask: UnitMask): UnitMask {
  let out = mask;
  for (let i = 0; i < lattice.units.length; i++) {
    if (mask & unitBit(i)) out &= ~(lattice.closure[i] as number) | unitBit(i);
  }
  return out;
}

/** Closure of a mask: the mask plus every unit nested inside one of its units. */
export function closeMask(lattice: UnitLattice, mask: UnitMask): UnitMask {
  let out = 0;
  for (let i = 0; i < lattice.units.length; i++) {
    if (mask & unitBit(i)) out |= lattice.closure[i] as number;
  }
  return out;
}

/** Unit ids of a mask, in declaration order, joined with `|` (for traces and messages). */
export function maskNames(lattice: UnitLattice, mask: UnitMask): string {
  const names: string[] = [];
  for (let i = 0; i < lattice.units.length; i++) {
    if (mask & unitBit(i)) names.push((lattice.units[i] as UnitSpec).id);
  }
  return names.length === 0 ? 'none' : names.join('|');
}
