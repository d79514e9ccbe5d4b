/**
 * --guest-fp from-guest-trace: a guest-side trace (trace-cmd report or perf script, recorded in
 * the guest) whose x86_fpu_* events (arch/x86/include/asm/trace/fpu.h) show when the guest's
 * tasks had FP/SIMD state live. Each becomes a `use` of the widest component its `xfeatures`
 * holds, on vCPU N = the guest's CPU N, merged into the host trace by timestamp (both traces on
 * one clock, e.g. trace-cmd agent's host-guest synchronisation). Read as a stream alongside the
 * host trace: only the events up to the host's current batch are held.
 */
import { InputError } from '@vfpu/core';
import { openLineSource } from '@vfpu/core/internal';
import { xfeaturesUnit } from './arch.js';
import { newEvent, parseBody } from './bodies.js';
import {
  detectFormat,
  framingError,
  newFrame,
  parseFrame,
  preamble,
  type TraceFormat,
} from './framing.js';

export class GuestFeed {
  private readonly it: AsyncGenerator<string[]>;
  private readonly name: string;
  private readonly units: readonly string[];
  private format: TraceFormat | undefined;
  private line = 0;
  private done = false;
  // the buffered uses, oldest first
  private ts: number[] = [];
  private tsText: string[] = [];
  private vcpu: number[] = [];
  private unit: string[] = [];
  private head = 0;
  events = 0;
  skipped = 0;

  constructor(path: string, units: readonly string[]) {
    const src = openLineSource(path);
    this.name = src.name;
    this.it = src.batches();
    this.units = units;
  }

  /** Reads until a buffered use is later than `upTo`, or the guest trace ends. */
  async fill(upTo: number): Promise<void> {
    while (
      !this.done &&
      (this.ts.length === this.head || (this.ts[this.ts.length - 1] as number) <= upTo)
    ) {
      const r = await this.it.next();
      if (r.done === true) {
        this.done = true;
        break;
      }
      this.parse(r.value);
    }
  }

  /** Hands over the uses up to `upTo` (inclusive), in order. */
  take(upTo: number, use: (vcpu: number, unit: string, ts: string) => void): void {
    while (this.head < this.ts.length && (this.ts[this.head] as number) <= upTo) {
      const i = this.head++;
      use(this.vcpu[i] as number, this.unit[i] as string, this.tsText[i] as string);
    }
    if (this.head === this.ts.length) {
      this.ts = [];
      this.tsText = [];
      this.vcpu = [];
      this.unit = [];
      this.head = 0;
    }
  }

  async close(): Promise<void> {
    await this.it.return(undefined);
  }

  private parse(lines: readonly string[]): void {
    const f = newFrame();
    const e = newEvent();
    for (const text of lines) {
      this.line++;
      if (this.format === undefined) {
        if (preamble(text) !== undefined) continue;
        this.format = detectFormat(text);
        if (this.format === undefined) throw framingError(this.name, this.line, 'trace-cmd');
      }
      if (!parseFrame(text, 0, text.length, this.format, f)) {
        if (preamble(text) !== undefined) continue;
        throw framingError(this.name, this.line, this.format);
      }
      if (!f.event.startsWith('x86_fpu_')) {
        this.skipped++;
        continue;
      }
      const bad = parseBody(f.event, f.body, e);
      if (bad !== undefined) throw new InputError(this.name, this.line, f.event, bad);
      this.events++;
      this.ts.push(Number(f.ts));
      this.tsText.push(f.ts);
      this.vcpu.push(f.cpu);
      this.unit.push(xfeaturesUnit(e.xfeatures, this.units));
    }
  }
}
