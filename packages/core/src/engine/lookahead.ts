/**
 * The bounded look-ahead of a policy that asks for it (`PolicyDefinition.lookahead: 'slice'`):
 * events are held in a ring of reused records from a vCPU's slice opening (`load`, or `run` of a
 * vCPU not loaded, or `enter` of one whose KVM_RUN returned to userspace) until the workload closes that slice (`put`, `sched-out`, or an op that makes
 * KVM_RUN return: `user-get`, `user-set`, a vCPU's `syscall`); then the policy is shown the slice
 * and the held events run in order. Memory is the longest slice's window (at most `window`
 * events; a longer slice is shown truncated), never the trace. Policies without look-ahead never
 * reach this file.
 */

import { EXIT_REASONS, EXITS_TO_USERSPACE } from '../backend-utils/exit-table.js';
import type { VariantSpec } from '../contract/backend.js';
import {
  type PolicyInstance,
  SLICE_ENTRY,
  SLICE_EXIT,
  SLICE_FLUSH,
  SLICE_PREEMPTED,
  SLICE_RETURN,
  SLICE_WRITE,
  type SliceView,
  type SliceWrites,
} from '../policy/types.js';
import type { UnitLattice } from '../units.js';
import { Op, WorkloadEvent } from '../workload/event.js';

/** A slice's guest writes of enable and mode registers (grown, never shrunk). */
class WriteRecord implements SliceWrites {
  reg = new Int32Array(8);
  set = new Int32Array(8);
  clear = new Int32Array(8);
  length = 0;

  add(reg: number, set: number, clear: number): number {
    if (this.length === this.reg.length) {
      const n = this.length * 2;
      this.reg = grow(this.reg, n);
      this.set = grow(this.set, n);
      this.clear = grow(this.clear, n);
    }
    this.reg[this.length] = reg;
    this.set[this.length] = set;
    this.clear[this.length] = clear;
    return this.length++;
  }
}

