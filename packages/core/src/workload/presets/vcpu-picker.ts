/**
 * Which vCPU an idle pCPU loads next, found by bitmaps rather than a loop over every vCPU: the
 * vCPUs not running, and per pCPU the vCPUs that last ran there. A search scans 32 vCPUs a word,
 * in cyclic order from a start, so a run of 1,024 vCPUs on 512 pCPUs costs what 16 on 2 do.
 */
export class VcpuPicker {
  private readonly words: number;
  /** Bit v: vCPU v is not running. */
  private readonly free: Uint32Array;
  /** pCPU × words, bit v: vCPU v last ran on that pCPU. */
  private readonly last: Uint32Array;
  private readonly lastCpu: Int32Array;

  constructor(vcpus: number, cpus: number) {
    this.words = (vcpus + 31) >>> 5;
    this.free = new Uint32Array(this.words);
    this.last = new Uint32Array(cpus * this.words);
    this.lastCpu = new Int32Array(vcpus);
    for (let v = 0; v < vcpus; v++) {
      this.free[v >>> 5] = (this.free[v >>> 5] as number) | (1 << (v & 31));
      this.setLast(v, v % cpus);
    }
  }

  private setLast(v: number, c: number): void {
    const bit = 1 << (v & 31);
    const old = (this.lastCpu[v] as number) * this.words + (v >>> 5);
    this.last[old] = (this.last[old] as number) & ~bit;
    const i = c * this.words + (v >>> 5);
    this.last[i] = (this.last[i] as number) | bit;
    this.lastCpu[v] = c;
  }

  /** vCPU `v` is loaded on pCPU `c`. */
  take(v: number, c: number): void {
    this.free[v >>> 5] = (this.free[v >>> 5] as number) & ~(1 << (v & 31));
    this.setLast(v, c);
  }

  /** vCPU `v` stops running. */
  release(v: number): void {
    this.free[v >>> 5] = (this.free[v >>> 5] as number) | (1 << (v & 31));
  }

  /**
   * The first vCPU not running, in cyclic order from `start`, that last ran on `c` (or, with
   * `migrate`, that did not); failing that the first not running; −1 if every vCPU runs.
   */
  pick(start: number, c: number, migrate: boolean): number {
    const v = this.first(start, c, migrate ? 2 : 1);
    return v >= 0 ? v : this.first(start, c, 0);
  }

  /** The first set bit from `start`, cyclic, of free (mode 0), free ∧ last[c] (1), free ∧ ¬last[c] (2). */
  private first(start: number, c: number, mode: number): number {
    const W = this.words;
    const base = c * W;
    const w0 = start >>> 5;
    // words w0 … W−1 (the first from start's bit), then 0 … w0 (the last below start's bit)
    for (let k = 0; k <= W; k++) {
      const w = k < W - w0 ? w0 + k : k - (W - w0);
      let x = this.free[w] as number;
      if (mode === 1) x &= this.last[base + w] as number;
      else if (mode === 2) x &= ~(this.last[base + w] as number);
      if (k === 0) x &= ~0 << (start & 31);
      else if (k === W) x &= (1 << (start & 31)) - 1;
      if (x !== 0) return (w << 5) + (31 - Math.clz32(x & -x));
    }
    return -1;
  }
}
