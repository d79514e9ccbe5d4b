/**
 * The first half of an import's pass, apart so it can run on a second core (frame-source.ts):
 * the trace read in chunks, every line framed, each line of a known event put in one row of a
 * Float64Array (its frame: numbers as they are, strings as offsets into its chunk's text or
 * indices into the batch's string table); unknown events are counted here. The second half
 * (pass.ts) reads each row back into a Frame that holds exactly what framing the line there
 * would have filled in, then parses the body and maps the event.
 *
 * Errors keep their order: a batch ends at a bad line, its rows are handed over first, then the
 * error, so a mapping error on an earlier line is still the one reported.
 */
import { lineEnd, openLineSource } from '@vfpu/core/internal';
import {
  isKnown,
  newX86Exit,
  setX86Exit,
  type TraceEvent,
  type X86Exit,
  x86ExitScan,
} from './bodies.js';
import {
  detectFormat,
  type Frame,
  framingError,
  newFrame,
  parseFrame,
  preamble,
  type TraceFormat,
} from './framing.js';

/** What the framing half counts (the header's `source`; the events read are counted by pass.ts). */
export interface FrameStats {
  format: TraceFormat | undefined;
  lines: number;
  /** `cpus=N` of trace-cmd's header, or 0. */
  cpusLine: number;
  lost: number;
  skipped: Record<string, number>;
}

export function newFrameStats(): FrameStats {
  return { format: undefined, lines: 0, cpusLine: 0, lost: 0, skipped: {} };
}

/** What to read: the trace, its framing if given, and what the batches must carry. */
export interface FrameJob {
  readonly path: string;
  readonly format: TraceFormat | undefined;
  /** Mark each chunk's last timestamp (the guest merge fills up to it before the chunk). */
  readonly marks: boolean;
  /** Keep a copy of each chunk's bytes in the batch (to hand the text to another thread). */
  readonly bytes: boolean;
}

/**
 * One batch of rows over consecutive chunks of whole lines of the trace. A chunk's text is
 * `texts[k]` where this thread read it, else decoded from `bytes[ends[k - 1] … ends[k])` when first
 * asked for (textOf).
 */
export interface FrameBatch {
  readonly texts: (string | undefined)[];
  /** The chunks' bytes, one after the other, when the job asked for them. */
  readonly bytes: Uint8Array;
  /** The end of each chunk in `bytes`. */
  readonly ends: number[];
  readonly rows: Float64Array;
  readonly count: number;
  /** Index 0 is ''. */
  readonly strs: string[];
  /** Pairs (first row of a chunk, the chunk's last timestamp), when `marks` was asked for. */
  readonly marks: number[];
}

/** What a taken batch gives back for the next one (its arrays, reused). */
export interface Spare {
  readonly rows: Float64Array;
  readonly bytes: Uint8Array;
}

// a row's columns
const LINE = 0;
const EVENT = 1;
const PID = 2;
const CPU = 3;
const LINE_START = 4;
const LINE_END = 5;
const COMM_START = 6;
const COMM_END = 7;
const COMM = 8;
const TS_START = 9;
const TS_END = 10;
const BODY_START = 11;
const BODY_END = 12;
/** The index of the row's chunk in the batch: offsets are into its text. */
const TEXT = 13;
/** An x86 kvm_exit read here (bodies.ts x86ExitScan): 1, and its fields, body-relative; else 0. */
const X86_EXIT = 14;
const X86_VCPU = 15;
const X86_REASON_START = 16;
const X86_REASON_END = 17;
const X86_INTR_INFO = 18;
export const ROW = 19;

/** A batch is handed over once its texts pass this many characters. */
const BATCH_CHARS = 1 << 20;

/** The last timestamp of a chunk (for the guest merge), or +inf when none frames. */
function lastTs(text: string, format: TraceFormat | undefined): number {
  if (format === undefined) return Number.POSITIVE_INFINITY;
  const f = newFrame();
  for (let nl = text.length - 1; nl > 0; ) {
    const start = text.lastIndexOf('\n', nl - 1) + 1;
    if (parseFrame(text, start, lineEnd(text, start, nl), format, f)) return Number(f.ts);
    nl = start - 1;
  }
  return Number.POSITIVE_INFINITY;
}

/** Columns with a string: each has its own last-string cache in front of the batch's table. */
const SLOTS = [EVENT, COMM, TS_START, BODY_START];

