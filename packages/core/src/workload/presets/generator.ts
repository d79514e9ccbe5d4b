/**
 * Seeded, lazy workload generators. Events are produced as they are consumed, into one reused
 * record, so a 100-million-event run needs no more memory than a 1 000-event one.
 */
import { EXIT_REASONS } from '../../backend-utils/exit-table.js';
import { Rng } from '../../rng.js';
import { UNIT_CLASSES } from '../../units.js';
import { Access, Op, type WorkloadEvent } from '../event.js';
import type { WorkloadHeader } from '../parse-header.js';
import { PRESETS, type PresetParams, presetParams } from './catalog.js';
import { VcpuPicker } from './vcpu-picker.js';

const CPU_IDLE = 0;
const CPU_LOADED = 1;
const CPU_GUEST = 2;
const CPU_HOST = 3;

/** A lazy generator of one preset's events. */
export class PresetGenerator {
  readonly header: WorkloadHeader;
  readonly params: PresetParams;
  private readonly rng: Rng;
  private readonly total: number;
  private produced = 0;
  private readonly cpuState: Uint8Array;
  private readonly cpuVcpu: Int32Array;
  private readonly cpuSteps: Int32Array;
  private readonly cpuHostSteps: Int32Array;
  private readonly cpuThread: Int32Array;
  /** The other way: the pCPU each thread is current on, or −1 (a lookup, not a loop over pCPUs). */
  private readonly threadCpu: Int32Array;
  private readonly vcpuCpu: Int32Array;
  private readonly picker: VcpuPicker;
  private readonly simdUser: Uint8Array;
  private readonly reasonCdf: Float64Array;
  private readonly reasonIndex: Int32Array;
  private readonly threads: number;
  private readonly vcpus: number;
  /** Class probabilities for heavy SIMD users and for the others (vector classes at 1/10). */
  private readonly probSimd: Float64Array;
  private readonly probOther: Float64Array;

  constructor(
    name: string,
    events: number,
    seed: number,
    overrides: Readonly<Record<string, number>> = {},
  ) {
    const spec = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
    this.params = presetParams(name, overrides);
    const p = this.params;
    this.header = {
      format: 'vfpu-workload',
      version: 1,
      name: `preset:${name}`,
      cpus: p.cpus,
      vcpus: p.vcpus,
      threads: spec?.threads ?? [],
      config: {},
    };
    this.rng = new Rng(seed, 11);
    this.total = events;
    this.vcpus = p.vcpus;
    this.threads = this.header.threads.length;
    this.cpuState = new Uint8Array(p.cpus);
    this.cpuVcpu = new Int32Array(p.cpus).fill(-1);
    this.cpuSteps = new Int32Array(p.cpus);
    this.cpuHostSteps = new Int32Array(p.cpus);
    this.cpuThread = new Int32Array(p.cpus).fill(-1);
    this.threadCpu = new Int32Array(2 * p.vcpus + this.threads).fill(-1);
    this.vcpuCpu = new Int32Array(p.vcpus).fill(-1);
    this.picker = new VcpuPicker(p.vcpus, p.cpus);
    this.simdUser = new Uint8Array(p.vcpus);
    const users = Math.round(p['simd-users'] * p.vcpus);
    for (let v = 0; v < users; v++) this.simdUser[v] = 1;
    this.probSimd = Float64Array.from([p.scalar, p.vec128, p.vec256, p.vec512, p.matrix]);
    this.probOther = Float64Array.from([
      p.scalar,
      p.vec128 / 10,
      p.vec256 / 10,
      p.vec512 / 10,
      p.matrix / 10,
    ]);
    const reasons = ['mmio', 'irq', 'hlt', 'hypercall'] as const;
    const weights = reasons.map((r) => p[r]);
    const sum = weights.reduce((a, b) => a + b, 0) || 1;
    this.reasonCdf = new Float64Array(reasons.length);
    this.reasonIndex = new Int32Array(reasons.length);
    let acc = 0;
    reasons.forEach((r, i) => {
      acc += (weights[i] as number) / sum;
      this.reasonCdf[i] = acc;
      this.reasonIndex[i] = EXIT_REASONS.indexOf(r);
    });
  }

  /** Fills `ev` with the next event; false when the workload is complete. `ev.unit` is a class index. */
  next(ev: WorkloadEvent): boolean {
    if (this.produced >= this.total) return false;
    this.produced++;
    const c = this.rng.int(this.cpuState.length);
    switch (this.cpuState[c]) {
      case CPU_IDLE:
        this.fromIdle(c, ev);
        break;
      case CPU_HOST:
        this.hostStep(c, ev);
        break;
      case CPU_LOADED:
        this.fromLoaded(c, ev);
        break;
      default:
        this.guestStep(c, ev);
    }
    return true;
  }

  private sliceLength(): number {
    // geometric with the given mean, at least 1
    const mean = this.params.slice;
    return 1 + Math.floor(-Math.log(1 - this.rng.float()) * (mean - 1 + 1e-9));
  }

