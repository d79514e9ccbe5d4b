/**
 * `vfpu check`'s comparison: the FP tracepoints a trace recorded (kvm_fpu, kvm_aux, FP kvm_exit)
 * against those the modelled kernel fires (Tracer.tracepoint) replaying the imported workload, in
 * order per vCPU. Both sides arrive as streams; a vCPU's two queues hold only what one side has
 * and the other not yet, so memory stays flat while they agree. After the first divergence only
 * the counts per kind go on.
 *
 * The replay of a vCPU begins at its first workload event (its first entry in the trace): the
 * model puts it into KVM_RUN from nothing there, while the trace may have begun inside a KVM_RUN
 * (a recording starts anywhere). So the FP tracepoints the trace recorded for a vCPU up to that
 * event's trace line, and those the model fires running that first event, are the prologue:
 * counted, shown, not compared.
 */

export interface RecordedSide {
  readonly event: string;
  readonly detail: string;
  /** The trace line (1-based) and its text. */
  readonly traceLine: number;
  readonly text: string;
}

export interface PredictedSide {
  readonly event: string;
  readonly detail: string;
  /** The workload line of the event that made the kernel fire it, and that event's trace line. */
  readonly workloadLine: number;
  readonly traceLine: number;
}

export interface Divergence {
  readonly vcpu: number;
  /** 1-based: the vCPU's n-th FP tracepoint. */
  readonly index: number;
  /** What the trace has there (null: the trace ended). */
  readonly recorded: RecordedSide | null;
  /** What the model fired there (null: the model fired nothing more). */
  readonly predicted: PredictedSide | null;
}

export interface KindCount {
  recorded: number;
  predicted: number;
}

export class TraceComparison {
  private readonly rec: RecordedSide[][] = [];
  private readonly pred: PredictedSide[][] = [];
  private readonly matched: number[] = [];
  /** Per vCPU: its replay began (its first workload event ran). */
  private readonly started: boolean[] = [];
  /** Not compared: recorded before each vCPU's replay began, fired by its first event. */
  prologue = { recorded: 0, predicted: 0 };
  /** Per `event: detail`, how many each side has. */
  readonly kinds = new Map<string, KindCount>();
  first: Divergence | null = null;

  recorded(vcpu: number, r: RecordedSide): void {
    this.kind(r.event, r.detail).recorded++;
    if (this.first !== null) return;
    this.queue(this.rec, vcpu).push(r);
    if (this.started[vcpu] === true) this.match(vcpu);
  }

  hasStarted(vcpu: number): boolean {
    return this.started[vcpu] === true;
  }

  /** vCPU `vcpu`'s first workload event (from trace line `traceLine`) is about to run. */
  start(vcpu: number, traceLine: number): void {
    if (this.started[vcpu] === true) return;
    this.started[vcpu] = true;
    const q = this.queue(this.rec, vcpu);
    let n = 0;
    while (n < q.length && (q[n] as RecordedSide).traceLine <= traceLine) n++;
    this.prologue.recorded += n;
    q.splice(0, n);
  }

  /** A tracepoint the model fired running a vCPU's first event: counted, not compared. */
  predictedPrologue(event: string, detail: string): void {
    this.kind(event, detail).predicted++;
    this.prologue.predicted++;
  }

  predicted(vcpu: number, p: PredictedSide): void {
    this.kind(p.event, p.detail).predicted++;
    if (this.first !== null) return;
    this.queue(this.pred, vcpu).push(p);
    if (this.started[vcpu] === true) this.match(vcpu);
  }

  /** Both streams ended: what one side still has is a divergence. */
  finish(): void {
    // a vCPU with no workload event at all: everything recorded for it is prologue
    this.rec.forEach((q, v) => {
      if (this.started[v] !== true) {
        this.prologue.recorded += q.length;
        q.length = 0;
      }
    });
    const n = Math.max(this.rec.length, this.pred.length);
    for (let v = 0; v < n && this.first === null; v++) {
      const r = this.rec[v]?.[0];
      const p = this.pred[v]?.[0];
      if (r !== undefined || p !== undefined)
        this.first = {
          vcpu: v,
          index: (this.matched[v] ?? 0) + 1,
          recorded: r ?? null,
          predicted: p ?? null,
        };
    }
  }

  /** FP tracepoints both sides agreed on. */
  get agreed(): number {
    return this.matched.reduce((a, b) => a + b, 0);
  }

  private match(v: number): void {
    const r = this.rec[v] as RecordedSide[] | undefined;
    const p = this.pred[v] as PredictedSide[] | undefined;
    while (r !== undefined && p !== undefined && r.length > 0 && p.length > 0) {
      const a = r[0] as RecordedSide;
      const b = p[0] as PredictedSide;
      if (a.event !== b.event || a.detail !== b.detail) {
        this.first = { vcpu: v, index: (this.matched[v] ?? 0) + 1, recorded: a, predicted: b };
        this.rec.length = 0;
        this.pred.length = 0;
        return;
      }
      r.shift();
      p.shift();
      this.matched[v] = (this.matched[v] ?? 0) + 1;
    }
  }

  private queue<T>(qs: T[][], v: number): T[] {
    while (qs.length <= v) qs.push([]);
    return qs[v] as T[];
  }

  private kind(event: string, detail: string): KindCount {
    const key = `${event}: ${detail}`;
    let k = this.kinds.get(key);
    if (k === undefined) {
      k = { recorded: 0, predicted: 0 };
      this.kinds.set(key, k);
    }
    return k;
  }
}
