/**
 * Streaming NDJSON input: a file, `-` for standard input, or a `.gz` file. Lines come out in
 * batches (one per chunk read) and the raw input bytes are hashed on the way.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { describeIoError, InputError } from '../errors.js';

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
    const decoder = new StringDecoder('utf8');
    let tail = '';
    try {
      for await (const chunk of stream) {
        const text = tail + decoder.write(chunk as Buffer);
        const lines = text.split('\n');
        tail = lines.pop() ?? '';
        for (let i = 0; i < lines.length; i++) {
          const l = lines[i] as string;
          if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
        }
        if (lines.length > 0) yield lines;
      }
    } catch (e) {
      const why = describeIoError(e);
      throw new InputError(name, 0, '', `cannot read: ${why}`);
    }
    tail += decoder.end();
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
