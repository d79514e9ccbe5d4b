/** Shared by the bad-input tests: a header with fields replaced, and the shape of a refusal. */
import { expect } from 'vitest';
import { HEADER, type Line } from './helpers.js';

/** Header with some fields replaced (undefined removes a field). */
export function header(over: Record<string, unknown> = {}): Record<string, unknown> {
  const h: Record<string, unknown> = { ...HEADER, ...over };
  for (const [k, v] of Object.entries(over)) if (v === undefined) delete h[k];
  return h;
}

/** Asserts the common shape of a bad-input failure and returns stderr. */
export function expectUsageFailure(
  r: { code: number; out: string; err: string },
  fragments: readonly string[],
): void {
  expect(r.out).toBe('');
  expect(r.err).not.toContain('    at ');
  expect(r.err).not.toContain('internal error');
  for (const f of fragments) expect(r.err).toContain(f);
  // one message, one line
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.code).toBe(2);
}

export interface WorkloadCase {
  /** Test name. */
  readonly name: string;
  /** The workload (header included) or raw text. */
  readonly workload: readonly Line[] | string;
  /** Line and field of the message (field null when the message has none). */
  readonly line: number;
  readonly field: string | null;
  /** The part of the message after `field: ` (or after `file:line: `). */
  readonly message: string;
  /** Further fragments the message must contain. */
  readonly also?: readonly string[];
  /** Extra arguments after `run FILE --json`. */
  readonly args?: readonly string[];
}
