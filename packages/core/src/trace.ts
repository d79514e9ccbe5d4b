import type { Tracer } from './contract/machine-host.js';

/** A tracer that does nothing: the hot path checks `on` and builds no text. */
export const SILENT: Tracer = {
  on: false,
  line() {},
  fn() {},
  tracepoint() {},
};

/** Where {@link TraceCollector} hands each tracepoint the kernel fires (`vfpu check`). */
export type TracepointSink = (vcpu: number, event: string, detail: string) => void;

/** Collects the explanation of each event, and the sequence of kernel functions called. */
export class TraceCollector implements Tracer {
  readonly on = true;
  /** Lines for the current event; `take()` empties it. */
  private lines: string[] = [];
  /** Every kernel function called since the start, in order (empty unless recording). */
  readonly calls: string[] = [];
  private readonly record: boolean;
  private readonly sink: TracepointSink | undefined;

  /** `recordCalls` false: lines only, so a long explanation runs in flat memory. */
  constructor(recordCalls = true, sink?: TracepointSink) {
    this.record = recordCalls;
    this.sink = sink;
  }

  tracepoint(vcpu: number, event: string, detail: string): void {
    this.lines.push(`  ⟨${event}: ${detail}⟩`);
    this.sink?.(vcpu, event, detail);
  }

  line(depth: number, text: string): void {
    this.lines.push(`${'  '.repeat(depth + 1)}${text}`);
  }

  fn(depth: number, name: string, detail?: string): void {
    if (this.record) this.calls.push(name);
    this.lines.push(`${'  '.repeat(depth + 1)}${name}${detail ? ` ${detail}` : ''}`);
  }

  take(): string[] {
    const out = this.lines;
    this.lines = [];
    return out;
  }
}
