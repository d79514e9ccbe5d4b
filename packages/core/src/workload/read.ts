/**
 * Streaming NDJSON input: a file, `-` for standard input, or a `.gz` file. Lines come out in
 * batches (one per chunk read) and the raw input bytes are hashed on the way. Each chunk is
 * scanned once (a long line costs linear time); a line longer than `LIMITS.lineChars` is
 * refused as soon as it passes the limit, and a stream that breaks (corrupt or truncated
 * `.gz`) is reported at the line it broke in, or "before line 1".
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { describeIoError, InputError } from '../errors.js';
import { LIMITS } from './format.js';
import { firstInvalidUtf8, incompleteTail } from './utf8.js';

/** A workload's lines, read in batches (a file, gzip, stdin or anything else), for `runLines`. */
export interface LineSource {
  /** Display name for messages (`-` reads as `<stdin>`). */
  readonly name: string;
  /** Batches of lines without their line terminators. */
  batches(): AsyncGenerator<string[]>;
  /** SHA-256 of the raw input bytes, available once `batches()` is exhausted. */
  sha256(): string;
}

function stripCr(l: string): string {
  return l.endsWith('\r') ? l.slice(0, -1) : l;
}

/**
 * Splits decoded text into lines, keeping the unfinished last line as pieces (joined once, when
 * its end arrives). `lines` counts the lines completed so far.
 */
class LineSplitter {
  lines = 0;
  private pieces: string[] = [];
  private pending = 0;
  private readonly name: string;
  private readonly limit: number;
  constructor(name: string, limit: number) {
    this.name = name;
    this.limit = limit;
  }

  /** Whether part of a line has been read (the stream broke inside a line). */
  get inLine(): boolean {
    return this.pending > 0;
  }

  push(text: string, out: string[]): void {
    let pos = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', pos)) {
      const cr = nl > pos ? text.charCodeAt(nl - 1) === 13 : this.endsInCr;
      this.check(this.pending + nl - pos - (cr ? 1 : 0));
      const piece = text.slice(pos, nl);
      out.push(stripCr(this.pieces.length ? this.pieces.join('') + piece : piece));
      this.pieces.length = 0;
      this.pending = 0;
      this.lines++;
      pos = nl + 1;
    }
    if (pos < text.length) {
      // a CR at the end may be the line terminator's first half
      this.check(this.pending + text.length - pos - 1);
      this.pieces.push(pos === 0 ? text : text.slice(pos));
      this.pending += text.length - pos;
    }
  }

  /** The unfinished last line, if any. */
  end(): string | undefined {
    if (this.pending === 0) return undefined;
    const l = stripCr(this.pieces.join(''));
    this.check(l.length);
    this.pieces.length = 0;
    this.pending = 0;
    this.lines++;
    return l;
  }

  private get endsInCr(): boolean {
    const last = this.pieces[this.pieces.length - 1];
    return last !== undefined && last.charCodeAt(last.length - 1) === 13;
  }

  private check(chars: number): void {
    if (chars > this.limit) {
      throw new InputError(
        this.name,
        this.lines + 1,
        '',
        `line longer than ${this.limit} characters (the workload format's limit)`,
      );
    }
  }
}

function notUtf8(file: string, line: number, byte: number): InputError {
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  return new InputError(file, line, '', `not UTF-8 text (byte ${hex}); workloads are UTF-8`);
}

/** `hashed` false: no SHA-256 of the input (`sha256()` is then ''), for readers that need none. */
export function openLineSource(
  path: string,
  maxLine: number = LIMITS.lineChars,
  hashed = true,
): LineSource {
  const name = path === '-' ? '<stdin>' : path;
  const hash = hashed ? createHash('sha256') : undefined;
  let digest = '';
  async function* batches(): AsyncGenerator<string[]> {
    const raw: Readable = path === '-' ? process.stdin : createReadStream(path);
    if (hash !== undefined) raw.on('data', (chunk: Buffer) => hash.update(chunk));
    const gz = path.endsWith('.gz');
    const stream: Readable = gz ? raw.pipe(createGunzip()) : raw;
    if (gz) raw.on('error', (e) => stream.destroy(e));
    const split = new LineSplitter(name, maxLine);
    /** The bytes of a character the previous chunk began but did not finish. */
    let carry: Buffer | undefined;
    try {
      for await (const chunk of stream) {
        let buf = chunk as Buffer;
        if (carry !== undefined) buf = Buffer.concat([carry, buf]);
        const keep = incompleteTail(buf);
        carry = keep > 0 ? Buffer.from(buf.subarray(buf.length - keep)) : undefined;
        if (keep > 0) buf = buf.subarray(0, buf.length - keep);
        // the lines before a byte that is not UTF-8 go on; then the line with it is refused
        let bad = -1;
        let badByte = 0;
        if (!isUtf8(buf)) {
          bad = Math.max(0, firstInvalidUtf8(buf));
          badByte = buf[bad] as number;
          buf = buf.subarray(0, bad);
        }
        const lines: string[] = [];
        split.push(buf.toString('utf8'), lines);
        if (lines.length > 0) yield lines;
        if (bad >= 0) throw notUtf8(name, split.lines + 1, badByte);
      }
    } catch (e) {
      if (InputError.isInstance(e)) throw e;
      if (gz && e instanceof Error && (e as NodeJS.ErrnoException).code?.startsWith('Z_')) {
        // where the decompressed text stopped: inside or at the start of the next line
        const at = split.lines === 0 && !split.inLine ? 0 : split.lines + 1;
        const why = `cannot read: ${describeIoError(e)}`;
        if (at === 0) throw new InputError(name, 0, '', `${why}, before line 1`);
        throw new InputError(name, at, '', `${why} (the stream broke in line ${at})`);
      }
      throw new InputError(name, 0, '', `cannot read: ${describeIoError(e)}`);
    }
    if (carry !== undefined) throw notUtf8(name, split.lines + 1, carry[0] as number);
    const last: string[] = [];
    const tail = split.end();
    if (tail !== undefined) last.push(tail);
    if (last.length > 0) yield last;
    digest = hash?.digest('hex') ?? '';
  }
  return {
    name,
    batches,
    sha256() {
      return digest;
    },
  };
}
