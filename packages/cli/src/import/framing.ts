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
    f.comm = f.line.slice(f.commStart, f.commEnd).trim();
    f.commEnd = -1;
  }
  return f.comm;
}

// comm-pid: the comm may hold '-' (greedy: the last '-digits' before the spaces is the pid)
const TRACE_CMD = /^\s*(.*)-(\d+)\s+\[(\d+)\]\s+(?:\S+\s+)?(\d+\.\d+):\s+(\w+):\s*(.*?)\s*$/;
// comm pid[/tid] [cpu] secs: [period] system:event: (the comm and pid columns may be left
// out: `perf script -F cpu,time,event,trace`)
const PERF =
  /^\s*(?:(.+?)\s+(\d+)(?:\/(\d+))?\s+)?\[(\d+)\]\s+(\d+\.\d+):\s+(?:\d+\s+)?(\w+):(\w+):\s*(.*?)\s*$/;

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

/** The decimal integer in line[from, to) (at most 9 digits), or -1 if it is not one. */
function digits(line: string, from: number, to: number): number {
  if (to <= from || to - from > 9) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * trace-cmd's framing, found with indexOf (the hot path of a large import; the same language as
 * TRACE_CMD, which detectFormat uses): the first ` [CPU]` ends `COMM-PID`, the first `: ` after
 * it ends the seconds, the next `:` the event.
 */
/** `\d+\.\d+` between `from` and `to` (the seconds column), without a RegExp. */
function isSeconds(line: string, from: number, to: number): boolean {
  const dot = line.indexOf('.', from);
  if (dot <= from || dot >= to - 1) return false;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i);
    if (i !== dot && (c < 48 || c > 57)) return false;
  }
  return true;
}

/** `\w`: [A-Za-z0-9_]. */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** What String.prototype.trim removes that a trace line can hold: space, tab, CR. */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || c === 160;
}

function parseTraceCmd(line: string, f: Frame): boolean {
  let b = line.indexOf(' [');
  let e = -1;
  let cpu = -1;
  while (b >= 0) {
    e = line.indexOf(']', b + 2);
    if (e < 0) return false;
    cpu = digits(line, b + 2, e);
    if (cpu >= 0) break;
    b = line.indexOf(' [', b + 2);
  }
  if (b < 0) return false;
  const dash = line.lastIndexOf('-', b);
  if (dash < 0) return false;
  let pidEnd = line.indexOf(' ', dash + 1);
  if (pidEnd < 0 || pidEnd > b) pidEnd = b;
  const pid = digits(line, dash + 1, pidEnd);
  if (pid < 0) return false;
  for (let i = pidEnd; i < b; i++) if (!isBlank(line.charCodeAt(i))) return false;
  const colon = line.indexOf(': ', e + 1);
  if (colon < 0) return false;
  const tsStart = line.lastIndexOf(' ', colon - 1) + 1;
  if (tsStart <= e) return false;
  if (!isSeconds(line, tsStart, colon)) return false;
  const ts = line.slice(tsStart, colon);
  // between ']' and the seconds: blanks, or one latency-flags token (scanned, not sliced)
  let tokens = 0;
  for (let i = e + 1, inToken = false; i < tsStart; i++) {
    const c = line.charCodeAt(i);
    const blank = c === 32 || c === 9;
    if (!blank && !inToken) tokens++;
    inToken = !blank;
  }
  if (tokens > 1) return false;
  let ev = colon + 2;
  while (line.charCodeAt(ev) === 32) ev++;
  const evEnd = line.indexOf(':', ev);
  if (evEnd < 0) return false;
  if (evEnd === ev) return false;
  for (let i = ev; i < evEnd; i++) if (!isWordChar(line.charCodeAt(i))) return false;
  const event = line.slice(ev, evEnd);
  f.event = event;
  // the body without its surrounding blanks, in one slice
  let bs = evEnd + 1;
  let be = line.length;
  while (bs < be && isBlank(line.charCodeAt(bs))) bs++;
  while (be > bs && isBlank(line.charCodeAt(be - 1))) be--;
  f.body = line.slice(bs, be);
  f.line = line;
  f.commStart = 0;
  f.commEnd = dash;
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
  f.comm = m[1] ?? '';
  f.commEnd = -1;
  f.cpu = Number(m[4]);
  // perf prints pid/tid when asked for both: the thread is the tid; with no pid column, a
  // pseudo-thread per pCPU (mapper.ts: the vCPU last seen there)
  f.pid = m[2] === undefined ? -1 - f.cpu : Number(m[3] ?? m[2]);
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
