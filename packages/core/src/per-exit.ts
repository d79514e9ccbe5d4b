/**
 * FP work per exit reason: every root FP trap and every save or restore is charged to the cause
 * current on its vCPU, the kernel's name of the vCPU's most recent exit (its `label`, else its
 * `reason`), so a report can say what each kind of exit costs in FP work (perf kvm stat counts
 * exits; nothing attributes the FP work to them). A trap is charged to the exit that took the state
 * away, not to itself: on a lazy kernel an `mmio` exit costs its put's save, and the later trap and
 * restore. Causes that are not exits: `(first entry)` before a vCPU's first exit, `(preemption)`
 * after a `put` or `sched-out`, `(host)` for host events (host-use, switch, kernel-fpu, work of a
 * pCPU) and `(uapi)` for userspace's access (user-get, user-set, syscall).
 */

export const FIRST_ENTRY = 0;
export const PREEMPTION = 1;
export const HOST = 2;
export const UAPI = 3;
const FIXED = ['(first entry)', '(preemption)', '(host)', '(uapi)'];

/** The FP work charged to one cause (an exit name or a fixed cause such as `(first entry)`). */
export interface ExitWork {
  /** Exits of this name (0 for the fixed causes). */
  readonly exits: number;
  /** Root FP/SIMD traps charged to it. */
  readonly traps: number;
  /** Save routine calls charged to it. */
  readonly saves: number;
  /** Restore routine calls charged to it. */
  readonly restores: number;
  /** Bytes those saves and restores moved. */
  readonly bytes: number;
}

export class PerExit {
  private readonly names: string[] = [...FIXED];
  private readonly index = new Map<string, number>(FIXED.map((n, i) => [n, i]));
  private readonly exits: number[] = FIXED.map(() => 0);
  private readonly traps: number[] = FIXED.map(() => 0);
  private readonly saves: number[] = FIXED.map(() => 0);
  private readonly restores: number[] = FIXED.map(() => 0);
  private readonly bytes: number[] = FIXED.map(() => 0);
  /** Per vCPU: the cause its FP work is charged to now. */
  private readonly causeOf: Int32Array;
  /** What the event being run charges. */
  current = FIRST_ENTRY;

  constructor(vcpus: number) {
    this.causeOf = new Int32Array(vcpus);
  }

  /** A non-FP exit of `v` named `name` (a Map lookup; a new name is added once). */
  exit(v: number, name: string): void {
    let c = this.index.get(name);
    if (c === undefined) {
      c = this.names.length;
      this.names.push(name);
      this.index.set(name, c);
      this.exits.push(0);
      this.traps.push(0);
      this.saves.push(0);
      this.restores.push(0);
      this.bytes.push(0);
    }
    this.exits[c] = (this.exits[c] as number) + 1;
    this.causeOf[v] = c;
    this.current = c;
  }

  /** An event of vCPU `v` that is not an exit: its FP work goes to v's cause. */
  vcpu(v: number): void {
    this.current = this.causeOf[v] as number;
  }

  /** `put` / `sched-out` of `v`. */
  preempted(v: number): void {
    this.causeOf[v] = PREEMPTION;
    this.current = PREEMPTION;
  }

  trap(): void {
    const c = this.current;
    this.traps[c] = (this.traps[c] as number) + 1;
  }

  save(bytes: number): void {
    const c = this.current;
    this.saves[c] = (this.saves[c] as number) + 1;
    this.bytes[c] = (this.bytes[c] as number) + bytes;
  }

  restore(bytes: number): void {
    const c = this.current;
    this.restores[c] = (this.restores[c] as number) + 1;
    this.bytes[c] = (this.bytes[c] as number) + bytes;
  }

  /** Causes that happened (an exit, or FP work), in the order first seen. */
  report(): Record<string, ExitWork> {
    const out: Record<string, ExitWork> = {};
    this.names.forEach((name, c) => {
      const w = {
        exits: this.exits[c] as number,
        traps: this.traps[c] as number,
        saves: this.saves[c] as number,
        restores: this.restores[c] as number,
        bytes: this.bytes[c] as number,
      };
      if (w.exits + w.traps + w.saves + w.restores !== 0) out[name] = w;
    });
    return out;
  }
}

/**
 * The same FP work by vCPU or by pCPU (`--by vcpu|cpu`), four figures per index (traps, saves,
 * restores, bytes) in one typed array, the last index for `none`: work of no vCPU (host events),
 * or of a vCPU on no pCPU. The accounting adds at `current` (an offset, set once per event).
 */
export class PerIndex {
  readonly work: Float64Array;
  /** The offset (4 × index) charged now. */
  current: number;
  private readonly size: number;

  constructor(size: number) {
    this.size = size;
    this.current = 4 * size;
    this.work = new Float64Array(4 * (size + 1));
  }

  at(i: number): void {
    this.current = 4 * (i >= 0 && i < this.size ? i : this.size);
  }

  /** One entry per index, then `none`. */
  report(): { readonly items: FpWork[]; readonly none: FpWork } {
    const w = this.work;
    const at = (i: number): FpWork => ({
      traps: w[4 * i] as number,
      saves: w[4 * i + 1] as number,
      restores: w[4 * i + 2] as number,
      bytes: w[4 * i + 3] as number,
    });
    return { items: Array.from({ length: this.size }, (_, i) => at(i)), none: at(this.size) };
  }
}

/** The FP work of one vCPU or one pCPU (`per_vcpu`, `per_cpu`, `per_none` of a report). */
export interface FpWork {
  /** Root FP/SIMD traps. */
  readonly traps: number;
  /** Save routine calls. */
  readonly saves: number;
  /** Restore routine calls. */
  readonly restores: number;
  /** Bytes saved and restored. */
  readonly bytes: number;
}
