/**
 * Events the fast path parsed, packed into typed arrays so a batch of them crosses from the
 * replay worker to the thread that simulates them (transferred, not copied), and unpacked there
 * into the one reused event record. A line the fast path left travels as its text, for the full
 * parser on the simulating thread. Strings (unit names as written, labels) go once each.
 */
import type { WorkloadEvent } from './event.js';

/** 32-bit fields per event: op (−1: a text line), vcpu, cpu, unit, unit name, access, reg, flags, reason, label, thread. */
const INTS = 11;
/** Fields kept as doubles: line, ts, cycles. */
const FLOATS = 3;
const FAILS = 1;
const PREEMPT = 2;

/** A batch of packed lines. */
export interface EventBatch {
  readonly n: number;
  readonly ints: Int32Array;
  readonly floats: Float64Array;
  /** The texts of the lines the fast path left, in order. */
  readonly texts: string[];
  /** Strings first seen in this batch: they take the next indices. */
  readonly strings: string[];
}

export class EventPacker {
  private ints: Int32Array;
  private floats: Float64Array;
  private texts: string[] = [];
  private strings: string[] = [];
  private n = 0;
  /** Every string sent, by index (few: the unit names and labels a workload writes). */
  private readonly sent: string[] = [''];
  private readonly index = new Map<string, number>([['', 0]]);
  /** Arrays handed back by the thread that took their batch, for the next batches. */
  private readonly spares: { ints: Int32Array; floats: Float64Array }[] = [];

  readonly capacity: number;
  /**
   * Events a batch holds before it is full: the first full batch holds `first`, each next one
   * twice as many, up to the capacity (a batch taken before it is full, such as the header's,
   * does not count).
   */
  private limit: number;

  constructor(capacity: number, first = capacity) {
    this.capacity = capacity;
    this.limit = Math.max(1, Math.min(first, capacity));
    this.ints = new Int32Array(capacity * INTS);
    this.floats = new Float64Array(capacity * FLOATS);
  }

  get full(): boolean {
    return this.n === this.limit;
  }
  get size(): number {
    return this.n;
  }

  /** The index of `s`, sent with this batch if new (the parser hands out the same strings: a scan of the first few by identity is cheaper than a Map). */
  private intern(s: string): number {
    const sent = this.sent;
    const scan = Math.min(sent.length, 8);
    for (let k = 0; k < scan; k++) if (sent[k] === s) return k;
    let i = this.index.get(s);
    if (i === undefined) {
      i = sent.length;
      sent.push(s);
      this.index.set(s, i);
      this.strings.push(s);
    }
    return i;
  }

  /** The arrays of a batch that was taken, to fill again. */
  reuse(ints: Int32Array, floats: Float64Array): void {
    if (ints.length === this.capacity * INTS && floats.length === this.capacity * FLOATS)
      this.spares.push({ ints, floats });
  }

  /** An event the fast path filled. */
  event(ev: WorkloadEvent): void {
    const a = this.ints;
    const o = this.n * INTS;
    a[o] = ev.op;
    a[o + 1] = ev.vcpu;
    a[o + 2] = ev.cpu;
    a[o + 3] = ev.unit;
    a[o + 4] = ev.unitName === '' ? 0 : this.intern(ev.unitName);
    a[o + 5] = ev.access;
    a[o + 6] = ev.reg;
    a[o + 7] = (ev.conditionFails ? FAILS : 0) | (ev.preemptAfterTrap ? PREEMPT : 0);
    a[o + 8] = ev.reason;
    a[o + 9] = ev.label === '' ? 0 : this.intern(ev.label);
    a[o + 10] = ev.thread;
    const f = this.n * FLOATS;
    this.floats[f] = ev.line;
    this.floats[f + 1] = ev.ts;
    this.floats[f + 2] = ev.cycles;
    this.n++;
  }

  /** Line `line`, left to the full parser. */
  text(line: number, text: string): void {
    this.ints[this.n * INTS] = -1;
    this.floats[this.n * FLOATS] = line;
    this.texts.push(text);
    this.n++;
  }

  /** The batch so far; the packer starts a new one. */
  take(): EventBatch {
    const b: EventBatch = {
      n: this.n,
      ints: this.ints,
      floats: this.floats,
      texts: this.texts,
      strings: this.strings,
    };
    const spare = this.spares.pop();
    this.ints = spare?.ints ?? new Int32Array(this.capacity * INTS);
    this.floats = spare?.floats ?? new Float64Array(this.capacity * FLOATS);
    this.texts = [];
    this.strings = [];
    if (this.n === this.limit) this.limit = Math.min(2 * this.limit, this.capacity);
    this.n = 0;
    return b;
  }
}

export class EventUnpacker {
  private readonly strings: string[] = [''];
  private texts = 0;
  private batch: EventBatch | undefined;

  /** Starts on `b` (batches in the order they were packed). */
  begin(b: EventBatch): void {
    for (const s of b.strings) this.strings.push(s);
    this.batch = b;
    this.texts = 0;
  }

  /** The line number of entry `i` of the batch. */
  line(i: number): number {
    return (this.batch as EventBatch).floats[i * FLOATS] as number;
  }

  /** Entry `i` into `ev` (true), or its text, a line the fast path left (the text, as a string). */
  fill(i: number, ev: WorkloadEvent): true | string {
    const b = this.batch as EventBatch;
    const a = b.ints;
    const o = i * INTS;
    const op = a[o] as number;
    if (op < 0) return b.texts[this.texts++] as string;
    const f = i * FLOATS;
    ev.reset(op);
    ev.line = b.floats[f] as number;
    ev.vcpu = a[o + 1] as number;
    ev.cpu = a[o + 2] as number;
    ev.unit = a[o + 3] as number;
    ev.unitName = this.strings[a[o + 4] as number] as string;
    ev.access = a[o + 5] as number;
    ev.reg = a[o + 6] as number;
    const flags = a[o + 7] as number;
    ev.conditionFails = (flags & FAILS) !== 0;
    ev.preemptAfterTrap = (flags & PREEMPT) !== 0;
    ev.reason = a[o + 8] as number;
    ev.label = this.strings[a[o + 9] as number] as string;
    ev.thread = a[o + 10] as number;
    ev.ts = b.floats[f + 1] as number;
    ev.cycles = b.floats[f + 2] as number;
    return true;
  }
}
