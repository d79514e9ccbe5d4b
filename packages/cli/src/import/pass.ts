/**
 * One pass over a trace: every line framed, every known event's body parsed (a malformed one
 * is an input error naming the file, the line and the event), every event mapped. The first
 * pass counts (what the header must say before the first event); the second writes.
 */
import { InputError } from '@vfpu/core';
import type { ArchEvidence } from './arch.js';
import { fpExitDetail, isFpTrap } from './arch.js';
import { Kind, newEvent, parseBody } from './bodies.js';
import { framedBatches } from './frame-source.js';
import { type FrameStats, newFrameStats, readRow, rowText } from './frames.js';
import { newFrame, type TraceFormat } from './framing.js';
import type { GuestFeed } from './guest.js';
import type { Mapper } from './mapper.js';

export interface RecordedTracepoint {
  readonly vcpu: number;
  readonly event: string;
  readonly detail: string;
  readonly traceLine: number;
  readonly text: string;
}

/** The framing half's counts and the events read (by pass.ts, which parses their bodies). */
export type PassStats = FrameStats & { events: Record<string, number> };

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

export async function* runPass(
  input: PassInput,
  stats: PassStats,
): AsyncGenerator<{ texts: string[]; traceLines: number[] }> {
  const { mapper, evidence, guest } = input;
  const name = input.name;
  mapper.file = name;
  const batches = framedBatches({
    path: input.path,
    format: input.format,
    marks: guest !== undefined,
  });
  const f = newFrame();
  const e = newEvent();
  let n = 0;
  try {
    let r = await batches.next();
    for (; r.done !== true; r = await batches.next()) {
      const b = r.value;
      let mark = 0;
      for (let i = 0; i < b.count; i++) {
        while (guest !== undefined && mark < b.marks.length && (b.marks[mark] as number) <= i) {
          await guest.fill(b.marks[mark + 1] as number);
          mark += 2;
        }
        n = readRow(b, i, f, e);
        const ev = f.event;
        if (n < 0) {
          n = -n;
          const bad = parseBody(ev, f.body, e);
          if (bad !== undefined) throw new InputError(name, n, ev, bad);
        }
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
            rec({ vcpu: v, event: ev, detail: e.label, traceLine: n, text: rowText(b, i) });
          else if (e.kind === Kind.exit && isFpTrap(e))
            rec({ vcpu: v, event: ev, detail: fpExitDetail(e), traceLine: n, text: rowText(b, i) });
        }
      }
      for (; guest !== undefined && mark < b.marks.length; mark += 2)
        await guest.fill(b.marks[mark + 1] as number);
      const out = mapper.q.take();
      if (out.texts.length > 0) yield out;
    }
    Object.assign(stats, r.value);
    n = stats.lines;
    if (guest !== undefined) {
      await guest.fill(Number.POSITIVE_INFINITY);
      guest.take(Number.POSITIVE_INFINITY, (v, unit, ts) => mapper.guestUse(v, unit, ts, n));
    }
    mapper.finish();
    const out = mapper.q.take();
    if (out.texts.length > 0) yield out;
  } catch (err) {
    throw renamed(err, input.path, name);
  } finally {
    await batches.return(newFrameStats());
    await guest?.close();
  }
}