/** Builds batches: rows, chunk bytes and the string table, on arrays from `spares` where it has some. */
class BatchBuilder {
  private rows: Float64Array;
  private bytes: Uint8Array;
  private used = 0;
  private readonly spares: Spare[];
  private readonly keepBytes: boolean;
  count = 0;
  private texts: string[] = [];
  private ends: number[] = [];
  chars = 0;
  private strs: string[] = [''];
  private ids = new Map<string, number>();
  private readonly last: string[] = SLOTS.map(() => '');
  private readonly lastId: number[] = SLOTS.map(() => 0);
  marks: number[] = [];

  constructor(keepBytes: boolean, spares: Spare[]) {
    this.keepBytes = keepBytes;
    this.spares = spares;
    this.rows = new Float64Array(ROW * 8192);
    this.bytes = new Uint8Array(keepBytes ? BATCH_CHARS * 2 : 0);
  }

  addText(text: string, bytes: Uint8Array): void {
    this.texts.push(text);
    this.chars += text.length;
    if (!this.keepBytes) return;
    if (this.used + bytes.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.used + bytes.length));
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(bytes, this.used);
    this.used += bytes.length;
    this.ends.push(this.used);
  }

  /** The index of `s` in the batch's table (a column's last string is looked up without the table). */
  str(s: string, slot: number): number {
    if (s === '') return 0;
    if (s === this.last[slot]) return this.lastId[slot] as number;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strs.length;
      this.strs.push(s);
      this.ids.set(s, id);
    }
    this.last[slot] = s;
    this.lastId[slot] = id;
    return id;
  }

  /** The next row's offset (grown when full). */
  row(): number {
    const at = this.count * ROW;
    if (at + ROW > this.rows.length) {
      const grown = new Float64Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.count++;
    return at;
  }

  put(at: number, line: number, f: Frame, ls: number, le: number, x: X86Exit | undefined) {
    const r = this.rows;
    r[at + LINE] = line;
    r[at + TEXT] = this.texts.length - 1;
    r[at + EVENT] = this.str(f.event, 0);
    r[at + PID] = f.pid;
    r[at + CPU] = f.cpu;
    r[at + LINE_START] = ls;
    r[at + LINE_END] = le;
    // trace-cmd's fields as offsets into the line (the comm is sliced only when asked for:
    // framing.ts commOf), perf's as text
    r[at + COMM_START] = f.commEnd >= 0 ? f.commStart : 0;
    r[at + COMM_END] = f.commEnd >= 0 ? f.commEnd : -1;
    r[at + COMM] = f.commEnd >= 0 ? 0 : this.str(f.comm, 1);
    r[at + TS_START] = f.tsEnd >= 0 ? f.tsStart : this.str(f.ts, 2);
    r[at + TS_END] = f.tsEnd >= 0 ? f.tsEnd : -1;
    r[at + BODY_START] = f.bodyEnd >= 0 ? f.bodyStart : this.str(f.body, 3);
    r[at + BODY_END] = f.bodyEnd >= 0 ? f.bodyEnd : -1;
    r[at + X86_EXIT] = x === undefined ? 0 : 1;
    if (x === undefined) return;
    r[at + X86_VCPU] = x.vcpu;
    r[at + X86_REASON_START] = x.reasonStart;
    r[at + X86_REASON_END] = x.reasonEnd;
    r[at + X86_INTR_INFO] = x.intrInfo;
  }

  /** The batch so far; the builder starts a new one. */
  take(): FrameBatch {
    const b: FrameBatch = {
      texts: this.keepBytes ? [] : this.texts,
      bytes: this.bytes.subarray(0, this.used),
      ends: this.ends,
      rows: this.rows,
      count: this.count,
      strs: this.strs,
      marks: this.marks,
    };
    const spare = this.spares.pop();
    this.rows = spare?.rows ?? new Float64Array(this.rows.length);
    this.bytes = spare?.bytes ?? new Uint8Array(this.bytes.length);
    this.used = 0;
    this.ends = [];
    this.last.fill('');
    this.count = 0;
    this.texts = [];
    this.chars = 0;
    this.strs = [''];
    this.ids = new Map();
    this.marks = [];
    return b;
  }
}

/**
 * The framing half of a pass over `job.path`: batches of rows, then (as the generator's return
 * value) the counts. An input error is thrown after the batch of the lines before it. A taken
 * batch's arrays pushed onto `spares` are reused.
 */