  private fromIdle(c: number, ev: WorkloadEvent): void {
    // pick a vCPU that is not running: prefer one that last ran here, unless it migrates
    const start = this.rng.int(this.vcpus);
    const migrate = this.rng.chance(this.params.migration);
    const pick = this.picker.pick(start, c, migrate);
    if (
      pick === -1 ||
      ((this.threads > 0 || this.cpuThread[c] !== -1) && this.rng.chance(this.params.host))
    ) {
      this.cpuState[c] = CPU_HOST;
      this.cpuHostSteps[c] = 1 + this.rng.int(4);
      this.hostStep(c, ev);
      return;
    }
    ev.reset(Op.load);
    ev.vcpu = pick;
    ev.cpu = c;
    // the vCPU's VMM thread leaves whatever pCPU it was current on
    this.setThread(this.threadCpu[this.vcpus + pick] as number, -1);
    this.cpuState[c] = CPU_LOADED;
    this.cpuVcpu[c] = pick;
    this.cpuSteps[c] = this.sliceLength();
    this.setThread(c, this.vcpus + pick);
    this.vcpuCpu[pick] = c;
    this.picker.take(pick, c);
  }

  private hostStep(c: number, ev: WorkloadEvent): void {
    if (this.cpuHostSteps[c] === 0) {
      this.cpuState[c] = CPU_IDLE;
      this.fromIdle(c, ev);
      return;
    }
    this.cpuHostSteps[c] = (this.cpuHostSteps[c] as number) - 1;
    const current = this.cpuThread[c] as number;
    // either switch to a declared host thread, or the current thread uses FP
    if (this.threads > 0 && (current === -1 || this.rng.chance(0.5))) {
      const t = 2 * this.vcpus + this.rng.int(this.threads);
      if (t !== current && !this.threadRunning(t)) {
        ev.reset(Op.switch);
        ev.cpu = c;
        ev.thread = t;
        this.setThread(c, t);
        return;
      }
    }
    if (current === -1) {
      ev.reset(Op.work);
      ev.cpu = c;
      ev.cycles = this.params.work;
      return;
    }
    ev.reset(Op.hostUse);
    ev.cpu = c;
    this.pickUnit(ev, true);
  }

  private threadRunning(t: number): boolean {
    return this.threadCpu[t] !== -1;
  }

  /** Thread `t` (−1: none) becomes current on pCPU `c` (−1: nowhere), the one there before leaves it. */
  private setThread(c: number, t: number): void {
    if (c < 0) return;
    const old = this.cpuThread[c] as number;
    if (old !== -1) this.threadCpu[old] = -1;
    this.cpuThread[c] = t;
    if (t !== -1) this.threadCpu[t] = c;
  }

  private fromLoaded(c: number, ev: WorkloadEvent): void {
    const v = this.cpuVcpu[c] as number;
    if ((this.cpuSteps[c] as number) <= 0) {
      ev.reset(Op.put);
      ev.vcpu = v;
      this.cpuState[c] = CPU_IDLE;
      this.cpuVcpu[c] = -1;
      this.vcpuCpu[v] = -1;
      this.picker.release(v);
      return;
    }
    ev.reset(Op.enter);
    ev.vcpu = v;
    this.cpuState[c] = CPU_GUEST;
  }

  private guestStep(c: number, ev: WorkloadEvent): void {
    const v = this.cpuVcpu[c] as number;
    const p = this.params;
    const steps = (this.cpuSteps[c] as number) - 1;
    this.cpuSteps[c] = steps;
    if (steps <= 0) {
      ev.reset(Op.exit);
      ev.vcpu = v;
      ev.reason = EXIT_REASONS.indexOf('irq');
      this.cpuState[c] = CPU_LOADED;
      return;
    }
    const r = this.rng.float();
    if (r < p.exit) {
      ev.reset(Op.exit);
      ev.vcpu = v;
      const x = this.rng.float();
      let i = 0;
      while (i < this.reasonCdf.length - 1 && x >= (this.reasonCdf[i] as number)) i++;
      ev.reason = this.reasonIndex[i] as number;
      this.cpuState[c] = CPU_LOADED;
      return;
    }
    ev.reset(Op.use);
    ev.vcpu = v;
    if (!this.pickUnit(ev, this.simdUser[v] === 1)) {
      ev.reset(Op.work);
      ev.vcpu = v;
      ev.cycles = p.work;
    }
  }

  /** Chooses a class by the preset's probabilities; false for "no FP this step". */
  private pickUnit(ev: WorkloadEvent, simdUser: boolean): boolean {
    const probs = simdUser ? this.probSimd : this.probOther;
    // the first class whose running remainder goes below 0, counted without a branch per class
    // (a random branch mispredicts half the time): the remainders only fall, so the number
    // still at or above 0 is that class's index (5: none)
    const x0 = this.rng.float() * (1 - this.params.exit) - (probs[0] as number);
    const x1 = x0 - (probs[1] as number);
    const x2 = x1 - (probs[2] as number);
    const x3 = x2 - (probs[3] as number);
    const x4 = x3 - (probs[4] as number);
    const i = +(x0 >= 0) + +(x1 >= 0) + +(x2 >= 0) + +(x3 >= 0) + +(x4 >= 0);
    if (i < 5) {
      ev.unit = i;
      ev.unitName = UNIT_CLASSES[i] as string;
      ev.access = ACCESS_BY_DRAW[this.rng.int(4)] as number;
      return true;
    }
    if (ev.op === Op.hostUse) {
      ev.unit = 0;
      ev.unitName = 'scalar';
      ev.access = Access.rw;
      return true;
    }
    return false;
  }
}

/** A draw of 0–3: read, write, rw, rw. */
const ACCESS_BY_DRAW = Uint8Array.of(Access.read, Access.write, Access.rw, Access.rw);