function grow(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/** One vCPU slice being recorded or waiting to be shown. */
class SliceRecord implements SliceView {
  codes = new Int32Array(64);
  writes = new WriteRecord();
  length = 0;
  truncated = false;
  endsRun = false;
  vcpu = -1;
  closed = false;

  /** A guest entry (`run` of a vCPU in the guest enters nothing: one entry, not two). */
  entry(max: number): void {
    if (this.length === 0 || this.codes[this.length - 1] !== SLICE_ENTRY)
      this.add(SLICE_ENTRY, max);
  }

  /** The vCPU is in the guest at the slice's end so far (after an entry or a guest use). */
  inGuest(): boolean {
    const last = this.length > 0 ? (this.codes[this.length - 1] as number) : SLICE_EXIT;
    return last === SLICE_ENTRY || last >= 0 || last <= SLICE_WRITE;
  }

  add(code: number, max: number): void {
    if (this.length >= max) {
      this.truncated = true;
      return;
    }
    if (this.length === this.codes.length) this.codes = grow(this.codes, this.codes.length * 2);
    this.codes[this.length++] = code;
  }
}

/**
 * The control registers a guest write of which is no unit's instruction (enable and mode
 * registers: no `unit`, or no `slice` in the register file), by id: what `SliceWrites` records.
 */
export function modeRegisters(variant: VariantSpec): Int32Array {
  const ids: number[] = [];
  variant.controlRegisters.forEach((r, i) => {
    if (r.unit === undefined || !r.slice) ids.push(i);
  });
  return Int32Array.from(ids);
}

/** The default window: events held at most (a slice longer than this is shown truncated). */
export const LOOKAHEAD_WINDOW = 1 << 16;

export class SliceLookahead {
  private ring: WorkloadEvent[] = [];
  /** By ring slot: the slice the event opens, or null. */
  private ringSlice: (SliceRecord | null)[] = [];
  /** By ring slot: the event's input text, kept only for `explain`. */
  private ringText: string[] = [];
  private head = 0;
  private count = 0;
  private readonly open: (SliceRecord | null)[];
  /** By vCPU: the pCPU of its open slice. */
  private readonly cpuOf: Int32Array;
  private readonly free: SliceRecord[] = [];
  /** By control-register id: the unit a guest write of it is an instruction of, or −1. */
  private readonly controlUnit: Int32Array;
  /** By exit-reason id: its handler returns KVM_RUN to userspace (as validity.ts has it). */
  private readonly returns: Uint8Array;
  private readonly policy: PolicyInstance;
  private readonly run: (ev: WorkloadEvent, text: string) => void;
  private readonly window: number;

  constructor(
    vcpus: number,
    variant: VariantSpec,
    lattice: UnitLattice,
    policy: PolicyInstance,
    run: (ev: WorkloadEvent, text: string) => void,
    window = LOOKAHEAD_WINDOW,
  ) {
    this.policy = policy;
    this.run = run;
    this.window = window;
    this.open = new Array<SliceRecord | null>(vcpus).fill(null);
    this.cpuOf = new Int32Array(vcpus).fill(-1);
    this.returns = Uint8Array.from([
      ...EXIT_REASONS.map((r) => (EXITS_TO_USERSPACE.includes(r) ? 1 : 0)),
      ...(variant.exitReasons ?? []).map((r) => (r.toUserspace ? 1 : 0)),
    ]);
    this.controlUnit = Int32Array.from(variant.controlRegisters, (r) =>
      r.unit === undefined || !r.slice ? -1 : lattice.indexOf(r.unit),
    );
  }

  /**
   * Takes one event (copied: the caller's record is reused) and its text (for `explain`; else
   * ''), then runs every event now ready.
   */
  push(ev: WorkloadEvent, text: string): void {
    if (this.count === this.ring.length) this.grow();
    const slot = (this.head + this.count) % this.ring.length;
    (this.ring[slot] as WorkloadEvent).copyFrom(ev);
    this.ringText[slot] = text;
    this.ringSlice[slot] = this.record(ev);
    this.count++;
    this.drain(false);
  }

  /** The end of the workload: every held event runs (open slices are shown as they are). */
  flush(): void {
    this.drain(true);
  }

  /** Notes `ev` in its vCPU's open slice; returns the slice it opens, if it opens one. */
  private record(ev: WorkloadEvent): SliceRecord | null {
    const op = ev.op;
    if (op === Op.kernelFpu) {
      // the host saves what a vCPU loaded on that pCPU has live
      for (let w = 0; w < this.open.length; w++)
        if (this.cpuOf[w] === ev.cpu) this.open[w]?.add(SLICE_FLUSH, this.window);
      return null;
    }
    const v = ev.vcpu;
    if (v < 0) return null;
    const rec = this.open[v] ?? null;
    if ((op === Op.load || op === Op.run) && ev.cpu >= 0) this.cpuOf[v] = ev.cpu;
    // `enter` of a vCPU with no open slice: KVM_RUN again after it returned to userspace
    if (op === Op.load || op === Op.run || (op === Op.enter && rec === null)) {
      if (rec !== null) {
        // `run` of a vCPU in the guest enters nothing
        if (op === Op.run && !rec.inGuest()) rec.entry(this.window);
        return null;
      }
      const r = this.free.pop() ?? new SliceRecord();
      r.length = 0;
      r.writes.length = 0;
      r.truncated = false;
      r.endsRun = false;
      r.closed = false;
      r.vcpu = v;
      if (op !== Op.load) r.add(SLICE_ENTRY, this.window);
      this.open[v] = r;
      return r;
    }
    if (rec === null) return null;
    if (op === Op.enter) rec.entry(this.window);
    else if (op === Op.use)
      rec.add(ev.preemptAfterTrap ? ev.unit | SLICE_PREEMPTED : ev.unit, this.window);
    else if (op === Op.exit)
      rec.add(this.returns[ev.reason] === 1 ? SLICE_RETURN : SLICE_EXIT, this.window);
    else if (op === Op.guestWrite) {
      const u = this.controlUnit[ev.controlReg] ?? -1;
      if (u >= 0) rec.add(u, this.window);
      else if (rec.inGuest()) {
        // an enable or mode register: what it does is the backend's (Machine.guestWriteEffect)
        const set = ev.hasValue ? ev.value : ev.set;
        const clear = ev.hasValue ? ~ev.value : ev.clear;
        rec.add(SLICE_WRITE - rec.writes.add(ev.controlReg, set, clear), this.window);
      }
    } else if (
      op === Op.put ||
      op === Op.schedOut ||
      op === Op.userGet ||
      op === Op.userSet ||
      op === Op.syscall
    ) {
      // leaving the guest (preempted, or a signal making KVM_RUN return for the ioctl): an exit
      if (rec.inGuest()) rec.add(SLICE_EXIT, this.window);
      rec.closed = true;
      this.open[v] = null;
    }
    return null;
  }

  /** Runs held events from the oldest while they do not open a slice still being recorded. */
  private drain(all: boolean): void {
    while (this.count > 0) {
      const slot = this.head;
      const rec = this.ringSlice[slot] ?? null;
      if (rec !== null) {
        if (!rec.closed && !all && this.count < this.window) return;
        // still open: the workload ends inside it (flush), or it outgrew the window
        if (!rec.closed && all) rec.endsRun = true;
        else if (!rec.closed) rec.truncated = true;
        this.policy.lookahead?.(rec.vcpu, rec);
        this.ringSlice[slot] = null;
        // a slice still recorded keeps its record until it closes; a closed one is reused
        if (rec.closed) this.free.push(rec);
      }
      this.head = (this.head + 1) % this.ring.length;
      this.count--;
      this.run(this.ring[slot] as WorkloadEvent, this.ringText[slot] as string);
    }
  }

  private grow(): void {
    const n = Math.max(64, this.ring.length * 2);
    const ring: WorkloadEvent[] = [];
    const slices: (SliceRecord | null)[] = [];
    const texts: string[] = [];
    for (let i = 0; i < this.count; i++) {
      const j = (this.head + i) % this.ring.length;
      ring.push(this.ring[j] as WorkloadEvent);
      slices.push(this.ringSlice[j] ?? null);
      texts.push(this.ringText[j] ?? '');
    }
    while (ring.length < n) {
      ring.push(new WorkloadEvent());
      slices.push(null);
      texts.push('');
    }
    this.ring = ring;
    this.ringSlice = slices;
    this.ringText = texts;
    this.head = 0;
  }
}
