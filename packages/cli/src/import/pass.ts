/**
 * One pass over a trace: every line framed, every known event's body parsed (a malformed one
 * is an input error naming the file, the line and the event), every event mapped. The first
 * pass counts (what the header must say before the first event); the second writes.
 */
import { InputError } from '@vfpu/core';
import { lineEnd, openLineSource } from '@vfpu/core/internal';
import type { ArchEvidence } from './arch.js';
import { fpExitDetail, isFpTrap } from './arch.js';
import { isKnown, Kind, newEvent, parseBody } from './bodies.js';
import {
  detectFormat,
  framingError,
  newFrame,
  parseFrame,
  preamble,
  type TraceFormat,
} from './framing.js';
import type { GuestFeed } from './guest.js';
import type { Mapper } from './mapper.js';

export interface RecordedTracepoint {
  readonly vcpu: number;
  readonly event: string;
  readonly detail: string;
  readonly traceLine: number;
  readonly text: string;
}

export interface PassStats {
  format: TraceFormat | undefined;
  lines: number;
  /** `cpus=N` of trace-cmd's header, or 0. */
  cpusLine: number;
  lost: number;
  events: Record<string, number>;
  skipped: Record<string, number>;
}

export interface PassInput {
  readonly path: string;
  /** The name in messages (`<stdin>` for a spooled standard input). */
  readonly name: string;
  readonly format: TraceFormat | undefined;
  readonly mapper: Mapper;
  readonly evidence?: ArchEvidence | undefined;
  readonly guest?: GuestFeed | undefined;
  readonly recorded?: () => ((r: RecordedTracepoint) => void) | undefined;
}

/** An error of the line source names the spool file where the input was standard input. */
function renamed(e: unknown, path: string, name: string): unknown {
  if (InputError.isInstance(e) && e.file === path && path !== name)
    return new InputError(name, e.line, e.field, e.detail);
  return e;
}

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

export async function* runPass(
  input: PassInput,
  stats: PassStats,
): AsyncGenerator<{ texts: string[]; traceLines: number[] }> {
  const { mapper, evidence, guest } = input;
  const name = input.name;
  mapper.file = name;
  const src = openLineSource(input.path, undefined, false);
  const f = newFrame();
  const e = newEvent();
  let format = input.format;
  let n = 0;
  try {
    for await (const chunk of src.chunks()) {
      const text = chunk.text;
      if (guest !== undefined) await guest.fill(lastTs(text, format));
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
        const bad = parseBody(ev, f.body, e);
        if (bad !== undefined) throw new InputError(name, n, ev, bad);
        stats.events[ev] = (stats.events[ev] ?? 0) + 1;
        evidence?.event(ev, e);
        if (guest !== undefined) {
          const t = Number(f.ts);
          guest.take(t, (v, unit, ts) => mapper.guestUse(v, unit, ts, n));
        }
        const v = mapper.step(f, e, n);
        const rec = input.recorded?.();
        if (rec !== undefined && v >= 0) {
          if (e.kind === Kind.fpu || e.kind === Kind.aux)
            rec({
              vcpu: v,
              event: ev,
              detail: e.label,
              traceLine: n,
              text: text.slice(start, end),
            });
          else if (e.kind === Kind.exit && isFpTrap(e))
            rec({
              vcpu: v,
              event: ev,
              detail: fpExitDetail(e),
              traceLine: n,
              text: text.slice(start, end),
            });
        }
      }
      const out = mapper.q.take();
      if (out.texts.length > 0) yield out;
    }
    if (guest !== undefined) {
      await guest.fill(Number.POSITIVE_INFINITY);
      guest.take(Number.POSITIVE_INFINITY, (v, unit, ts) => mapper.guestUse(v, unit, ts, n));
    }
    mapper.finish();
    const out = mapper.q.take();
    if (out.texts.length > 0) yield out;
    stats.lines = n;
    stats.format = format;
  } catch (err) {
    throw renamed(err, input.path, name);
  } finally {
    await guest?.close();
  }
}
