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
  /** Where `ts` is in `line` (trace-cmd), else tsEnd is -1. */
  tsStart: number;
  tsEnd: number;
  event: string;
  body: string;
  /** Where `body` is in `line` (trace-cmd), else bodyEnd is -1. */
  bodyStart: number;
  bodyEnd: number;
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
    tsStart: 0,
    tsEnd: -1,
    event: '',
    body: '',
    bodyStart: 0,
    bodyEnd: -1,
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

/** What String.prototype.trim removes that a trace line can hold: space, tab, CR, VT, FF, NBSP. */
function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 11 || c === 12 || c === 160;
}

/** The events most lines are, kept as one string each (a line's name is not sliced anew). */
const COMMON_EVENTS: readonly string[] = [
  'kvm_entry',
  'kvm_exit',
  'kvm_fpu',
  'kvm_userspace_exit',
  'sched_switch',
  'kvm_enter',
  'kvm_reenter',
  'kvm_out',
  'kvm_aux',
];

/** The event name text[from, to). */
function eventName(text: string, from: number, to: number): string {
  for (let k = 0; k < COMMON_EVENTS.length; k++) {
    const e = COMMON_EVENTS[k] as string;
    if (e.length === to - from && text.startsWith(e, from)) return e;
  }
  return text.slice(from, to);
}

/**
 * The seconds column `\d+\.\d+` followed by `: ` at text[i]: the index of its ':', or -1.
 */
function secondsEnd(text: string, i: number): number {
  const from = i;
  let dot = -1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 46 && dot < 0) dot = i;
    else if (c < 48 || c > 57) break;
    i++;
  }
  if (dot <= from || dot >= i - 1) return -1;
  return text.charCodeAt(i) === 58 && text.charCodeAt(i + 1) === 32 ? i : -1;
}

/**
 * trace-cmd's framing of text[start, end), scanned by hand (the hot path of a large import; the
 * same language as TRACE_CMD, which detectFormat uses): the first ` [CPU]` ends `COMM-PID`,
 * then an optional latency-flags token, the seconds and `: `, the event and `:`.
 */
function parseTraceCmd(text: string, start: number, end: number, f: Frame): boolean {
  // ` [CPU]`: the first bracket of digits (a comm may hold ` [`)
  let b = text.indexOf(' [', start);
  let i = 0;
  let cpu = -1;
  while (b >= 0 && b < end) {
    cpu = 0;
    for (i = b + 2; i < end && i - b <= 11; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      cpu = cpu * 10 + d;
    }
    if (i > b + 2 && i - b <= 11 && text.charCodeAt(i) === 93) break;
    cpu = -1;
    b = text.indexOf(' [', b + 2);
  }
  if (cpu < 0) return false;
  // `-PID` and blanks before ` [`
  let j = b;
  while (j > start && isBlank(text.charCodeAt(j - 1))) j--;
  const pidEnd = j;
  let pid = 0;
  for (let mul = 1; j > start; j--, mul *= 10) {
    const d = text.charCodeAt(j - 1) - 48;
    if (d < 0 || d > 9) break;
    pid += d * mul;
  }
  if (j === pidEnd || pidEnd - j > 9 || j <= start || text.charCodeAt(j - 1) !== 45) return false;
  const dash = j - 1;
  // blanks, [a latency-flags token, blanks,] the seconds, ': '
  i++;
  while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
  let tsStart = i;
  let colon = secondsEnd(text, i);
  if (colon < 0) {
    while (i < end && text.charCodeAt(i) !== 32 && text.charCodeAt(i) !== 9) i++;
    while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    tsStart = i;
    colon = secondsEnd(text, i);
    if (colon < 0 || colon >= end) return false;
  }
  // the event: word characters up to ':'
  i = colon + 2;
  while (i < end && text.charCodeAt(i) === 32) i++;
  const ev = i;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || c === 95 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90))) break;
  }
  if (i === ev || i >= end || text.charCodeAt(i) !== 58) return false;
  f.event = eventName(text, ev, i);
  // the body without its surrounding blanks, in one slice
  let bs = i + 1;
  let be = end;
  while (bs < be && isBlank(text.charCodeAt(bs))) bs++;
  while (be > bs && isBlank(text.charCodeAt(be - 1))) be--;
  f.body = text.slice(bs, be);
  f.bodyStart = bs;
  f.bodyEnd = be;
  f.line = text;
  f.commStart = start;
  f.commEnd = dash;
  f.pid = pid;
  f.cpu = cpu;
  f.ts = text.slice(tsStart, colon);
  f.tsStart = tsStart;
  f.tsEnd = colon;
  return true;
}

/**
 * Fills `f` from the event line text[start, end) (`end` before the line's terminator); false if
 * the line is not in the framing.
 */
export function parseFrame(
  text: string,
  start: number,
  end: number,
  format: TraceFormat,
  f: Frame,
): boolean {
  if (format === 'trace-cmd') return parseTraceCmd(text, start, end, f);
  const m = PERF.exec(start === 0 && end === text.length ? text : text.slice(start, end));
  if (m === null) return false;
  f.comm = m[1] ?? '';
  f.commEnd = -1;
  f.cpu = Number(m[4]);
  // perf prints pid/tid when asked for both: the thread is the tid; with no pid column, a
  // pseudo-thread per pCPU (mapper.ts: the vCPU last seen there)
  f.pid = m[2] === undefined ? -1 - f.cpu : Number(m[3] ?? m[2]);
  f.ts = m[5] as string;
  f.tsEnd = -1;
  f.event = m[7] as string;
  f.body = m[8] as string;
  f.bodyEnd = -1;
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
