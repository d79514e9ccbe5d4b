/**
 * The slice cost model of `clairvoyant`'s dynamic program (docs/clairvoyant.md): what a load, a
 * save and a trap of a set of units cost under the run's cost table, with the control-register
 * writes of the kernel paths a plan chooses between, and the costs of vcpu_put and of exits.
 */
import type { ControlWrites } from '../contract/machine.js';
import type { CostTable } from '../costs.js';
import { type UnitLattice, unitBit } from '../units.js';

/** A machine's control writes where it declares none (`Machine.controlWrites`). */
export const NO_CONTROL_WRITES: ControlWrites = Object.freeze({
  load: 0,
  trap: 0,
  writeLoad: 0,
  entryLive: 0,
  entryIdle: 0,
  exitLive: 0,
  putLive: 0,
});

/**
 * The slice cost model: what a load, a save and a trap of a set of units cost (cycles), and the
 * control-register writes of the kernel paths the plan chooses between (`Machine.controlWrites`).
 */
export class SliceCosts {
  private readonly bytes: Float64Array;
  /** A trap's cycles, with its control writes beyond its load. */
  trap: number;
  /** A trap's own cycles: one whose handler hands the exception back and loads nothing. */
  readonly handBack: number;
  private readonly rFixed: number;
  private readonly rByte: number;
  private readonly sFixed: number;
  private readonly sByte: number;
  private readonly control: number;

  constructor(lattice: UnitLattice, costs: CostTable) {
    this.bytes = new Float64Array(lattice.all + 1);
    for (let m = 1; m <= lattice.all; m++) {
      let b = 0;
      lattice.units.forEach((u, i) => {
        if (m & unitBit(i)) b += u.partBytes;
      });
      this.bytes[m] = b;
    }
    this.handBack = costs.trap.value;
    this.trap = this.handBack;
    this.rFixed = costs.restore_fixed.value;
    this.rByte = costs.restore_per_byte.value;
    this.sFixed = costs.save_fixed.value;
    this.sByte = costs.save_per_byte.value;
    this.control = costs.control.value;
  }
  /** The cycles of the control-register writes that depend on the plan (see {@link ControlWrites}). */
  load = 0;
  writeLoad = 0;
  entryLive = 0;
  entryIdle = 0;
  exitLive = 0;
  putLive = 0;

  /**
   * Host kernel-mode FP with nothing of the guest live, where the kernel refuses it while the
   * guest's is (`SLICE_KERNEL_FPU`): the save and restore of `bytes` of the host task's state.
   */
  kernelFpu = 0;
  setKernelFpu(bytes: number): void {
    this.kernelFpu =
      bytes < 0 ? 0 : this.sFixed + this.sByte * bytes + this.rFixed + this.rByte * bytes;
  }

  /** The backend's control writes by path (`Machine.controlWrites`), priced at `control`. */
  setControl(w: ControlWrites): void {
    const c = this.control;
    this.load = w.load * c;
    this.trap = this.handBack + w.trap * c;
    this.writeLoad = w.writeLoad * c;
    this.entryLive = w.entryLive * c;
    this.entryIdle = w.entryIdle * c;
    this.exitLive = w.exitLive * c;
    this.putLive = w.putLive * c;
  }
  /** A load of `m` (none when 0): its bytes and the kernel's control writes. */
  restore(m: number): number {
    return m === 0 ? 0 : this.rFixed + this.rByte * (this.bytes[m] as number) + this.load;
  }
  /** An entry's control writes: with live state `L` (before its preload), or none live. */
  entry(L: number): number {
    return L === 0 ? this.entryIdle : this.entryLive;
  }
  save(m: number): number {
    return m === 0 ? 0 : this.sFixed + this.sByte * (this.bytes[m] as number);
  }
}

/** vcpu_put from live `L`: the kernel's save and its control writes. */
export function putCost(c: SliceCosts, L: number): number {
  return L === 0 ? 0 : c.save(L) + c.putLive;
}

/** An exit to userspace from live `L`: the save (asked, or the kernel's at vcpu_put). */
export function returnCost(c: SliceCosts, L: number, asked: boolean): number {
  return L === 0 ? 0 : asked ? c.save(L) : c.save(L) + c.exitLive + c.putLive;
}

/** A non-FP exit that saves: the save (at the exit: no control writes), then nothing live. */
export function exitSave(
  c: SliceCosts,
  L: number,
  base: number,
  value: Float64Array,
  next: number,
) {
  return c.save(L | base) + (value[next] as number);
}

/** A non-FP exit that keeps `L` live: the control writes of leaving the state live. */
export function exitKeep(
  c: SliceCosts,
  L: number,
  base: number,
  value: Float64Array,
  next: number,
) {
  return ((L | base) === 0 ? 0 : c.exitLive) + (value[next + L] as number);
}
