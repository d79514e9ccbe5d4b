/** Byte helpers for register files and save areas (plain loops: nothing allocated). */
import type { Slice } from '../contract/registers.js';

/** A frozen slice (build them once, at machine creation: hooks return them without allocating). */
export function slice(offset: number, length: number): Slice {
  return Object.freeze({ offset, length });
}

/** `count` slices of `length` bytes, the first at `offset`, each `stride` after the previous. */
export function sliceTable(
  offset: number,
  length: number,
  count: number,
  stride = length,
): readonly Slice[] {
  return Object.freeze(Array.from({ length: count }, (_, k) => slice(offset + k * stride, length)));
}

/** A little-endian 32-bit word of a byte array. */
export function readU32(b: Uint8Array, off: number): number {
  return (
    ((b[off] as number) |
      ((b[off + 1] as number) << 8) |
      ((b[off + 2] as number) << 16) |
      ((b[off + 3] as number) << 24)) >>>
    0
  );
}

export function writeU32(b: Uint8Array, off: number, value: number): void {
  b[off] = value & 0xff;
  b[off + 1] = (value >>> 8) & 0xff;
  b[off + 2] = (value >>> 16) & 0xff;
  b[off + 3] = (value >>> 24) & 0xff;
}

/**
 * Copies `len` bytes at `start + k * stride` for k < `count` from `src` to `dst`. Returns the
 * bytes moved.
 */
export function copyStrided(
  dst: Uint8Array,
  src: Uint8Array,
  start: number,
  stride: number,
  count: number,
  len: number,
): number {
  for (let k = 0; k < count; k++) {
    const base = start + k * stride;
    for (let i = 0; i < len; i++) dst[base + i] = src[base + i] as number;
  }
  return count * len;
}
