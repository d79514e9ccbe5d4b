/**
 * Output that is never half-written and never held whole in memory. A file is written under a
 * temporary name (`.NAME.<pid>.tmp`, synchronous writes of 64 KiB blocks, so memory stays flat
 * even inside a synchronous run loop) and renamed into place only when complete; on error, and
 * on SIGINT/SIGTERM/SIGHUP, the temporary file is removed. `.gz` output is written as a series
 * of gzip members of 1 MiB of text each (one gzip stream to every gunzip). File-system errors
 * are the user's (a bad path, a full disk): they become InputErrors naming the file.
 */
import { closeSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { gzipSync } from 'node:zlib';
import { describeIoError, InputError } from '@vfpu/core';
import { removeOnSignal } from './signals.js';

export interface Sink {
  write(text: string): void;
  /** UTF-8 text already encoded (whole lines), written as it is. */
  writeBytes(bytes: Uint8Array): void;
  /** Resolves when more may be written (backpressure; lets signals be handled). */
  ready(): Promise<void>;
  /** Completes the output (renames into place, or copies the spool to the stream). */
  commit(): Promise<void>;
  /** Abandons the output (removes the temporary file). */
  abort(): void;
}

const BLOCK = 1 << 16;
const GZ_MEMBER = 1 << 20;

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Buffered synchronous writes to a descriptor, optionally as gzip members. */
class BlockWriter {
  private buffer = '';
  private readonly flushAt: number;
  private readonly gz: boolean;
  readonly fd: number;
  written = 0;
  constructor(fd: number, gz: boolean) {
    this.fd = fd;
    this.gz = gz;
    this.flushAt = gz ? GZ_MEMBER : BLOCK;
  }
  write(text: string): void {
    this.buffer += text;
    if (this.buffer.length >= this.flushAt) this.flush();
  }
  flush(): void {
    if (this.buffer === '') return;
    const text = this.buffer;
    this.buffer = '';
    if (!this.gz) {
      // a string is written without a Buffer of ours: no external garbage piles up between GCs
      const n = writeSync(this.fd, text, null, 'utf8');
      const want = Buffer.byteLength(text, 'utf8');
      if (n === want) {
        this.written += n;
        return;
      }
      this.put(Buffer.from(text, 'utf8'), n);
      return;
    }
    this.put(gzipSync(Buffer.from(text, 'utf8')), 0);
  }
  writeBytes(bytes: Uint8Array): void {
    this.flush();
    this.put(this.gz ? gzipSync(bytes) : bytes, 0);
  }
  private put(data: Uint8Array, from: number): void {
    for (let off = from; off < data.length; )
      off += writeSync(this.fd, data, off, data.length - off, null);
    this.written += data.length;
  }
}

export function fileSink(path: string): Sink {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  // watched before it exists: a signal between creation and watching would leave it behind
  const forget = removeOnSignal(tmp);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (e) {
    forget();
    throw new InputError(path, 0, '', `cannot write: ${describeIoError(e)}`);
  }
  const out = new BlockWriter(fd, path.endsWith('.gz'));
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  const abort = () => {
    try {
      close();
    } finally {
      rmSync(tmp, { force: true });
      forget();
    }
  };
  const guard = (f: () => void) => {
    try {
      f();
    } catch (e) {
      abort();
      throw new InputError(path, 0, '', `cannot write: ${describeIoError(e)}`);
    }
  };
  return {
    write(text) {
      guard(() => out.write(text));
    },
    writeBytes(bytes) {
      guard(() => out.writeBytes(bytes));
    },
    ready: tick,
    async commit() {
      // a full turn of the event loop first (check, then poll, where signals are read): a signal
      // that arrived during a synchronous run (a preset) is handled, and the file removed,
      // rather than the file renamed into place
      await tick();
      await tick();
      guard(() => {
        out.flush();
        close();
        renameSync(tmp, path);
        forget();
      });
    },
    abort,
  };
}

/** Writes `chunk`, then waits for 'drain' if the stream asked for it. */
function writeStream(stream: NodeJS.WritableStream, chunk: string | Buffer): Promise<void> {
  if (stream.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => stream.once('drain', resolve));
}

/** Where `-o` sends output: `stdout` when no path is given or the path is `-` (as `-` reads stdin). */
export function outputSink(path: string | undefined, stdout: NodeJS.WritableStream): Sink {
  return path === undefined || path === '-' ? streamSink(stdout) : fileSink(path);
}

/** A sink on a stream (stdout) with write batching and backpressure; commit flushes. */
export function streamSink(stream: NodeJS.WritableStream): Sink {
  let buffer = '';
  let pending: Promise<void> | undefined;
  return {
    write(text) {
      buffer += text;
      if (buffer.length >= BLOCK) {
        const p = writeStream(stream, buffer);
        buffer = '';
        pending = pending ? pending.then(() => p) : p;
      }
    },
    writeBytes(bytes) {
      // a copy: the caller may reuse its buffer before the stream has written this one
      const p = writeStream(
        stream,
        buffer === '' ? Buffer.from(bytes) : Buffer.concat([Buffer.from(buffer), bytes]),
      );
      buffer = '';
      pending = pending ? pending.then(() => p) : p;
    },
    async ready() {
      const p = pending;
      pending = undefined;
      await (p ?? tick());
    },
    async commit() {
      if (buffer) await writeStream(stream, buffer);
      buffer = '';
      await pending;
    },
    abort() {
      buffer = '';
    },
  };
}

/**
 * A sink on a stream that writes nothing before commit, so an error leaves the stream empty
 * (explain). Up to 1 MiB is kept in memory; beyond that the text is spooled to a temporary file
 * (removed at once where the system allows it: it lives on through the descriptor) and copied
 * to the stream at commit, so memory stays flat whatever the length.
 */
export function spoolSink(stream: NodeJS.WritableStream): Sink {
  let buffer = '';
  let spool: { out: BlockWriter; forget: () => void; path: string } | undefined;
  const release = () => {
    if (spool === undefined) return;
    const s = spool;
    spool = undefined;
    try {
      closeSync(s.out.fd);
    } finally {
      rmSync(s.path, { force: true });
      s.forget();
    }
  };
  const open = () => {
    const path = join(tmpdir(), `.vfpu-explain.${process.pid}.${Date.now()}.tmp`);
    let forget = removeOnSignal(path);
    let fd: number;
    try {
      fd = openSync(path, 'wx+', 0o600);
    } catch (e) {
      forget();
      throw new InputError(
        path,
        0,
        '',
        `cannot write the explanation spool: ${describeIoError(e)}`,
      );
    }
    try {
      rmSync(path); // the descriptor keeps the data; nothing is left behind whatever happens
      forget();
      forget = () => {};
    } catch {
      // not removable while open (Windows): removed at the end, or on a signal
    }
    spool = { out: new BlockWriter(fd, false), forget, path };
  };
  return {
    write(text) {
      if (spool === undefined) {
        buffer += text;
        if (buffer.length < GZ_MEMBER) return;
        open();
        text = buffer;
        buffer = '';
      }
      const s = spool as NonNullable<typeof spool>;
      try {
        s.out.write(text);
      } catch (e) {
        release();
        throw new InputError(s.path, 0, '', `cannot write: ${describeIoError(e)}`);
      }
    },
    writeBytes(bytes) {
      this.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString());
    },
    ready: tick,
    async commit() {
      if (spool === undefined) {
        if (buffer) await writeStream(stream, buffer);
        buffer = '';
        return;
      }
      try {
        spool.out.flush();
        // copied back as 64 KiB strings (young-generation garbage, collected promptly)
        const block = Buffer.alloc(BLOCK);
        const utf8 = new StringDecoder('utf8');
        for (let pos = 0; pos < spool.out.written; ) {
          const n = readSync(spool.out.fd, block, 0, block.length, pos);
          if (n === 0) break;
          pos += n;
          const text = utf8.write(block.subarray(0, n));
          if (text) await writeStream(stream, text);
        }
        const rest = utf8.end();
        if (rest) await writeStream(stream, rest);
      } finally {
        release();
      }
    },
    abort() {
      buffer = '';
      release();
    },
  };
}
