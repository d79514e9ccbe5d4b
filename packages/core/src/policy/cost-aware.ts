/**
 * `cost-aware`: an online policy that weighs, per vCPU and unit, the chance the unit is used in
 * the coming slice against the variant's cost table. Preloading a unit costs its restore and its
 * save at vcpu_put whether or not it is used; leaving it to a trap costs, with probability p,
 * the trap on top of the same restore and save. So it preloads when
 *
 *     p × (trap + restore + save) > (restore + save) × margin / 100
 *
 * where p is an exponentially weighted mean of "used in the slice" over the vCPU's past slices
 * (weight `decay`% on the past). A trap grants the unit and every unit predicted for the slice.
 */
import { SliceCosts } from './slice-dp.js';
import type { PolicyDefinition, PolicyInstance, PolicyView } from './types.js';

class CostAware implements PolicyInstance {
  private readonly view: PolicyView;
  private readonly units: number;
  /** Per vCPU × unit: the estimated chance of use in the next slice. */
  private readonly chance: Float64Array;
  /** Per unit: the chance above which preloading it is cheaper than waiting for its trap. */
  private readonly breakEven: Float64Array;
  /** Per vCPU: units used in the current slice, and the units predicted for it. */
  private readonly sliceUsed: Uint32Array;
  private readonly predicted: Uint32Array;
  private readonly keep: number;

  constructor(view: PolicyView, p: Readonly<Record<string, number>>) {
    this.view = view;
    const lattice = view.lattice;
    this.units = lattice.units.length;
    this.keep = (p.decay as number) / 100;
    this.chance = new Float64Array(view.vcpus * this.units).fill((p.initial as number) / 100);
    const c = new SliceCosts(lattice, view.costs);
    const margin = (p.margin as number) / 100;
    this.breakEven = Float64Array.from(lattice.units, (_, i) => {
      // the unit's own part: what preloading it adds to the units nested inside it
      const rs = c.restore(1 << i) + c.save(1 << i);
      const lazy = c.trap + rs;
      return lazy === 0 ? 1 : (rs * margin) / lazy;
    });
    this.sliceUsed = new Uint32Array(view.vcpus);
    this.predicted = new Uint32Array(view.vcpus);
  }

  grant(vcpu: number, unit: number): number {
    const lattice = this.view.lattice;
    return (
      ((lattice.closure[unit] as number) | (this.predicted[vcpu] as number)) &
      this.reach(vcpu, unit)
    );
  }
  /** What a trap may grant: the unit's closure, and what the guest has enabled. */
  private reach(vcpu: number, unit: number): number {
    return (this.view.lattice.closure[unit] as number) | this.view.guestEnabled(vcpu);
  }
  preload(vcpu: number): number {
    return this.predicted[vcpu] as number;
  }
  saveAtExit(_vcpu: number): boolean {
    return false;
  }
  used(vcpu: number, unit: number): void {
    this.sliceUsed[vcpu] = (this.sliceUsed[vcpu] as number) | (1 << unit);
  }
  sliceBegin(vcpu: number): void {
    this.sliceUsed[vcpu] = 0;
    const lattice = this.view.lattice;
    let want = 0;
    const base = vcpu * this.units;
    for (let u = 0; u < this.units; u++)
      if ((this.chance[base + u] as number) > (this.breakEven[u] as number))
        want |= lattice.closure[u] as number;
    this.predicted[vcpu] = want;
  }
  sliceEnd(vcpu: number): void {
    // a unit counts as used when the guest executed it, or when a wider unit it is nested in was
    const lattice = this.view.lattice;
    let used = 0;
    const s = this.sliceUsed[vcpu] as number;
    for (let u = 0; u < this.units; u++) if (s & (1 << u)) used |= lattice.closure[u] as number;
    const base = vcpu * this.units;
    const k = this.keep;
    for (let u = 0; u < this.units; u++) {
      const x = used & (1 << u) ? 1 : 0;
      this.chance[base + u] = k * (this.chance[base + u] as number) + (1 - k) * x;
    }
  }
}

export const COST_AWARE: PolicyDefinition = {
  name: 'cost-aware',
  description:
    'per vCPU and unit, the chance of use in the next slice (a decaying mean over past slices); preloads a unit when chance × (trap + restore + save) exceeds restore + save, from the cost table; a trap grants the predicted units too',
  origin:
    "ski rental (rent = trap, buy = preload; Karlin et al. 1988), with a predictor in place of the break-even count: Linux 2006 fpu_counter (preload after 5 slices with use), arm64's SVE re-arm timeout (drop back to FPSIMD-only after unused slices; Brown, 2018 SVE series), seL4's FPU restore count (switch to eager after repeated restores)",
  params: {
    decay: {
      default: 50,
      min: 0,
      max: 99,
      description: 'weight (%) of the past in the chance of use (0: the last slice alone)',
    },
    margin: {
      default: 100,
      min: 1,
      max: 1000,
      description: 'preload when the expected trap saving exceeds margin% of the preload cost',
    },
    initial: {
      default: 100,
      min: 0,
      max: 100,
      description: 'chance of use (%) assumed before a vCPU has run a slice',
    },
  },
  create: (view, p) => new CostAware(view, p),
};
