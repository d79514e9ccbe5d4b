/**
 * The oracle keeps a 4-bit mask of defined bytes per 32-bit word. These tests hold it to the
 * meaning of a flag per byte (the reference below, the oracle as it was) on random sequences of
 * writes, commits, control-register sets, undefines and checks at any offset and length, including
 * ranges that start or end inside a word (x87's 10-byte registers, SVE predicates of 2 × VQ bytes).
 */
import { describe, expect, it } from 'vitest';
import { Oracle } from '../src/oracle.js';
import { Rng } from '../src/rng.js';

const BYTES = 70; // not a multiple of 4: the last word is part of the register file

/** A flag per byte, as the oracle was before its masks. */
class ByteFlags {
  readonly truth = new Uint8Array(BYTES);
  readonly defined = new Uint8Array(BYTES);
  set(off: number, values: Uint8Array): void {
    for (let i = 0; i < values.length; i++) {
      this.truth[off + i] = values[i] as number;
      this.defined[off + i] = 1;
    }
  }
  check(actual: Uint8Array, off: number, len: number): number {
    for (let i = 0; i < len; i++)
      if (this.defined[off + i] === 1 && actual[off + i] !== this.truth[off + i]) return i;
    return -1;
  }
  readU32(hw: Uint8Array, off: number): number {
    let x = 0;
    for (let i = 3; i >= 0; i--)
      x = x * 256 + ((this.defined[off + i] === 1 ? this.truth[off + i] : hw[off + i]) as number);
    return x;
  }
}

function range(rng: Rng, max = BYTES): [number, number] {
  const off = rng.int(max);
  return [off, 1 + rng.int(Math.min(max - off, 24))];
}

describe('oracle: defined bytes as a mask per word', () => {
  it('agrees with a flag per byte on 20,000 random operations', () => {
    const rng = new Rng(5, 3);
    let checks = 0;
    let differences = 0;
    for (let round = 0; round < 40; round++) {
      const oracle = new Oracle(2, BYTES, round);
      const ref = new ByteFlags();
      const hw = new Uint8Array(BYTES);
      for (let step = 0; step < 500; step++) {
        const op = rng.int(6);
        if (op === 0) {
          const [off, len] = range(rng);
          oracle.write(hw, 1, off, len);
          ref.set(off, hw.subarray(off, off + len));
        } else if (op === 1) {
          const [off, len] = range(rng);
          const buf = new Uint8Array(BYTES);
          oracle.fill(buf, off, len);
          oracle.commit(buf, 1, off, len);
          ref.set(off, buf.subarray(off, off + len));
          hw.set(buf.subarray(off, off + len), off);
        } else if (op === 2) {
          const off = rng.int(BYTES - 3);
          const value = rng.u32();
          oracle.setU32(1, off, value);
          ref.set(off, Uint8Array.of(value, value >>> 8, value >>> 16, value >>> 24));
        } else if (op === 3) {
          const [off, len] = range(rng);
          oracle.undefine(1, off, len);
          ref.defined.fill(0, off, off + len);
        } else if (op === 4) {
          const at = rng.int(BYTES);
          hw[at] = (hw[at] as number) ^ (1 << rng.int(8)); // a lost bit, defined or not
        } else {
          const [off, len] = range(rng);
          const want = ref.check(hw, off, len);
          expect(oracle.check(hw, 1, off, len)).toBe(want);
          checks++;
          if (want !== -1) differences++;
          const at = rng.int(BYTES - 3);
          expect(oracle.readU32(hw, 1, at)).toBe(ref.readU32(hw, at));
        }
      }
      // the other context was never written: nothing of it is checked
      expect(oracle.check(new Uint8Array(BYTES).fill(0xaa), 0, 0, BYTES)).toBe(-1);
    }
    // both outcomes were exercised many times
    expect(checks).toBeGreaterThan(2000);
    expect(differences).toBeGreaterThan(200);
    expect(checks - differences).toBeGreaterThan(200);
  });

  it('checks the written bytes of a part-written word and not the others', () => {
    const oracle = new Oracle(1, 16, 1);
    const hw = new Uint8Array(16);
    oracle.write(hw, 0, 0, 10); // an x87 register: bytes 8 and 9 of word 2
    const actual = hw.slice();
    actual[10] = 0x55 ^ (actual[10] as number); // never written: not checked
    expect(oracle.check(actual, 0, 0, 16)).toBe(-1);
    actual[9] = 0x55 ^ (actual[9] as number); // written: checked
    expect(oracle.check(actual, 0, 0, 16)).toBe(9);
    oracle.undefine(0, 9, 1);
    expect(oracle.check(actual, 0, 0, 16)).toBe(-1);
  });
});
