/**
 * Standard input read more than once (`vfpu import`'s two readers, `--jobs`' workers): spooled to
 * a temporary file first (created exclusively, mode 0600, removed when done or on a signal).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { describeIoError, InputError } from '@vfpu/core';
import { removeOnSignal } from './signals.js';

export interface Spool {
  readonly path: string;
  remove(): void;
}

export async function spoolStdin(): Promise<Spool> {
  const path = join(tmpdir(), `.vfpu-stdin.${process.pid}.${randomUUID()}`);
  const forget = removeOnSignal(path);
  const remove = () => {
    rmSync(path, { force: true });
    forget();
  };
  try {
    await pipeline(process.stdin, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (e) {
    remove();
    throw new InputError('<stdin>', 0, '', `cannot spool standard input: ${describeIoError(e)}`);
  }
  return { path, remove };
}
