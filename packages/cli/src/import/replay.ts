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
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeIoError, InputError } from '@vfpu/core';
import { openLineSource } from '@vfpu/core/internal';
import { removeOnSignal } from '../signals.js';
import type { RecordedTracepoint } from './pass.js';

export const TRAP = '$TRAP$';
export const WIDEST = '$WIDEST$';
export const IO = '$IO$';

export class ReplayFile {
  readonly path: string;
  /** Only the workload lines, as they will be written (the CLI's copy: `chunks`). */
  readonly plain: boolean;
  private fd: number;
  private buf = '';
  private forget: () => void;

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

  flush(): void {
    if (this.buf === '') return;
    try {
      writeSync(this.fd, this.buf, null, 'utf8');
    } catch (e) {
      this.remove();
      throw this.cannotWrite(e);
    }
    this.buf = '';
  }

  close(): void {
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  remove(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.path, { force: true });
    this.forget();
  }

  /** A plain spool back as text blocks of whole lines, the placeholders filled. */
  async *chunks(fill: (text: string) => string): AsyncGenerator<string> {
    for await (const c of openLineSource(this.path, undefined, false).chunks()) yield fill(c.text);
  }

  /** The lines back, in batches, with the placeholders filled; recorded tracepoints go to `rec`. */
  async *read(
    fill: (text: string) => string,
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
        texts.push(text.includes('$') ? fill(text) : text);
        traceLines.push(Number(l.slice(0, tab)));
      }
      if (texts.length > 0) yield { texts, traceLines };
    }
  }
}
