/**
 * The line framings of the two text forms a kernel trace is read in:
 *
 * - `trace-cmd report`: `COMM-PID [CPU] FLAGS SECS: EVENT: BODY`. Older trace-cmd prints no FLAGS
 *   column (latency flags such as `d..1` or `d.h2.`); the seconds come with 6 or 9 decimals.
 *   Before the events it may print `cpus=N`, `version = N` and `CPU N is empty` lines, and
 *   `CPU:N [LOST N EVENTS]` where the ring buffer overflowed.
 * - `perf script`: `COMM PID[/TID] [CPU] SECS: SYSTEM:EVENT: BODY` (the comm may hold spaces,
 *   QEMU's `CPU 0/KVM`); `#` lines are perf's header.
 *
 * One regular expression per framing; the fields land in a reused Frame (no allocation but the
 * substrings themselves).
 */
import { InputError } from '@vfpu/core';

export type TraceFormat = 'trace-cmd' | 'perf-script';

export interface Frame {
  /** The comm (trace-cmd: read lazily, see commOf). */
  comm: string;
  line: string;
  commStart: number;
  commEnd: number;
  pid: number;
  cpu: number;
  /** The seconds as printed (kept as text: the workload's `ts` is written as printed). */
  ts: string;
  event: string;
  body: string;
}

export function newFrame(): Frame {
  return {
    comm: '',
    line: '',
    commStart: 0,
    commEnd: -1,
    pid: 0,
    cpu: 0,
    ts: '',
    event: '',
    body: '',
  };
}

/** The comm of the frame's line (sliced only when asked: once per thread, in practice). */
export function commOf(f: Frame): string {
  if (f.commEnd >= 0) {
    f.comm = f.line.slice(f.commStart, f.commEnd);
    f.commEnd = -1;
  }
  return f.comm;
}

// comm-pid: the comm may hold '-' (greedy: the last '-digits' before the spaces is the pid)
const TRACE_CMD = /^\s*(.*)-(\d+)\s+\[(\d+)\]\s+(?:\S+\s+)?(\d+\.\d+):\s+(\w+):\s*(.*?)\s*$/;
// comm pid[/tid] [cpu] secs: [period] system:event:
const PERF =
  /^\s*(.+?)\s+(\d+)(?:\/(\d+))?\s+\[(\d+)\]\s+(\d+\.\d+):\s+(?:\d+\s+)?(\w+):(\w+):\s*(.*?)\s*$/;

