/**
 * The state oracle. Every guest or host `write` stores fresh seeded values into the registers
 * it touches, in hardware and in the context's *truth* copy; every `read` compares hardware
 * with truth. Bytes never written, or made unpredictable by the architecture, are not checked.
 */
import { byteArrays } from './backend-utils/bytes.js';
import { Rng } from './rng.js';

/** A read that found the wrong value: where, whose register, and the byte that differed. */
export interface Violation {
  /** 1-based input line (0 for generated events) and 0-based event index. */
  readonly line: number;
  /** The 0-based index of the event in the run. */
  readonly event: number;
  /** The event's `op` (`use`, `user-get`, …). */
  readonly op: string;
  /** The context whose state was read (`vcpu0`, a host thread). */
  readonly context: string;
  /** The unit read. */
  readonly unit: string;
  /** The register number within the unit. */
  readonly register: number;
  /** Byte offset inside the register. */
  readonly byte: number;
  /** The byte the context last wrote there. */
  readonly expected: number;
  /** The byte the read found. */
  readonly actual: number;
}

/**
 * Which bytes of a context's truth are defined: a 4-bit mask per 32-bit word (bit k: byte k of
 * the word), a quarter of the memory of a flag per byte, with the same meaning. A register whose
 * length is not a multiple of 4 (x87's 10 bytes, an SVE predicate of 2 × VQ bytes) leaves a word
 * part-defined, and only its written bytes are checked.
 */
const ALL = 0xf;

export class Oracle {
  readonly truth: Uint8Array[];
  /** Per context, a byte per 32-bit word of the register file: the mask of its defined bytes. */
  private readonly defined: Uint8Array[];
  reads = 0;
  violations = 0;
  first: Violation | null = null;
  private readonly rng: Rng;

  constructor(contexts: number, registerFileBytes: number, seed: number) {
    this.truth = byteArrays(contexts, registerFileBytes);
    this.defined = byteArrays(contexts, (registerFileBytes + 3) >>> 2);
    this.rng = new Rng(seed, 7);
  }

  /** Fresh values into `hw[off..off+len)` and the truth of `ctx`. */
  write(hw: Uint8Array, ctx: number, off: number, len: number): void {
    const t = this.truth[ctx] as Uint8Array;
    const d = this.defined[ctx] as Uint8Array;
    for (let i = 0; i < len; i += 4) {
      let r = this.rng.u32();
      const p = off + i;
      if (len - i >= 4 && (p & 3) === 0) {
        hw[p] = t[p] = r & 0xff;
        hw[p + 1] = t[p + 1] = (r >>> 8) & 0xff;
        hw[p + 2] = t[p + 2] = (r >>> 16) & 0xff;
        hw[p + 3] = t[p + 3] = r >>> 24;
        d[p >>> 2] = ALL;
        continue;
      }
      const n = Math.min(len - i, 4);
      for (let k = 0; k < n; k++) {
        const b = r & 0xff;
        r >>>= 8;
        hw[p + k] = b;
        t[p + k] = b;
        define(d, p + k);
      }
    }
  }

  /** Fresh values into `buf` and the truth of `ctx` only if `commit` (userspace writes). */
  fill(buf: Uint8Array, off: number, len: number): void {
    for (let i = 0; i < len; i++) buf[off + i] = this.rng.u32() & 0xff;
  }

  commit(buf: Uint8Array, ctx: number, off: number, len: number): void {
    const t = this.truth[ctx] as Uint8Array;
    const d = this.defined[ctx] as Uint8Array;
    for (let i = off; i < off + len; i++) t[i] = buf[i] as number;
    mark(d, off, len, true);
  }

  /**
   * Compares `actual[off..off+len)` with the truth of `ctx`. Returns the first differing byte
   * offset relative to `off`, or −1.
   */
  check(actual: Uint8Array, ctx: number, off: number, len: number): number {
    this.reads++;
    const t = this.truth[ctx] as Uint8Array;
    const d = this.defined[ctx] as Uint8Array;
    const end = off + len;
    let p = off;
    while (p < end) {
      const m = d[p >>> 2] as number;
      if (m === 0) {
        p = (p | 3) + 1; // a word with nothing defined
        continue;
      }
      if (m === ALL && (p & 3) === 0 && p + 4 <= end) {
        if (
          actual[p] === t[p] &&
          actual[p + 1] === t[p + 1] &&
          actual[p + 2] === t[p + 2] &&
          actual[p + 3] === t[p + 3]
        ) {
          p += 4;
          continue;
        }
      }
      // a word in part defined, in part outside the range, or with a difference: byte by byte
      const stop = Math.min((p | 3) + 1, end);
      for (; p < stop; p++) if (m & (1 << (p & 3)) && actual[p] !== t[p]) return p - off;
    }
    return -1;
  }

  /** A 32-bit little-endian control register of `ctx`: its truth where defined, else `hw`. */
  readU32(hw: Uint8Array, ctx: number, off: number): number {
    const t = this.truth[ctx] as Uint8Array;
    const d = this.defined[ctx] as Uint8Array;
    let x = 0;
    for (let i = 3; i >= 0; i--)
      x = x * 256 + ((isDefined(d, off + i) ? t[off + i] : hw[off + i]) as number);
    return x;
  }

  /** Sets a 32-bit little-endian control register's truth (a value the guest wrote). */
  setU32(ctx: number, off: number, value: number): void {
    const t = this.truth[ctx] as Uint8Array;
    const d = this.defined[ctx] as Uint8Array;
    for (let i = 0; i < 4; i++) {
      t[off + i] = (value >>> (8 * i)) & 0xff;
      define(d, off + i);
    }
  }

  record(v: Violation): void {
    this.violations++;
    if (this.first === null) this.first = v;
  }

  undefine(ctx: number, off: number, len: number): void {
    mark(this.defined[ctx] as Uint8Array, off, len, false);
  }
}

/** Bytes [off, off + len) defined (`on`) or not: the whole words in it at once, the ends by byte. */
function mark(d: Uint8Array, off: number, len: number, on: boolean): void {
  const end = off + len;
  let p = off;
  for (; p < end && (p & 3) !== 0; p++) {
    if (on) define(d, p);
    else forget(d, p);
  }
  for (; p + 4 <= end; p += 4) d[p >>> 2] = on ? ALL : 0;
  for (; p < end; p++) {
    if (on) define(d, p);
    else forget(d, p);
  }
}

function define(d: Uint8Array, p: number): void {
  d[p >>> 2] = (d[p >>> 2] as number) | (1 << (p & 3));
}

function forget(d: Uint8Array, p: number): void {
  d[p >>> 2] = (d[p >>> 2] as number) & ~(1 << (p & 3));
}

function isDefined(d: Uint8Array, p: number): boolean {
  return ((d[p >>> 2] as number) & (1 << (p & 3))) !== 0;
}
