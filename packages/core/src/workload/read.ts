/**
 * Streaming NDJSON input: a file, `-` for standard input, or a `.gz` file. The input is cut at
 * its last line feed per chunk read and decoded once into a flat string of whole lines (a
 * `TextChunk`); the raw input bytes are hashed on the way. A line longer than
 * `LIMITS.lineChars` is refused as soon as it passes the limit; a byte that is not UTF-8 is
 * refused in its line after the lines before it; a stream that breaks (corrupt or truncated
 * `.gz`) is reported at the line it broke in, or "before line 1".
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { describeIoError, InputError } from '../errors.js';
import { LIMITS } from './format.js';
import { firstInvalidUtf8 } from './utf8.js';

/** A workload's lines, read in batches (a file, gzip, stdin or anything else), for `runLines`. */
export interface LineSource {
  /** Display name for messages (`-` reads as `<stdin>`). */
  readonly name: string;
  /** Batches of lines without their line terminators. */
  batches(): AsyncGenerator<string[]>;
  /** SHA-256 of the raw input bytes, available once `batches()` is exhausted. */
  sha256(): string;
}

/**
 * Whole lines of the input, decoded once: `text` holds `lines` lines, each ended by `\n` (a
 * `\r` before it belongs to the terminator). Readers walk it with `indexOf('\n')` and slice
 * only what they keep.
 */
export interface TextChunk {
  readonly text: string;
  readonly lines: number;
  /** The UTF-8 bytes `text` was decoded from (a view the reader reuses: copy what you keep). */
  readonly bytes: Uint8Array;
}

/** A line source that also yields its text in chunks (the fast path of the import). */
export interface ChunkSource extends LineSource {
  chunks(): AsyncGenerator<TextChunk>;
}

function notUtf8(file: string, line: number, byte: number): InputError {
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  return new InputError(file, line, '', `not UTF-8 text (byte ${hex}); workloads are UTF-8`);
}

/** UTF-16 length of well-formed UTF-8 bytes (what a JS string of them measures). */
function utf16Length(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = b[i] as number;
    if ((c & 0xc0) !== 0x80) n += c >= 0xf0 ? 2 : 1;
  }
  return n;
}

/** The end of the line text[start, nl) of a chunk, before its `\r` if it ends CRLF. */
export function lineEnd(text: string, start: number, nl: number): number {
  return nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
}

/** `hashed` false: no SHA-256 of the input (`sha256()` is then ''), for readers that need none. */
export function openLineSource(
  path: string,
  maxLine: number = LIMITS.lineChars,
  hashed = true,
): ChunkSource {
  const name = path === '-' ? '<stdin>' : path;
  const gz = path.endsWith('.gz');
  const hash = hashed ? createHash('sha256') : undefined;
  let digest = '';
  let lines = 0;
  const tooLong = (): InputError =>
    new InputError(
      name,
      lines + 1,
      '',
      `line longer than ${maxLine} characters (the workload format's limit)`,
    );
  /** Lines of a decoded text, checked against the limit where its bytes allow a long one. */
  function count(text: string, bytes: number): number {
    let n = 0;
    for (
      let pos = 0, nl = text.indexOf('\n');
      nl >= 0;
      pos = nl + 1, nl = text.indexOf('\n', pos)
    ) {
      if (bytes > maxLine && lineEnd(text, pos, nl) - pos > maxLine) {
        lines += n;
        throw tooLong();
      }
      n++;
    }
    return n;
  }
  /**
   * The chunk of bytes `b` of whole lines (each ended by LF); at a byte that is not UTF-8, the
   * lines before it, then the error in its line.
   */
  function* whole(b: Buffer): Generator<TextChunk> {
    const bad = isUtf8(b) ? -1 : Math.max(0, firstInvalidUtf8(b));
    const good = bad < 0 ? b : b.subarray(0, b.lastIndexOf(10, bad) + 1);
    if (good.length > 0) {
      const text = good.toString('utf8');
      const c: TextChunk = { text, lines: count(text, good.length), bytes: good };
      yield c;
      lines += c.lines;
    }
    if (bad >= 0) throw notUtf8(name, lines + 1, b[bad] as number);
  }
  /**
   * The input's bytes. A plain file is read with readSync into one reused buffer (an async read
   * stream waits for the thread pool on every 64 KiB: several times slower), with a turn of the
   * event loop every 1 MiB so signals are still handled; standard input and `.gz` stream.
   */
  async function* bytes(): AsyncGenerator<Buffer> {
    if (path !== '-' && !gz) {
      const fd = openSync(path, 'r');
      try {
        const buf = Buffer.allocUnsafe(1 << 16);
        for (let k = 1; ; k++) {
          const n = readSync(fd, buf, 0, buf.length, null);
          if (n === 0) return;
          const data = buf.subarray(0, n);
          hash?.update(data);
          yield data;
          if ((k & 15) === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } finally {
        closeSync(fd);
      }
    }
    const raw: Readable = path === '-' ? process.stdin : createReadStream(path);
    if (hash !== undefined) raw.on('data', (chunk: Buffer) => hash.update(chunk));
    const stream: Readable = gz ? raw.pipe(createGunzip()) : raw;
    if (gz) raw.on('error', (e) => stream.destroy(e));
    for await (const data of stream) yield data as Buffer;
  }
  async function* chunks(): AsyncGenerator<TextChunk> {
    /** The start of a line the chunks so far have not finished (a copy: `bytes` reuses its buffer). */
    let carry: Buffer | undefined;
    try {
      for await (const data of bytes()) {
        const b = carry === undefined ? data : Buffer.concat([carry, data]);
        const last = b.lastIndexOf(10);
        carry = last + 1 < b.length ? Buffer.from(b.subarray(last + 1)) : undefined;
        // an unfinished line past the limit (a CR at its end may be half of its terminator)
        if (last >= 0) yield* whole(b.subarray(0, last + 1));
        if (carry !== undefined && carry.length > maxLine) {
          const cr = carry[carry.length - 1] === 13 ? 1 : 0;
          if (utf16Length(carry, 0, carry.length) - cr > maxLine) {
            if (!isUtf8(carry)) yield* whole(carry);
            throw tooLong();
          }
        }
      }
    } catch (e) {
      if (InputError.isInstance(e)) throw e;
      if (gz && e instanceof Error && (e as NodeJS.ErrnoException).code?.startsWith('Z_')) {
        // where the decompressed text stopped: inside or at the start of the next line
        const at = lines === 0 && carry === undefined ? 0 : lines + 1;
        const why = `cannot read: ${describeIoError(e)}`;
        if (at === 0) throw new InputError(name, 0, '', `${why}, before line 1`);
        throw new InputError(name, at, '', `${why} (the stream broke in line ${at})`);
      }
      throw new InputError(name, 0, '', `cannot read: ${describeIoError(e)}`);
    }
    if (carry !== undefined) yield* whole(Buffer.concat([carry, Buffer.of(10)]));
    digest = hash?.digest('hex') ?? '';
  }
  async function* batches(): AsyncGenerator<string[]> {
    for await (const { text } of chunks()) {
      const out: string[] = [];
      for (
        let pos = 0, nl = text.indexOf('\n');
        nl >= 0;
        pos = nl + 1, nl = text.indexOf('\n', pos)
      )
        out.push(text.slice(pos, lineEnd(text, pos, nl)));
      yield out;
    }
  }
  return {
    name,
    chunks,
    batches,
    sha256() {
      return digest;
    },
  };
}