/** Lines that are not events and carry nothing the import needs (blank, headers, notices). */
const PREAMBLE =
  /^(?:\s*|#.*|version = .*|CPU \d+ is empty|cpus=\d+|\s*CPU:\s*\d+ \[LOST \d+ EVENTS\])$/;
const CPUS = /^cpus=(\d+)$/;
const LOST = /\[LOST (\d+) EVENTS\]/;

export type Preamble = { kind: 'none' } | { kind: 'cpus'; n: number } | { kind: 'lost'; n: number };

/** Classifies a non-event line; undefined if it is not one the framings allow. */
export function preamble(line: string): Preamble | undefined {
  if (!PREAMBLE.test(line)) return undefined;
  const c = CPUS.exec(line);
  if (c !== null) return { kind: 'cpus', n: Number(c[1]) };
  const l = LOST.exec(line);
  if (l !== null) return { kind: 'lost', n: Number(l[1]) };
  return { kind: 'none' };
}

const isSpace = (c: number) => c === 32 || c === 9;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isWord = (c: number) =>
  isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/** The decimal integer in line[from, to), or -1 if it is not one. */
function digits(line: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** The end of a `SECS:` token starting at `from` (the index of its colon), or -1. */
function secsEnd(line: string, from: number): number {
  let i = from;
  while (i < line.length && isDigit(line.charCodeAt(i))) i++;
  if (i === from || line.charCodeAt(i) !== 46) return -1;
  const dot = ++i;
  while (i < line.length && isDigit(line.charCodeAt(i))) i++;
  return i > dot && line.charCodeAt(i) === 58 ? i : -1;
}

/**
 * trace-cmd's framing, scanned by hand (the hot path of a large import; the same language as
 * TRACE_CMD, which detectFormat uses): the first `[CPU]` after a blank ends `COMM-PID`.
 */
function parseTraceCmd(line: string, f: Frame): boolean {
  let b = line.indexOf('[');
  let e = -1;
  let cpu = -1;
  while (b > 0) {
    e = line.indexOf(']', b);
    if (e < 0) return false;
    cpu = digits(line, b + 1, e);
    if (cpu >= 0 && isSpace(line.charCodeAt(b - 1))) break;
    b = line.indexOf('[', b + 1);
  }
  if (b <= 0) return false;
  let end = b - 1;
  while (end > 0 && isSpace(line.charCodeAt(end - 1))) end--;
  const dash = line.lastIndexOf('-', end - 1);
  if (dash < 0) return false;
  const pid = digits(line, dash + 1, end);
  if (pid < 0) return false;
  let p = e + 1;
  while (p < line.length && isSpace(line.charCodeAt(p))) p++;
  let colon = secsEnd(line, p);
  if (colon < 0) {
    // the latency-flags column
    while (p < line.length && !isSpace(line.charCodeAt(p))) p++;
    while (p < line.length && isSpace(line.charCodeAt(p))) p++;
    colon = secsEnd(line, p);
    if (colon < 0) return false;
  }
  const ts = line.slice(p, colon);
  p = colon + 1;
  if (!isSpace(line.charCodeAt(p))) return false;
  while (p < line.length && isSpace(line.charCodeAt(p))) p++;
  const ev = p;
  while (p < line.length && isWord(line.charCodeAt(p))) p++;
  if (p === ev || line.charCodeAt(p) !== 58) return false;
  f.event = line.slice(ev, p);
  p++;
  while (p < line.length && isSpace(line.charCodeAt(p))) p++;
  let q = line.length;
  while (q > p && isSpace(line.charCodeAt(q - 1))) q--;
  f.body = line.slice(p, q);
  let c0 = 0;
  while (c0 < dash && isSpace(line.charCodeAt(c0))) c0++;
  let c1 = dash;
  while (c1 > c0 && isSpace(line.charCodeAt(c1 - 1))) c1--;
  f.line = line;
  f.commStart = c0;
  f.commEnd = c1;
  f.pid = pid;
  f.cpu = cpu;
  f.ts = ts;
  return true;
}

/** Fills `f` from an event line; false if the line is not in the framing. */
export function parseFrame(line: string, format: TraceFormat, f: Frame): boolean {
  if (format === 'trace-cmd') return parseTraceCmd(line, f);
  const m = PERF.exec(line);
  if (m === null) return false;
  f.comm = m[1] as string;
  f.commEnd = -1;
  // perf prints pid/tid when asked for both: the thread is the tid
  f.pid = Number(m[3] ?? m[2]);
  f.cpu = Number(m[4]);
  f.ts = m[5] as string;
  f.event = m[7] as string;
  f.body = m[8] as string;
  return true;
}

/** The framing of the first event line (perf's `system:event:` is tried first). */
export function detectFormat(line: string): TraceFormat | undefined {
  if (PERF.test(line)) return 'perf-script';
  if (TRACE_CMD.test(line)) return 'trace-cmd';
  return undefined;
}

export function framingError(file: string, line: number, format: TraceFormat): InputError {
  const want =
    format === 'trace-cmd'
      ? '"COMM-PID [CPU] [FLAGS] SECS: EVENT: …" (trace-cmd report)'
      : '"COMM PID [CPU] SECS: SYSTEM:EVENT: …" (perf script)';
  return new InputError(file, line, 'framing', `not an event line of the form ${want}`);
}
