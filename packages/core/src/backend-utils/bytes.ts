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

/**
 * `count` byte arrays of `bytes` each, views into one buffer (one allocation, whatever the
 * count: a run of 1,024 vCPUs makes thousands of register files), each starting on an 8-byte
 * boundary so 32- and 64-bit views of them stay aligned.
 */
export function byteArrays(count: number, bytes: number): Uint8Array[] {
  const stride = (bytes + 7) & ~7;
  const slab = new Uint8Array(count * stride);
  return Array.from({ length: count }, (_, i) => slab.subarray(i * stride, i * stride + bytes));
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

/** 32-bit views of byte arrays, made once per array (register files and save areas live long). */
const wordViews = new WeakMap<Uint8Array, Uint32Array>();

function words(b: Uint8Array): Uint32Array | undefined {
  let w = wordViews.get(b);
  if (w === undefined) {
    if ((b.byteOffset & 3) !== 0 || (b.byteLength & 3) !== 0) return undefined;
    w = new Uint32Array(b.buffer, b.byteOffset, b.byteLength >>> 2);
    wordViews.set(b, w);
  }
  return w;
}

/** Contiguous copies of this many bytes or more are one native copy. */
const NATIVE = 256;

/**
 * Copies `len` bytes at `start + k * stride` for k < `count` from `src` to `dst`. Returns the
 * bytes moved. A contiguous run of NATIVE bytes or more is one native copy (through a view of
 * `src`, the one thing allocated); word-aligned copies of 64 bytes or more move 32-bit words (a
 * view per array, made once); the rest move bytes.
 */
export function copyStrided(
  dst: Uint8Array,
  src: Uint8Array,
  start: number,
  stride: number,
  count: number,
  len: number,
): number {
  if ((count === 1 || stride === len) && len * count >= NATIVE) {
    // one contiguous run: the engine's memmove (a view costs less than the loop from here)
    dst.set(src.subarray(start, start + len * count), start);
    return count * len;
  }
  if (len * count >= 64 && ((start | stride | len) & 3) === 0) {
    const d = words(dst);
    const s = words(src);
    if (d !== undefined && s !== undefined) {
      const n = len >>> 2;
      for (let k = 0; k < count; k++) {
        const base = (start + k * stride) >>> 2;
        for (let i = 0; i < n; i++) d[base + i] = s[base + i] as number;
      }
      return count * len;
    }
  }
  for (let k = 0; k < count; k++) {
    const base = start + k * stride;
    for (let i = 0; i < len; i++) dst[base + i] = src[base + i] as number;
  }
  return count * len;
}
