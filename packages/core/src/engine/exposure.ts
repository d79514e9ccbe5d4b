/**
 * Exposure (the LazyFP window, CVE-2018-3665): which context's state each unit part of each pCPU
 * holds, and the events and bytes during which a vCPU runs with a unit trapped while its pCPU
 * holds another context's state. The report reads this object.
 */
import { unitBit } from '../units.js';
import { type EngineState, NONE } from './state.js';

export class Exposure {
  events = 0;
  bytes = 0;
  /** The part where the foreign state is another vCPU's (guest ↔ guest). */
  guestEvents = 0;
  guestBytes = 0;
  /** By pCPU × unit: the context whose state the part holds, or NONE. */
  private readonly owner: Int32Array;
  private readonly units: number;
  private readonly partBytes: Int32Array;

  private readonly s: EngineState;

  constructor(s: EngineState) {
    this.s = s;
    this.units = s.lattice.units.length;
    this.owner = new Int32Array(s.cpus * this.units).fill(NONE);
    this.partBytes = Int32Array.from(s.lattice.units, (u) => u.partBytes);
  }

  /** pCPU `cpu` now holds `ctx`'s state (null: nobody's) for the parts of `units`. */
  loaded(cpu: number, ctx: number | null, units: number): void {
    const n = this.units;
    const who = ctx ?? NONE;
    for (let u = 0; u < n; u++) if (units & unitBit(u)) this.owner[cpu * n + u] = who;
  }

  /** The running vCPU `v` executes on `cpu`: count the window if it is open. */
  check(v: number, cpu: number): void {
    // a unit the guest itself has disabled is not trapped by the hypervisor: its instructions
    // take the guest's own exception, and the guest cannot be running code that uses it
    const n = this.units;
    let foreign = 0;
    for (let u = 0; u < n; u++) {
      const o = this.owner[cpu * n + u] as number;
      if (o !== NONE && o !== v) foreign |= unitBit(u);
    }
    if (foreign === 0) return;
    const m = this.s.machine;
    const trapped = foreign & m.guestEnabled(v) & ~m.live(v);
    if (trapped === 0) return;
    let bytes = 0;
    let guestBytes = 0;
    for (let u = 0; u < n; u++) {
      if (!(trapped & unitBit(u))) continue;
      const b = this.partBytes[u] as number;
      bytes += b;
      if ((this.owner[cpu * n + u] as number) < this.s.vcpus) guestBytes += b;
    }
    if (bytes > 0) {
      this.events++;
      this.bytes += bytes;
    }
    if (guestBytes > 0) {
      this.guestEvents++;
      this.guestBytes += guestBytes;
    }
  }
}
