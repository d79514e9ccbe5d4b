/** The helpers backends call: byte copies (both paths), slices, ids, cost tables. */
import { describe, expect, it } from 'vitest';
import { copyStrided, estimates, idOf, sliceTable } from '../src/backend-utils/index.js';

function pattern(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

/** What copyStrided must do, byte by byte. */
function reference(
  dst: Uint8Array,
  src: Uint8Array,
  start: number,
  stride: number,
  count: number,
  len: number,
) {
  for (let k = 0; k < count; k++)
    for (let i = 0; i < len; i++)
      dst[start + k * stride + i] = src[start + k * stride + i] as number;
}

describe('copyStrided', () => {
  const cases: [string, number, number, number, number][] = [
    ['word-aligned, large (word path)', 0, 32, 32, 16],
    ['word-aligned SVE-like (word path)', 0, 272, 32, 64],
    ['unaligned start (byte path)', 3, 16, 8, 8],
    ['odd length (byte path)', 0, 16, 32, 6],
    ['one small register (byte path)', 264, 0, 1, 8],
    ['contiguous registers, 512 bytes (native path)', 40, 16, 32, 16],
    ['one long register, unaligned (native path)', 3, 0, 1, 1021],
  ];
  for (const [what, start, stride, count, len] of cases) {
    it(what, () => {
      const src = pattern(9000, 7);
      const dst = pattern(9000, 91);
      const want = dst.slice();
      reference(want, src, start, stride, count, len);
      expect(copyStrided(dst, src, start, stride, count, len)).toBe(count * len);
      expect(dst).toEqual(want);
    });
  }

  it('views at an aligned and at an unaligned offset of a larger buffer', () => {
    for (const off of [64, 65])
      for (const [stride, len] of [
        [32, 16], // strided: word or byte path
        [16, 16], // contiguous: native path
      ] as const) {
        const buf = pattern(4096, 1);
        const src = pattern(1024, 5);
        const dst = buf.subarray(off, off + 1024);
        const want = dst.slice();
        reference(want, src, 0, stride, 32, len);
        copyStrided(dst, src, 0, stride, 32, len);
        expect(dst).toEqual(want);
        // nothing outside the view was touched
        expect(buf.subarray(0, off)).toEqual(pattern(4096, 1).subarray(0, off));
        expect(buf.subarray(off + 1024)).toEqual(pattern(4096, 1).subarray(off + 1024));
      }
  });
});

describe('slices, ids and cost tables', () => {
  it('sliceTable lays out `count` frozen slices at a stride', () => {
    const t = sliceTable(8, 4, 3, 16);
    expect(t.map((s) => [s.offset, s.length])).toEqual([
      [8, 4],
      [24, 4],
      [40, 4],
    ]);
    expect(Object.isFrozen(t[0])).toBe(true);
  });

  it('idOf throws on a name the variant does not declare', () => {
    expect(idOf({ fpu: 0, msa: 1 }, 'msa')).toBe(1);
    expect(() => idOf({ fpu: 0 }, 'lasx')).toThrow('no id named "lasx" (declared: fpu)');
  });

  it('estimates marks every figure as an estimate', () => {
    const t = estimates({
      trap: 1,
      host_trap: 2,
      exit: 3,
      save_fixed: 4,
      save_per_byte: 5,
      restore_fixed: 6,
      restore_per_byte: 7,
      control: 8,
    });
    expect(t.exit).toEqual({ value: 3, source: 'estimate' });
  });
});
