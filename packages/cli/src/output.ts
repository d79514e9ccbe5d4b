/**
 * Output that is never half-written: a file is written under a temporary name and renamed
 * into place only when complete; on error the temporary file is removed.
 */
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';

export interface Sink {
  write(text: string): void;
  /** Completes the output (renames into place). */
  commit(): Promise<void>;
  /** Abandons the output (removes the temporary file). */
  abort(): void;
}

export function fileSink(path: string): Sink {
  const tmp = `${dirname(path)}/.${path.split('/').pop()}.${process.pid}.tmp`;
  const file: WriteStream = createWriteStream(tmp);
  const gz: Gzip | undefined = path.endsWith('.gz') ? createGzip() : undefined;
  if (gz) gz.pipe(file);
  const target: NodeJS.WritableStream = gz ?? file;
  let failed: Error | undefined;
  file.on('error', (e) => {
    failed = e;
  });
  let buffer = '';
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
      await new Promise<void>((resolve, reject) => {
        file.on('finish', resolve);
        file.on('error', reject);
        target.end();
      });
      if (failed) throw failed;
      renameSync(tmp, path);
    },
    abort() {
      target.end();
      file.destroy();
      rmSync(tmp, { force: true });
    },
  };
}

/** A sink on a stream (stdout) with write batching; commit flushes. */
export function streamSink(stream: NodeJS.WritableStream): Sink {
  let buffer = '';
  return {
    write(text) {
      buffer += text;
      if (buffer.length > 1 << 16) {
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
