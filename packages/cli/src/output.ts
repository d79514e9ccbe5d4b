/**
 * Output that is never half-written: a file is written under a temporary name and renamed
 * into place only when complete; on error the temporary file is removed. File-system errors
 * are the user's (a bad path): they become InputErrors naming the file.
 */
import { createWriteStream, openSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import { describeIoError, InputError } from '@vfpu/core';

export interface Sink {
  write(text: string): void;
  /** Completes the output (renames into place). */
  commit(): Promise<void>;
  /** Abandons the output (removes the temporary file). */
  abort(): void;
}

export function fileSink(path: string): Sink {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (e) {
    throw new InputError(path, 0, '', `cannot write: ${describeIoError(e)}`);
  }
  const file: WriteStream = createWriteStream('', { fd });
  const gz: Gzip | undefined = path.endsWith('.gz') ? createGzip() : undefined;
  if (gz) gz.pipe(file);
  const target: NodeJS.WritableStream = gz ?? file;
  let failed: unknown;
  file.on('error', (e) => {
    failed = e;
  });
  let buffer = '';
  const remove = () => rmSync(tmp, { force: true });
  return {
    write(text) {
      buffer += text;
      if (buffer.length > 1 << 16) {
        target.write(buffer);
        buffer = '';
      }
    },
    async commit() {
      target.write(buffer);
      buffer = '';
      await new Promise<void>((resolve) => {
        file.on('close', resolve);
        target.end();
      });
      try {
        if (failed !== undefined) throw failed;
        renameSync(tmp, path);
      } catch (e) {
        remove();
        throw new InputError(path, 0, '', `cannot write: ${describeIoError(e)}`);
      }
    },
    abort() {
      // the stream owns the descriptor and closes it: closing it here too could close a
      // descriptor number the process has reused in between
      file.destroy();
      remove();
    },
  };
}

/**
 * A sink on a stream (stdout) with write batching; commit flushes. With `whole`, nothing is
 * written before commit, so an error leaves stdout empty (explain: small workloads).
 */
export function streamSink(stream: NodeJS.WritableStream, whole = false): Sink {
  let buffer = '';
  const flushAt = whole ? Number.POSITIVE_INFINITY : 1 << 16;
  return {
    write(text) {
      buffer += text;
      if (buffer.length > flushAt) {
        stream.write(buffer);
        buffer = '';
      }
    },
    async commit() {
      if (buffer) stream.write(buffer);
      buffer = '';
    },
    abort() {
      buffer = '';
    },
  };
}
