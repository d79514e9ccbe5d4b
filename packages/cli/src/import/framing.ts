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
  comm: string;
  pid: number;
  cpu: number;
  /** The seconds as printed (kept as text: the workload's `ts` is written as printed). */
  ts: string;
  event: string;
  body: string;
}

export function newFrame(): Frame {
  return { comm: '', pid: 0, cpu: 0, ts: '', event: '', body: '' };
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

/** Fills `f` from an event line; false if the line is not in the framing. */
export function parseFrame(line: string, format: TraceFormat, f: Frame): boolean {
  if (format === 'trace-cmd') {
    const m = TRACE_CMD.exec(line);
    if (m === null) return false;
    f.comm = (m[1] as string).trim();
    f.pid = Number(m[2]);
    f.cpu = Number(m[3]);
    f.ts = m[4] as string;
    f.event = m[5] as string;
    f.body = m[6] as string;
    return true;
  }
  const m = PERF.exec(line);
  if (m === null) return false;
  f.comm = m[1] as string;
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
