/** A whole small input file as text (a cost table, a sweep grid, results for `vfpu report`). */
import { readFileSync } from 'node:fs';
import { describeIoError, InputError } from '@vfpu/core';

/** The file's text; refused (FILE:0) if it cannot be read or is not UTF-8. */
export function readText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InputError(path, 0, '', `cannot read: ${describeIoError(e)}`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(path, 0, '', 'not UTF-8 text');
  }
}
