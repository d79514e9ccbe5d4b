/**
 * Reading the JSON that `vfpu report` is given, with the line an error is on: a whole document
 * (`JSON.parse`'s "at position N" turned into a line), or NDJSON one line at a time; and the
 * small field checks the readers share (`FILE:LINE: FIELD: expected …`).
 */
import { InputError } from '@vfpu/core';

export type Json = Record<string, unknown>;

/** The 1-based line of character `pos` of `text`. */
function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** `JSON.parse(text)`, or the error as `FILE:LINE: malformed JSON (…)`. */
export function parseDocument(text: string, file: string, firstLine = 1): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const end = text.trimEnd().length; // "end of input" is on the last line that has text
    const m = /at position (\d+)|\(line (\d+) column/.exec(message);
    const line =
      m?.[2] !== undefined
        ? Number(m[2])
        : m?.[1] !== undefined
          ? lineAt(text, Math.min(Number(m[1]), end))
          : lineAt(text, end);
    throw new InputError(file, firstLine - 1 + line, '', `malformed JSON (${message})`);
  }
}

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Where a field is, for messages: `FILE:LINE` and the path inside the document. */
export interface At {
  readonly file: string;
  readonly line: number;
  readonly path: string;
}

export function at(a: At, key: string | number): At {
  const path = typeof key === 'number' ? `${a.path}[${key}]` : a.path ? `${a.path}.${key}` : key;
  return { ...a, path };
}

function fail(a: At, detail: string): never {
  throw new InputError(a.file, a.line, a.path, detail);
}

export function objectAt(v: unknown, a: At): Json {
  if (!isObject(v)) fail(a, v === undefined ? 'missing' : 'expected an object');
  return v;
}

export function arrayAt(v: unknown, a: At): unknown[] {
  if (!Array.isArray(v)) fail(a, v === undefined ? 'missing' : 'expected an array');
  return v;
}

export function stringAt(v: unknown, a: At): string {
  if (typeof v !== 'string') fail(a, v === undefined ? 'missing' : 'expected a string');
  return v;
}

export function numberAt(v: unknown, a: At): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    fail(a, v === undefined ? 'missing' : 'expected a number');
  return v;
}

/** `obj[key]` checked as a number, for each key. */
export function numbersAt(obj: Json, keys: readonly string[], a: At): void {
  for (const k of keys) numberAt(obj[k], at(a, k));
}

export { fail as failAt };
