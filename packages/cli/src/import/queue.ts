/**
 * The workload lines of one pass, in order, with a bounded look-ahead: an exit's reason is known
 * only when the trace shows what the kernel did next (KVM_RUN returned to userspace, or the
 * vCPU entered again), and an MIPS/LoongArch FP trap is a `use` only when a kvm_aux load of that
 * vCPU follows. Such a line is a Slot left open in a FIFO; everything after it waits behind it,
 * and lines leave in order as soon as the head is decided. The FIFO is bounded (MAX_OPEN
 * lines): past it, the head is decided as the caller's `force` says (counted by the caller).
 */

export interface Slot {
  /** The line once decided; null while open. */
  text: string | null;
  readonly traceLine: number;
  readonly vcpu: number;
  /** The kernel's name of the exit (already a valid workload label). */
  readonly label: string;
  readonly ts: string;
  /** Open as an FP trap (may still become a `use`), else as an exit awaiting its reason. */
  fp: boolean;
}

export const MAX_OPEN = 1 << 16;

export class LineQueue {
  /** Decided lines ready to leave (the current batch). */
  texts: string[] = [];
  traceLines: number[] = [];
  /** Lines written (decided and left), for the summary. */
  written = 0;
  private readonly fifo: Slot[] = [];
  private head = 0;
  /** false in the counting pass: texts are not kept. */
  private readonly keep: boolean;
  private readonly force: (s: Slot) => void;

  constructor(keep: boolean, force: (s: Slot) => void) {
    this.keep = keep;
    this.force = force;
  }

  get open(): number {
    return this.fifo.length - this.head;
  }

  /** A decided line. */
  push(text: string, traceLine: number): void {
    if (this.open === 0) this.out(text, traceLine);
    else this.fifo.push({ text, traceLine, vcpu: -1, label: '', ts: '', fp: false });
  }

  /** An undecided line (decide it by setting `text`, then call `drain`). */
  slot(traceLine: number, vcpu: number, label: string, ts: string, fp: boolean): Slot {
    const s: Slot = { text: null, traceLine, vcpu, label, ts, fp };
    this.fifo.push(s);
    if (this.open > MAX_OPEN) {
      const h = this.fifo[this.head] as Slot;
      if (h.text === null) this.force(h);
      this.drain();
    }
    return s;
  }

  /** Lets the decided head lines leave. */
  drain(): void {
    const f = this.fifo;
    while (this.head < f.length) {
      const s = f[this.head] as Slot;
      if (s.text === null) break;
      this.out(s.text, s.traceLine);
      this.head++;
    }
    if (this.head === f.length) {
      f.length = 0;
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > f.length) {
      f.splice(0, this.head);
      this.head = 0;
    }
  }

  /** Takes the lines ready so far. */
  take(): { texts: string[]; traceLines: number[] } {
    const b = { texts: this.texts, traceLines: this.traceLines };
    this.texts = [];
    this.traceLines = [];
    return b;
  }

  private out(text: string, traceLine: number): void {
    this.written++;
    if (!this.keep) return;
    this.texts.push(text);
    this.traceLines.push(traceLine);
  }
}