export async function* frameBatches(
  job: FrameJob,
  spares: Spare[] = [],
): AsyncGenerator<FrameBatch, FrameStats> {
  const stats = newFrameStats();
  const src = openLineSource(job.path, undefined, false);
  const name = src.name;
  const b = new BatchBuilder(job.bytes, spares);
  const f = newFrame();
  const exit = newX86Exit();
  let format = job.format;
  let n = 0;
  try {
    for await (const chunk of src.chunks()) {
      const text = chunk.text;
      b.addText(text, chunk.bytes);
      if (job.marks) b.marks.push(b.count, lastTs(text, format));
      for (
        let start = 0, nl = text.indexOf('\n');
        nl >= 0;
        start = nl + 1, nl = text.indexOf('\n', start)
      ) {
        n++;
        const end = lineEnd(text, start, nl);
        if (format === undefined) {
          const line = text.slice(start, end);
          const p = preamble(line);
          if (p !== undefined) {
            if (p.kind === 'cpus') stats.cpusLine = p.n;
            continue;
          }
          format = detectFormat(line);
          if (format === undefined) throw framingError(name, n, 'trace-cmd');
          stats.format = format;
        }
        if (!parseFrame(text, start, end, format, f)) {
          const p = preamble(text.slice(start, end));
          if (p === undefined) throw framingError(name, n, format);
          if (p.kind === 'cpus') stats.cpusLine = p.n;
          else if (p.kind === 'lost') stats.lost += p.n;
          continue;
        }
        const ev = f.event;
        if (!isKnown(ev)) {
          stats.skipped[ev] = (stats.skipped[ev] ?? 0) + 1;
          continue;
        }
        // the commonest body is read here, to share the work between the threads
        const x = ev === 'kvm_exit' && x86ExitScan(f.body, exit) ? exit : undefined;
        b.put(b.row(), n, f, start, end, x);
      }
      if (b.chars >= BATCH_CHARS) yield b.take();
    }
  } catch (err) {
    if (b.count > 0) yield b.take();
    throw err;
  }
  if (b.count > 0 || b.marks.length > 0) yield b.take();
  stats.lines = n;
  stats.format = format;
  return stats;
}

/** Chunk `k`'s text; decoded on first use, the chunk before it let go (rows come in chunk order). */
function textOf(b: FrameBatch, k: number): string {
  const t = b.texts[k];
  if (t !== undefined) return t;
  const from = k === 0 ? 0 : (b.ends[k - 1] as number);
  const u = b.bytes;
  const text = Buffer.from(u.buffer, u.byteOffset + from, (b.ends[k] as number) - from).toString();
  b.texts[k] = text;
  if (k > 0) b.texts[k - 1] = undefined;
  return text;
}

/**
 * Row `i` of batch `b` back into `f` (as framing its line filled it) and, if its body was read
 * here (an x86 kvm_exit), into `e` as parseBody would fill it: its trace line number, negated
 * when the body is still to be parsed.
 */
export function readRow(b: FrameBatch, i: number, f: Frame, e: TraceEvent): number {
  const r = b.rows;
  const s = b.strs;
  const at = i * ROW;
  const text = textOf(b, r[at + TEXT] as number);
  f.line = text;
  f.event = s[r[at + EVENT] as number] as string;
  f.pid = r[at + PID] as number;
  f.cpu = r[at + CPU] as number;
  f.commStart = r[at + COMM_START] as number;
  f.commEnd = r[at + COMM_END] as number;
  f.comm = s[r[at + COMM] as number] as string;
  const tsEnd = r[at + TS_END] as number;
  f.ts =
    tsEnd >= 0
      ? text.slice(r[at + TS_START] as number, tsEnd)
      : (s[r[at + TS_START] as number] as string);
  const bodyEnd = r[at + BODY_END] as number;
  f.body =
    bodyEnd >= 0
      ? text.slice(r[at + BODY_START] as number, bodyEnd)
      : (s[r[at + BODY_START] as number] as string);
  const line = r[at + LINE] as number;
  if (r[at + X86_EXIT] === 0) return -line;
  const label = f.body.slice(r[at + X86_REASON_START] as number, r[at + X86_REASON_END] as number);
  setX86Exit(e, r[at + X86_VCPU] as number, label.trim(), r[at + X86_INTR_INFO] as number);
  return line;
}

/** The text of row `i`'s trace line. */
export function rowText(b: FrameBatch, i: number): string {
  const r = b.rows;
  const at = i * ROW;
  const text = textOf(b, r[at + TEXT] as number);
  return text.slice(r[at + LINE_START] as number, r[at + LINE_END] as number);
}
