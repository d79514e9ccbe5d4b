/**
 * The one pass's result kept on disk until the header (which needs the whole pass) is known:
 * each workload line as `TRACELINE\tTEXT`, each recorded FP tracepoint as
 * `R TRACELINE\tVCPU\tEVENT\tDETAIL\tTRACE TEXT`, in the order the pass produced them (a
 * tracepoint is recorded while its trace line is read, before any workload line of it leaves the
 * look-ahead). Written in 64 KiB blocks to a temporary file (mode 0600, removed when the import
 * ends or on a signal), read back as a stream: memory stays flat.
 *
 * Lines that depend on the variant, decided only after the pass, carry placeholders: the unit an
 * x86 #NM loads ($TRAP$), the every-slice unit ($WIDEST$), and the reason of KVM_EXIT_IO ($IO$).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, write } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeIoError, InputError } from '@vfpu/core';
import { openLineSource, Wakeup } from '@vfpu/core/internal';
import { removeOnSignal } from '../signals.js';
import type { RecordedTracepoint } from './pass.js';

export const TRAP = '$TRAP$';
export const WIDEST = '$WIDEST$';
export const IO = '$IO$';

/** Each placeholder with its text for the variant. */
export type Fills = readonly (readonly [placeholder: string, text: string])[];

/** `text` with its placeholders filled. */
function filled(text: string, fills: Fills): string {
  if (!text.includes('$')) return text;
  for (const [p, t] of fills) text = text.replaceAll(p, t);
  return text;
}

/** A spool read in blocks of this many bytes. */
const READ = 1 << 20;

export class ReplayFile {
  readonly path: string;
  /** Only the workload lines, as they will be written (the CLI's copy: `chunks`). */
  readonly plain: boolean;
  private fd: number;
  private buf = '';
  private forget: () => void;
  /** The file offset of the next block; blocks written (by the thread pool) and not yet done. */
  private at = 0;
  private pending = 0;
  private failed: unknown;
  private readonly woken = new Wakeup();

  constructor(plain: boolean) {
    this.plain = plain;
    this.path = join(tmpdir(), `.vfpu-import.${process.pid}.${randomUUID()}.replay`);
    this.forget = removeOnSignal(this.path);
    try {
      this.fd = openSync(this.path, 'wx', 0o600);
    } catch (e) {
      this.forget();
      throw this.cannotWrite(e);
    }
  }

  private cannotWrite(e: unknown): InputError {
    return new InputError(
      this.path,
      0,
      '',
      `cannot write the import's spool: ${describeIoError(e)}`,
    );
  }

  line(traceLine: number, text: string): void {
    this.buf += this.plain ? `${text}\n` : `${traceLine}\t${text}\n`;
    if (this.buf.length >= 1 << 16) this.flush();
  }

  recorded(r: RecordedTracepoint): void {
    if (this.plain) return;
    this.buf += `R${r.traceLine}\t${r.vcpu}\t${r.event}\t${r.detail}\t${r.text}\n`;
    if (this.buf.length >= 1 << 16) this.flush();
  }

  /**
   * The buffered lines to the file: encoded here, written by the thread pool at their offset (the
   * copy into the page cache leaves this thread); `drain` waits for them.
   */
  flush(): void {
    if (this.buf === '') return;
    const data = Buffer.from(this.buf, 'utf8');
    this.buf = '';
    const fd = this.fd;
    let pos = this.at;
    this.at += data.length;
    this.pending++;
    const done = (e: unknown) => {
      this.pending--;
      if (e !== null && e !== undefined) this.failed ??= e;
      this.woken.wake();
    };
    const rest = (from: number) =>
      write(fd, data, from, data.length - from, pos, (e, n) => {
        pos += n;
        if (e === null && from + n < data.length) rest(from + n);
        else done(e);
      });
    rest(0);
  }

  /** Waits until at most `most` blocks are being written; a write that failed is thrown here. */
  async drain(most = 4): Promise<void> {
    while (this.pending > most && this.failed === undefined) await this.woken.wait();
    if (this.failed !== undefined) {
      const e = this.failed;
      while (this.pending > 0) await this.woken.wait();
      this.remove();
      throw this.cannotWrite(e);
    }
  }

  async close(): Promise<void> {
    this.flush();
    await this.drain(0);
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  remove(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.path, { force: true });
    this.forget();
  }

  /**
   * A plain spool back as blocks of bytes, the placeholders filled in place of their bytes (all
   * ASCII; a `$` that starts none is kept): the text is never decoded or encoded again. Each
   * block is valid until the next is asked for.
   */
  *bytes(fills: Fills): Generator<Uint8Array> {
    const subs = fills.map(([p, t]) => [Buffer.from(p), Buffer.from(t)] as const);
    const grow = Math.max(0, ...subs.map(([p, t]) => t.length - p.length));
    const fd = openSync(this.path, 'r');
    try {
      const buf = Buffer.allocUnsafe(READ);
      let out = Buffer.allocUnsafe(READ);
      // whole lines per block (a placeholder never spans two); the rest waits at the front
      for (let kept = 0; ; ) {
        const got = readSync(fd, buf, kept, READ - kept, null);
        const n = kept + got;
        if (n === 0) return;
        const end = got === 0 ? n : buf.lastIndexOf(10, n - 1) + 1;
        if (end === 0) throw new Error(`a spool line longer than ${READ} bytes`);
        if (out.length < end * (1 + grow)) out = Buffer.allocUnsafe(end * (1 + grow));
        let o = 0;
        let from = 0;
        for (let d = buf.indexOf(36); d >= 0 && d < end; d = buf.indexOf(36, d + 1)) {
          const sub = subs.find(([p]) => buf.compare(p, 0, p.length, d, d + p.length) === 0);
          if (sub === undefined) continue;
          o += buf.copy(out, o, from, d);
          o += sub[1].copy(out, o);
          from = d + sub[0].length;
          d = from - 1;
        }
        o += buf.copy(out, o, from, end);
        yield out.subarray(0, o);
        kept = buf.copy(buf, 0, end, n);
      }
    } finally {
      closeSync(fd);
    }
  }

  /** The lines back, in batches, with the placeholders filled; recorded tracepoints go to `rec`. */
  async *read(
    fill: Fills,
    rec: () => ((r: RecordedTracepoint) => void) | undefined,
  ): AsyncGenerator<{ texts: string[]; traceLines: number[] }> {
    for await (const batch of openLineSource(this.path, undefined, false).batches()) {
      const texts: string[] = [];
      const traceLines: number[] = [];
      for (const l of batch) {
        if (l.charCodeAt(0) === 82 /* R */) {
          const cb = rec();
          if (cb === undefined) continue;
          const [n, v, event, detail] = l.slice(1).split('\t', 4) as [
            string,
            string,
            string,
            string,
          ];
          const at = n.length + v.length + event.length + detail.length + 5;
          cb({ traceLine: Number(n), vcpu: Number(v), event, detail, text: l.slice(at) });
          continue;
        }
        const tab = l.indexOf('\t');
        const text = l.slice(tab + 1);
        texts.push(filled(text, fill));
        traceLines.push(Number(l.slice(0, tab)));
      }
      if (texts.length > 0) yield { texts, traceLines };
    }
  }
}
