/**
 * Streaming NDJSON input: a file, `-` for standard input, or a `.gz` file. Lines come out in
 * batches (one per chunk read) and the raw input bytes are hashed on the way.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { describeIoError, InputError } from '../errors.js';
import { firstInvalidUtf8, incompleteTail } from './utf8.js';

export interface LineSource {
  /** Display name for messages (`-` reads as `<stdin>`). */
  readonly name: string;
  /** Batches of lines without their line terminators. */
  batches(): AsyncGenerator<string[]>;
  /** SHA-256 of the raw input bytes, available once `batches()` is exhausted. */
  sha256(): string;
}

export function openLineSource(path: string): LineSource {
  const name = path === '-' ? '<stdin>' : path;
  const hash = createHash('sha256');
  let digest = '';
  async function* batches(): AsyncGenerator<string[]> {
    const raw: Readable = path === '-' ? process.stdin : createReadStream(path);
    raw.on('data', (chunk: Buffer) => hash.update(chunk));
    const gz = path.endsWith('.gz');
    const stream: Readable = gz ? raw.pipe(createGunzip()) : raw;
    if (gz) raw.on('error', (e) => stream.destroy(e));
    let tail = '';
    /** Lines handed out so far, for the line of a UTF-8 error. */
    let done = 0;
    /** The bytes of a character the previous chunk began but did not finish. */
    let carry: Buffer | undefined;
    try {
      for await (const chunk of stream) {
        let buf = chunk as Buffer;
        if (carry !== undefined) buf = Buffer.concat([carry, buf]);
        const keep = incompleteTail(buf);
        carry = keep > 0 ? Buffer.from(buf.subarray(buf.length - keep)) : undefined;
        if (keep > 0) buf = buf.subarray(0, buf.length - keep);
        let bad = -1;
        let badByte = 0;
        if (!isUtf8(buf)) {
          bad = Math.max(0, firstInvalidUtf8(buf));
          badByte = buf[bad] as number;
          buf = buf.subarray(0, bad);
        }
        const text = tail + buf.toString('utf8');
        const lines = text.split('\n');
        tail = lines.pop() ?? '';
        for (let i = 0; i < lines.length; i++) {
          const l = lines[i] as string;
          if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
        }
        done += lines.length;
        if (lines.length > 0) yield lines;
        if (bad >= 0) throw notUtf8(name, done + 1, badByte);
      }
    } catch (e) {
      if (InputError.isInstance(e)) throw e;
      const why = describeIoError(e);
      throw new InputError(name, 0, '', `cannot read: ${why}`);
    }
    if (carry !== undefined) throw notUtf8(name, done + 1, carry[0] as number);
    if (tail.endsWith('\r')) tail = tail.slice(0, -1);
    if (tail !== '') yield [tail];
    digest = hash.digest('hex');
  }
  return {
    name,
    batches,
    sha256() {
      return digest;
    },
  };
}

function notUtf8(file: string, line: number, byte: number): InputError {
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  return new InputError(file, line, '', `not UTF-8 text (byte ${hex}); workloads are UTF-8`);
}
