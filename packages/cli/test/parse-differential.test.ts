/**
 * Issue 16: the byte-level fast path of event parsing (core workload/parse-fast.ts, reading a
 * line in place in the reader's chunk) against the reference, the full parser (`JSON.parse` and
 * every rule), on random lines: valid ones of every field the fast path reads, in any order,
 * and the same corrupted by random edits (quotes, escapes, blanks, CR, digits, signs, non-ASCII,
 * NUL, braces). Whenever the fast path takes a line it must end it at its own line feed (CRLF
 * included) and the full parser must take it into the same record; a line it leaves goes to the
 * full parser, so the errors are the reference's by construction. The string entry (runText,
 * runLines) must take exactly what the byte entry takes.
 */
import { buildLattice, COMMON_OPTIONAL, OP_FORMATS } from '@vfpu/core';
import { EventParser, OPS, type OpName, parseHeader, WorkloadEvent } from '@vfpu/core/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/backends.js';

function parserFor(headerLine: string): { parser: EventParser; units: string[] } {
  const header = parseHeader(headerLine, 'w');
  const backend = BACKENDS.find((b) => b.id === (header.arch ?? 'mips-vz'));
  if (backend === undefined) throw new Error('no backend');
  const variant = backend.variants.find((v) => v.id === (header.variant ?? backend.defaultVariant));
  if (variant === undefined) throw new Error('no variant');
  const lattice = buildLattice(variant.units);
  const parser = new EventParser({
    file: 'w',
    header,
    variant,
    lattice,
    neutralOnly: header.arch === undefined,
  });
  return { parser, units: lattice.units.map((u) => u.id) };
}

const HEADERS = [
  '{"format":"vfpu-workload","version":1,"cpus":2,"vcpus":3,"threads":["bash","qemu"]}',
  '{"format":"vfpu-workload","version":1,"arch":"x86-xfd","cpus":2,"vcpus":12,"threads":["vmmx","qemu"]}',
  '{"format":"vfpu-workload","version":1,"arch":"arm-vfp","cpus":1,"vcpus":2}',
];

/** Values a field may take: mostly valid, some out of range or of the wrong kind. */
function fieldValue(field: string, units: string[]): fc.Arbitrary<string> {
  const num = fc.oneof(
    { arbitrary: fc.nat(1).map(String), weight: 12 },
    fc.nat(20).map(String),
    fc.constantFrom('0', '-0', '01', '1.0', '1e2', '-1', '1E+1', '9007199254740993', '1e400'),
    fc.double({ min: 0, max: 1e6, noNaN: true }).map(String),
  );
  const str = (xs: string[]) =>
    fc
      .oneof({ arbitrary: fc.constantFrom(...xs), weight: 6 }, fc.string({ maxLength: 6 }))
      .map((s) => JSON.stringify(s));
  switch (field) {
    case 'op':
      return str([...OPS, 'nope']);
    case 'unit':
      return str([...units, 'fp', 'simd', 'vector', 'matrix', 'nope']);
    case 'access':
      return str(['read', 'write', 'rw', 'RW']);
    case 'condition':
      return str(['passes', 'fails']);
    case 'preempt':
      return str(['after-trap', 'after-trap ']);
    case 'reason':
      return str(['mmio', 'irq', 'other', 'hlt', 'io']);
    case 'label':
      return str(['EXIT_MMIO', 'a b/c', 'x!', '_', 'A'.repeat(64), 'A'.repeat(65), 'é']);
    case 'thread':
      return str(['vmm0', 'vmm1', 'vmm01', 'vmm11', 'bash', 'qemu', 'é', 'vmm']);
    default:
      return num;
  }
}

/** A line of a random op (the fast path reads all but four) with a random subset of the fields it may carry, in any order. */
function lineOf(units: string[]): fc.Arbitrary<string> {
  return fc.constantFrom<OpName>(...OPS).chain((op) => {
    const f = OP_FORMATS[op];
    const optional = [...f.optional, ...COMMON_OPTIONAL, 'bogus'];
    // mostly what the op requires, then a few others; in any order
    return fc
      .tuple(fc.subarray(optional, { maxLength: 2 }), fc.boolean())
      .chain(([extra, all]) =>
        fc.shuffledSubarray(['op', ...f.required, ...extra], {
          minLength: all ? 2 + f.required.length + extra.length - 1 : 1,
        }),
      )
      .chain((keys) =>
        fc
          .tuple(
            ...keys.map((k) =>
              k === 'op'
                ? fc.oneof(
                    { arbitrary: fc.constant(JSON.stringify(op)), weight: 9 },
                    fieldValue('op', units),
                  )
                : fieldValue(k, units),
            ),
          )
          .map((vals) => `{${keys.map((k, i) => `"${k}":${vals[i]}`).join(',')}}`),
      );
  });
}

const EDIT_CHARS = [
  '"',
  '\\',
  ' ',
  '\r',
  '\t',
  'é',
  '\u0000',
  '0',
  '-',
  '.',
  'e',
  '}',
  ',',
  ':',
  'a',
  '{',
];
/** The line with up to three random edits (delete, insert or replace one character). */
function corrupted(line: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(
      line,
      fc.array(
        fc.tuple(fc.nat(), fc.constantFrom('del', 'ins', 'rep'), fc.constantFrom(...EDIT_CHARS)),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([l, edits]) => {
      let s = l;
      for (const [at, kind, ch] of edits) {
        const i = at % (s.length + 1);
        s = s.slice(0, i) + (kind === 'del' ? '' : ch) + s.slice(kind === 'ins' ? i : i + 1);
      }
      return s;
    });
}

/** The full parser's verdict: the record, false (blank) or the error message. */
function reference(parser: EventParser, text: string, ev: WorkloadEvent): unknown {
  try {
    return parser.parseSlow(text, 7, ev) ? { ...ev } : false;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('byte-level fast path against the full parser', () => {
  for (const headerLine of HEADERS) {
    it(`takes only what JSON.parse and the rules take, into the same record (${headerLine.slice(40, 70)}…)`, () => {
      const { parser, units } = parserFor(headerLine);
      const a = new WorkloadEvent();
      const b = new WorkloadEvent();
      let taken = 0;
      const line = lineOf(units);
      fc.assert(
        fc.property(fc.oneof(line, corrupted(line)), fc.boolean(), (raw, crlf) => {
          // the line as the reader holds it: after another line, ended by LF or CRLF
          const prev = '{"op":"run"}';
          const bytes = Buffer.from(`${prev}\n${raw}${crlf ? '\r\n' : '\n'}{"op":"put"}\n`);
          const from = Buffer.byteLength(prev) + 1;
          const nl = parser.parseAt(bytes, from, 7, a);
          // the text the full parser gets: the line without its terminator
          const text = raw.endsWith('\r') && !crlf ? raw.slice(0, -1) : raw;
          const stringTaken = parser.parseFast(text, 7, b);
          if (nl < 0) {
            // the string entry takes exactly what the byte entry takes
            expect(stringTaken).toBe(false);
            return;
          }
          taken++;
          expect(nl).toBe(bytes.indexOf(10, from));
          expect(stringTaken).toBe(true);
          expect({ ...b }).toEqual({ ...a });
          expect(reference(parser, text, b)).toEqual({ ...a });
        }),
        { numRuns: 3000, seed: 16 },
      );
      // not vacuous: about a tenth of the lines are taken
      expect(taken).toBeGreaterThan(200);
    });
  }
});
