/**
 * Streaming NDJSON input: a file, `-` for standard input, or a `.gz` file. The input is cut at
 * its last line feed per chunk read: whole lines of checked UTF-8 bytes (a `ByteChunk`, which
 * `run` parses in place), or decoded once into a flat string (a `TextChunk`); the raw input
 * bytes are hashed on the way. A line longer than
 * `LIMITS.lineChars` is refused as soon as it passes the limit; a byte that is not UTF-8 is
 * refused in its line after the lines before it; a stream that breaks (corrupt or truncated
 * `.gz`) is reported at the line it broke in, or "before line 1".
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import type { Readable, TransformOptions } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import { describeIoError, InputError } from '../errors.js';
import { Wakeup } from '../wakeup.js';
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

/** Whole lines of the input as UTF-8 bytes, each ended by `\n` (a `\r` before it belongs to the terminator). */
export interface ByteChunk {
  /** The bytes (a view the reader reuses: copy what you keep). */
  readonly bytes: Buffer;
  /**
   * The number of lines, or -1 until counted: a reader of every line sets it before asking for
   * the next chunk (sparing the reader a pass over the bytes); else the reader counts them.
   */
  lines: number;
}

/** A line source that also yields its text in chunks (the fast paths of the import and of `run`). */
export interface ChunkSource extends LineSource {
  chunks(): AsyncGenerator<TextChunk>;
  /** The chunks undecoded (well-formed UTF-8): what a byte-level parser reads in place. */
  byteChunks(): AsyncGenerator<ByteChunk>;
}

/** Bytes read from a plain file at a time, and reads between two turns of the event loop. */
const READ = 1 << 18;
/** How far a `.gz` input is read and inflated ahead of the thread that runs it. */
const GZ_READ_AHEAD = 1 << 20;
/** zlib passes the stream options (`highWaterMark`) on to its Transform; its types do not say so. */
const GUNZIP: ZlibOptions & TransformOptions = { chunkSize: READ, highWaterMark: GZ_READ_AHEAD };
const TURN = 4;

function notUtf8(file: string, line: number, byte: number): InputError {
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  return new InputError(file, line, '', `not UTF-8 text (byte ${hex}); workloads are UTF-8`);
}

/** The line feeds in b[from, to), a byte at a time. */
function lineFeedsIn(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (b[i] === 10) n++;
  return n;
}

/**
 * The line feeds in `b`, four bytes at a time (a byte at a time is three times slower): in each
 * aligned 32-bit word, the bytes equal to 0x0a become zero bytes, whose high bits are counted.
 * Every call runs every statement (the ends by lineFeedsIn), so the optimised loop is not
 * thrown away at a statement it has not seen yet.
 */
