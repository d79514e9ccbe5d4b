/**
 * What a timeline (e.g. `vfpu run --perfetto`) is told after each event: the event, what it cost
 * (deltas), and who runs where. The objects are reused: read them in the callback, do not keep them.
 */

import type { EngineState } from './engine/state.js';
import { Lifecycle } from './engine/state.js';
import type { WorkloadEvent } from './workload/event.js';
import { OPS } from './workload/event.js';

/** One event of a run as a timeline sees it: where it ran and what it cost (reused for every event). */
export interface TimelineStep {
  /** Workload line (0 for generated events) and the event's `ts` (seconds) or −1. */
  line: number;
  /** The event's `ts` in seconds, or −1 when it has none. */
  ts: number;
  /** Index of the event in the run (0-based). */
  index: number;
  /** The event's `op` (`use`, `exit`, `run`, …). */
  op: string;
  /** The event's vCPU, or −1 for a host event. */
  vcpu: number;
  /** The pCPU the event ran on (its own, or its vCPU's), or −1. */
  cpu: number;
  /** What the event cost: root FP traps, non-FP exits, save and restore routines, bytes moved. */
  traps: number;
  /** Non-FP exits the event caused. */
  exits: number;
  /** Save routine calls. */
  saves: number;
  /** Restore routine calls. */
  restores: number;
  /** Bytes saved and restored. */
  bytes: number;
}

/** Who runs where after an event: the callback's read-only view of the machine (`RunRequest.timeline`). */
export interface TimelineView {
  /** Number of pCPUs. */
  readonly cpus: number;
  /** Unit ids, in lattice order (bit i of a mask is unit i). */
  readonly units: readonly string[];
  /** The vCPU in guest mode on `cpu`, or −1. */
  guestOn(cpu: number): number;
  /** The vCPU loaded on `cpu` (in guest mode or not), or −1. */
  loadedOn(cpu: number): number;
  /** The name of the host thread current on `cpu`, or '' (idle). */
  threadOn(cpu: number): string;
  /** Units of the vCPU loaded on `cpu` live in the registers (a mask), 0 if none is loaded. */
  liveOn(cpu: number): number;
}

/** Fills a TimelineStep per event from the engine's running totals. */
export class TimelineProbe implements TimelineView {
  readonly step: TimelineStep = {
    line: 0,
    ts: -1,
    index: 0,
    op: '',
    vcpu: -1,
    cpu: -1,
    traps: 0,
    exits: 0,
    saves: 0,
    restores: 0,
    bytes: 0,
  };
  readonly cpus: number;
  readonly units: readonly string[];
  private readonly s: EngineState;
  private traps = 0;
  private exits = 0;
  private saves = 0;
  private restores = 0;
  private bytes = 0;

  constructor(s: EngineState) {
    this.s = s;
    this.cpus = s.cpus;
    this.units = s.lattice.units.map((u) => u.id);
  }

  /** After `ev` ran: what it cost and where. */
  observe(ev: WorkloadEvent): TimelineStep {
    const a = this.s.acct;
    const st = this.step;
    const bytes = a.bytesSaved + a.bytesRestored;
    st.line = ev.line;
    st.ts = ev.ts;
    st.index = this.s.events - 1;
    st.op = OPS[ev.op] as string;
    st.vcpu = ev.vcpu;
    // the pCPU the event's work was charged to (per-exit.ts), resolved before it ran
    const cpu = a.perCpu.current / 4; // an offset of four figures per pCPU
    st.cpu = cpu < this.cpus ? cpu : -1;
    st.traps = a.rootTrapCount - this.traps;
    st.exits = a.exitCount - this.exits;
    st.saves = a.saveCount - this.saves;
    st.restores = a.restoreCount - this.restores;
    st.bytes = bytes - this.bytes;
    this.traps = a.rootTrapCount;
    this.exits = a.exitCount;
    this.saves = a.saveCount;
    this.restores = a.restoreCount;
    this.bytes = bytes;
    return st;
  }

  guestOn(cpu: number): number {
    const v = this.s.cpuVcpu[cpu] as number;
    return v >= 0 && this.s.run[v] === Lifecycle.inGuest ? v : -1;
  }
  loadedOn(cpu: number): number {
    return this.s.cpuVcpu[cpu] as number;
  }
  threadOn(cpu: number): string {
    const t = this.s.cpuThread[cpu] as number;
    return t >= 0 ? this.s.contextName(t) : '';
  }
  liveOn(cpu: number): number {
    const v = this.s.cpuVcpu[cpu] as number;
    return v >= 0 ? this.s.machine.live(v) : 0;
  }
}
