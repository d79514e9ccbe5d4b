/**
 * Issue 16: workload lines are read by a fast path (core workload/parse-fast.ts) that only takes
 * lines it fully checks and leaves the rest to the full parser. Here, on every line of every
 * conformance scenario and on 14 mutations of each (blanks, duplicate keys, odd numbers,
 * escapes, unknown keys, values out of range, missing fields, bad labels and reasons, trailing
 * bytes), a line the fast path takes must be one the full parser takes, into the same record;
 * and the fast path must take nearly all unmutated lines of the ops it reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildLattice } from '@vfpu/core';
import { EventParser, parseHeader, WorkloadEvent } from '@vfpu/core/internal';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/backends.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FILES = readdirSync(ROOT).flatMap((pkg) => {
  const dir = join(ROOT, pkg, 'test', 'scenarios');
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.ndjson'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
});
const FAST_OPS = new Set([
  'load',
  'enter',
  'use',
  'exit',
  'put',
  'host-use',
  'switch',
  'kernel-fpu',
  'work',
  'run',
  'sched-out',
]);

function mutations(line: string, k: number): string[] {
  const firstKey = /^\{("[^"]+":[^,}]+)/.exec(line)?.[1] ?? '"op":"x"';
  return [
    line.replace(':', ': '),
    line.replace('{', `{${firstKey},`),
    line.replace(/"vcpu":\d+/, '"vcpu":1.0'),
    line.replace(/"vcpu":\d+/, '"vcpu":-0'),
    line.replace(/"cpu":\d+/, `"cpu":0${k % 10}`),
    line.replace(/"vcpu":\d+/, `"vcpu":${1000 + k}`),
    line.replace(/"(unit|reason|thread|label)":"([^"]*)"/, '"$1":"\\u0041$2"'),
    line.replace('}', ',"bogus":1}'),
    line.replace(/,"[a-z]+":[^,}]+/, ''),
    line.replace('}', k % 2 ? ',"ts":-1}' : ',"ts":1e400}'),
    line.replace(
      /"(label|reason|unit|access|thread|condition|preempt)":"[^"]*"/,
      '"$1":"no such!"',
    ),
    line.includes('"label"')
      ? line.replace(/"label":"[^"]*"/, '"label":"bad!"')
      : line.replace('}', ',"label":"x!"}'),
    // valid: the same fields in another order (op last)
    line.replace(/^\{("op":"[^"]+"),(.*)\}$/, '{$2,$1}'),
    k % 3 === 0 ? `${line} ` : k % 3 === 1 ? `${line}x` : line.replace(/"reg":\d+/, '"reg":999'),
  ];
}

describe('the fast path of workload parsing', () => {
  it('takes only what the full parser takes, into the same record, on every scenario line and its mutations', () => {
    let fastOpLines = 0;
    let taken = 0;
    let mutatedTaken = 0;
    let checked = 0;
    for (const file of FILES) {
      const lines = readFileSync(file, 'utf8').split('\n');
      const header = parseHeader(lines[0] as string, file);
      const backend = BACKENDS.find((b) => b.id === (header.arch ?? 'mips-vz'));
      if (backend === undefined) continue;
      const variant =
        backend.variants.find((v) => v.id === header.variant) ??
        backend.variants.find((v) => v.id === backend.defaultVariant);
      if (variant === undefined) continue;
      const parser = new EventParser({
        file,
        header,
        variant,
        lattice: buildLattice(variant.units),
        neutralOnly: header.arch === undefined,
      });
      const a = new WorkloadEvent();
      const b = new WorkloadEvent();
      lines.slice(1).forEach((line, i) => {
        if (line.trim() === '') return;
        for (const [j, text] of [line, ...mutations(line, i)].entries()) {
          checked++;
          const fast = parser.parseFast(text, i + 2, a);
          if (j === 0 && FAST_OPS.has(/"op":"([^"]+)"/.exec(line)?.[1] ?? '')) {
            fastOpLines++;
            if (fast) taken++;
          }
          if (!fast) continue;
          if (j > 0 && text !== line) mutatedTaken++;
          let full: boolean | string;
          try {
            full = parser.parseFull(text, i + 2, b);
          } catch (e) {
            full = (e as Error).message;
          }
          expect(full, `${file}:${i + 2}: ${text}`).toBe(true);
          expect({ ...a }, `${file}:${i + 2}: ${text}`).toEqual({ ...b });
        }
      });
    }
    expect(FILES.length).toBeGreaterThan(100);
    expect(checked).toBeGreaterThan(10_000);
    // nearly every line of an op the fast path reads is taken by it (not a vacuous check)
    expect(taken / fastOpLines).toBeGreaterThan(0.95);
    // and it takes the valid mutations too (fields in another order)
    expect(mutatedTaken).toBeGreaterThan(taken / 2);
  });
});