function lineFeeds(b: Uint8Array): number {
  const head = Math.min(b.length, (4 - (b.byteOffset & 3)) & 3);
  const words = (b.length - head) >>> 2;
  let n = lineFeedsIn(b, 0, head) + lineFeedsIn(b, head + 4 * words, b.length);
  const w = new Uint32Array(b.buffer, b.byteOffset + head, words);
  for (let k = 0; k < words; k++) {
    const y = (w[k] as number) ^ 0x0a0a0a0a;
    const zero = ~(((y & 0x7f7f7f7f) + 0x7f7f7f7f) | y | 0x7f7f7f7f);
    n += Math.imul(zero >>> 7, 0x01010101) >>> 24;
  }
  return n;
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

/** {@link lineEnd} of a line of bytes b[start, nl). */
export function byteLineEnd(b: Uint8Array, start: number, nl: number): number {
  return nl > start && b[nl - 1] === 13 ? nl - 1 : nl;
}

/** The end of the line text[start, nl) of a chunk, before its `\r` if it ends CRLF. */
export function lineEnd(text: string, start: number, nl: number): number {
  return nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
}

/**
 * The chunks of `stream`, then its error if it fails: the chunks it holds when it fails are read
 * first. (`for await` drops them, and how many it holds depends on timing: a `.gz` input that
 * breaks would then say it broke at a line that depends on how busy the reader was.)
 */
async function* chunksThenError(stream: Readable): AsyncGenerator<Buffer> {
  let failed: Error | undefined;
  let ended = false;
  const woken = new Wakeup();
  stream.on('readable', woken.wake);
  stream.on('end', () => {
    ended = true;
    woken.wake();
  });
  stream.on('error', (e) => {
    failed = e;
    woken.wake();
  });
  try {
    for (;;) {
      const d = stream.read() as Buffer | null;
      if (d !== null) yield d;
      else if (failed !== undefined) throw failed;
      else if (ended) return;
      else await woken.wait();
    }
  } finally {
    stream.destroy();
  }
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
  /** Lines of a decoded text, checked against the limit (for bytes that allow a long one). */
  function countLong(text: string): number {
    let n = 0;
    for (
      let pos = 0, nl = text.indexOf('\n');
      nl >= 0;
      pos = nl + 1, nl = text.indexOf('\n', pos)
    ) {
      if (lineEnd(text, pos, nl) - pos > maxLine) {
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
  function* whole(b: Buffer): Generator<ByteChunk> {
    const bad = isUtf8(b) ? -1 : Math.max(0, firstInvalidUtf8(b));
    const good = bad < 0 ? b : b.subarray(0, b.lastIndexOf(10, bad) + 1);
    if (good.length > 0) {
      // lines are counted here only where the bytes allow a long one
      const c: ByteChunk = {
        bytes: good,
        lines: good.length > maxLine ? countLong(good.toString('utf8')) : -1,
      };
      yield c;
      lines += c.lines >= 0 ? c.lines : lineFeeds(good);
    }
    if (bad >= 0) throw notUtf8(name, lines + 1, b[bad] as number);
  }
  /**
   * The input as it arrives: `buf` holds the start of a line the chunks so far have not
   * finished (`have` bytes), then what was read after it (no copy of that start per read);
   * it grows only for a line longer than a read.
   */
  let buf = Buffer.allocUnsafe(2 * READ);
  let have = 0;
  /** Room for `n` more bytes after the unfinished line. */
  function room(n: number): void {
    if (have + n <= buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * buf.length, have + n));
    buf.copy(bigger, 0, 0, have);
    buf = bigger;
  }
  /** The whole lines once `n` bytes were added after the unfinished line; keeps the rest. */
  function* take(n: number): Generator<ByteChunk> {
    if (n === 0) return;
    const end = have + n;
    const last = buf.lastIndexOf(10, end - 1);
    if (last >= 0) {
      yield* whole(buf.subarray(0, last + 1));
      buf.copyWithin(0, last + 1, end);
      have = end - last - 1;
    } else have = end;
    // an unfinished line past the limit (a CR at its end may be half of its terminator)
    if (have > maxLine) {
      const cr = buf[have - 1] === 13 ? 1 : 0;
      if (utf16Length(buf, 0, have) - cr > maxLine) {
        if (!isUtf8(buf.subarray(0, have))) yield* whole(buf.subarray(0, have));
        throw tooLong();
      }
    }
  }
  /**
   * The input's chunks. A plain file is read with readSync straight into `buf` (an async read
   * stream waits for the thread pool on every 64 KiB: several times slower), with a turn of the
   * event loop every 1 MiB so signals are still handled; standard input and `.gz` stream.
   */
  async function* read(): AsyncGenerator<ByteChunk> {
    if (path !== '-' && !gz) {
      const fd = openSync(path, 'r');
      try {
        // a read of at most the limit: a line past it then starts a chunk (the lines before it
        // are handed out first)
        const most = Math.max(1, Math.min(READ, maxLine));
        for (let k = 1; ; k++) {
          room(most);
          const n = readSync(fd, buf, have, most, null);
          if (n === 0) return;
          hash?.update(buf.subarray(have, have + n));
          yield* take(n);
          if (k % TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } finally {
        closeSync(fd);
      }
    }
    const raw: Readable =
      path === '-' ? process.stdin : createReadStream(path, { highWaterMark: GZ_READ_AHEAD });
    if (hash !== undefined) raw.on('data', (chunk: Buffer) => hash.update(chunk));
    // inflate runs on the thread pool: big chunks, and room to inflate ahead while this thread
    // parses and simulates the chunk before (16 KiB chunks cost a turn of the loop each)
    const stream: Readable = gz ? raw.pipe(createGunzip(GUNZIP)) : raw;
    if (gz) raw.on('error', (e) => stream.destroy(e));
    for await (const d of chunksThenError(stream)) {
      room(d.length);
      d.copy(buf, have);
      yield* take(d.length);
    }
  }
  async function* byteChunks(): AsyncGenerator<ByteChunk> {
    try {
      yield* read();
    } catch (e) {
      if (InputError.isInstance(e)) throw e;
      if (gz && e instanceof Error && (e as NodeJS.ErrnoException).code?.startsWith('Z_')) {
        // where the decompressed text stopped: inside or at the start of the next line
        const at = lines === 0 && have === 0 ? 0 : lines + 1;
        const why = `cannot read: ${describeIoError(e)}`;
        if (at === 0) throw new InputError(name, 0, '', `${why}, before line 1`);
        throw new InputError(name, at, '', `${why} (the stream broke in line ${at})`);
      }
      throw new InputError(name, 0, '', `cannot read: ${describeIoError(e)}`);
    }
    if (have > 0) {
      room(1);
      buf[have] = 10;
      yield* whole(buf.subarray(0, have + 1));
    }
    digest = hash?.digest('hex') ?? '';
  }
  async function* chunks(): AsyncGenerator<TextChunk> {
    for await (const c of byteChunks()) {
      if (c.lines < 0) c.lines = lineFeeds(c.bytes);
      yield { text: c.bytes.toString('utf8'), lines: c.lines, bytes: c.bytes };
    }
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
    byteChunks,
    batches,
    sha256() {
      return digest;
    },
  };
}
