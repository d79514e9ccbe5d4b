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

export class Oracle {
  readonly truth: Uint8Array[];
  readonly defined: Uint8Array[];
  reads = 0;
  violations = 0;
  first: Violation | null = null;
  private readonly rng: Rng;

  constructor(contexts: number, registerFileBytes: number, seed: number) {
    this.truth = byteArrays(contexts, registerFileBytes);
    this.defined = byteArrays(contexts, registerFileBytes);
    this.rng = new Rng(seed, 7);
  }

  /** Fresh values into `hw[off..off+len)` and the truth of `ctx`. */
  write(hw: Uint8Array, ctx: number, off: number, len: number): void {
    const t = this.truth[ctx] as Uint8Array;
    const d = this.defined[ctx] as Uint8Array;
    for (let i = 0; i < len; i += 4) {
      let r = this.rng.u32();
      const n = Math.min(len - i, 4);
      for (let k = 0; k < n; k++) {
        const b = r & 0xff;
        r >>>= 8;
        hw[off + i + k] = b;
        t[off + i + k] = b;
        d[off + i + k] = 1;
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
    for (let i = 0; i < len; i++) {
      t[off + i] = buf[off + i] as number;
      d[off + i] = 1;
    }
  }

  /**
   * Compares `actual[off..off+len)` with the truth of `ctx`. Returns the first differing byte
   * offset relative to `off`, or −1.
   */
  check(actual: Uint8Array, ctx: number, off: number, len: number): number {
    this.reads++;
    const t = this.truth[ctx] as Uint8Array;
    const d = this.defined[ctx] as Uint8Array;
    for (let i = 0; i < len; i++) {
      if (d[off + i] === 1 && actual[off + i] !== t[off + i]) return i;
    }
    return -1;
  }

  /** A 32-bit little-endian control register of `ctx`: its truth where defined, else `hw`. */
  readU32(hw: Uint8Array, ctx: number, off: number): number {
    const t = this.truth[ctx] as Uint8Array;
    const d = this.defined[ctx] as Uint8Array;
    let x = 0;
    for (let i = 3; i >= 0; i--)
      x = x * 256 + ((d[off + i] === 1 ? t[off + i] : hw[off + i]) as number);
    return x;
  }

  /** Sets a 32-bit little-endian control register's truth (a value the guest wrote). */
  setU32(ctx: number, off: number, value: number): void {
    const t = this.truth[ctx] as Uint8Array;
    const d = this.defined[ctx] as Uint8Array;
    for (let i = 0; i < 4; i++) {
      t[off + i] = (value >>> (8 * i)) & 0xff;
      d[off + i] = 1;
    }
  }

  record(v: Violation): void {
    this.violations++;
    if (this.first === null) this.first = v;
  }

  undefine(ctx: number, off: number, len: number): void {
    (this.defined[ctx] as Uint8Array).fill(0, off, off + len);
  }
}
