/**
 * Exact counts (traps, exits, routine calls, bytes) and the cycles estimated from them.
 * Counters are registered once, by name, when a machine is created; the hot path only adds
 * to numeric slots.
 */
import type { CounterId, OpDirection } from './contract/machine-host.js';
import type { CostTable } from './costs.js';
import { ImpossibleEvent } from './errors.js';
import { PerExit, PerIndex } from './per-exit.js';

export type CounterSection = 'exits' | 'outcomes' | 'traps';

interface CounterInfo {
  readonly section: CounterSection;
  readonly name: string;
  /** For traps: where the trap is taken. */
  readonly where: 'root' | 'host' | 'guest' | '';
}

interface OpInfo {
  readonly name: string;
  readonly direction: OpDirection;
}

export class Accounting {
  private readonly counterInfo: CounterInfo[] = [];
  private readonly counterIndex = new Map<string, number>();
  readonly counts: number[] = [];
  private readonly opInfo: OpInfo[] = [];
  private readonly opIndex = new Map<string, number>();
  readonly opCalls: number[] = [];
  readonly opBytes: number[] = [];

  bytesSaved = 0;
  bytesRestored = 0;
  cyclesTrap = 0;
  cyclesExit = 0;
  cyclesSave = 0;
  cyclesRestore = 0;
  cyclesControl = 0;
  cyclesWork = 0;
  controlWrites = 0;
  /** Running totals (for per-event deltas: the timeline). */
  rootTrapCount = 0;
  saveCount = 0;
  restoreCount = 0;
  exitCount = 0;
  /** FP work per exit reason (traps of the hypervisor, saves, restores). */
  readonly perExit: PerExit;
  /** The same by vCPU and by pCPU. */
  readonly perVcpu: PerIndex;
  readonly perCpu: PerIndex;

  private readonly cTrap: number;
  private readonly cHostTrap: number;
  private readonly cExit: number;
  private readonly cSaveFixed: number;
  private readonly cSaveByte: number;
  private readonly cRestoreFixed: number;
  private readonly cRestoreByte: number;
  private readonly cControl: number;

  constructor(costs: CostTable, vcpus: number, cpus = 1) {
    this.perExit = new PerExit(vcpus);
    this.perVcpu = new PerIndex(vcpus);
    this.perCpu = new PerIndex(cpus);
    this.cTrap = costs.trap.value;
    this.cHostTrap = costs.host_trap.value;
    this.cExit = costs.exit.value;
    this.cSaveFixed = costs.save_fixed.value;
    this.cSaveByte = costs.save_per_byte.value;
    this.cRestoreFixed = costs.restore_fixed.value;
    this.cRestoreByte = costs.restore_per_byte.value;
    this.cControl = costs.control.value;
  }

  counter(section: CounterSection, name: string, where: CounterInfo['where'] = ''): CounterId {
    const key = `${section}\u0000${name}`;
    const found = this.counterIndex.get(key);
    if (found !== undefined) return found;
    const id = this.counterInfo.length;
    this.counterInfo.push({ section, name, where });
    this.counts.push(0);
    this.counterIndex.set(key, id);
    return id;
  }

  op(name: string, direction: OpDirection): CounterId {
    const found = this.opIndex.get(name);
    if (found !== undefined) return found;
    const id = this.opInfo.length;
    this.opInfo.push({ name, direction });
    this.opCalls.push(0);
    this.opBytes.push(0);
    this.opIndex.set(name, id);
    return id;
  }

  count(id: CounterId): void {
    this.counts[id] = (this.counts[id] as number) + 1;
    const info = this.counterInfo[id] as CounterInfo;
    if (info.section === 'traps') {
      if (info.where === 'root') {
        this.cyclesTrap += this.cTrap;
        this.rootTrapCount++;
        this.perExit.trap();
        const v = this.perVcpu.work;
        const c = this.perCpu.work;
        v[this.perVcpu.current] = (v[this.perVcpu.current] as number) + 1;
        c[this.perCpu.current] = (c[this.perCpu.current] as number) + 1;
      } else if (info.where === 'host') this.cyclesTrap += this.cHostTrap;
    }
  }

  /** A non-FP exit (its kernel counter is counted separately). */
  exitCost(): void {
    this.cyclesExit += this.cExit;
    this.exitCount++;
  }

  call(op: CounterId, bytes: number): void {
    this.opCalls[op] = (this.opCalls[op] as number) + 1;
    this.opBytes[op] = (this.opBytes[op] as number) + bytes;
    const dir = (this.opInfo[op] as OpInfo).direction;
    if (dir === 'save') {
      this.bytesSaved += bytes;
      this.saveCount++;
      this.cyclesSave += this.cSaveFixed + this.cSaveByte * bytes;
      this.perExit.save(bytes);
      this.byIndex(1, bytes);
    } else if (dir === 'restore') {
      this.bytesRestored += bytes;
      this.restoreCount++;
      this.cyclesRestore += this.cRestoreFixed + this.cRestoreByte * bytes;
      this.perExit.restore(bytes);
      this.byIndex(2, bytes);
    }
  }

  /** A save (1) or restore (2) of `bytes`, by vCPU and by pCPU. */
  private byIndex(k: number, bytes: number): void {
    const v = this.perVcpu.work;
    const iv = this.perVcpu.current;
    v[iv + k] = (v[iv + k] as number) + 1;
    v[iv + 3] = (v[iv + 3] as number) + bytes;
    const c = this.perCpu.work;
    const ic = this.perCpu.current;
    c[ic + k] = (c[ic + k] as number) + 1;
    c[ic + 3] = (c[ic + 3] as number) + bytes;
  }

  /**
   * `work` cycles: an exact count, so a total past 2^53 − 1 (where a double stops counting
   * every cycle) is refused rather than reported inexactly.
   */
  work(cycles: number): void {
    const total = this.cyclesWork + cycles;
    if (total > Number.MAX_SAFE_INTEGER)
      throw new ImpossibleEvent(
        'cycles',
        `work: the run's work cycles would reach ${BigInt(this.cyclesWork) + BigInt(cycles)}, above 2^53 − 1 = ${Number.MAX_SAFE_INTEGER}, the largest total counted exactly`,
      );
    this.cyclesWork = total;
  }

  control(n: number): void {
    this.controlWrites += n;
    this.cyclesControl += this.cControl * n;
  }

  opDirection(op: CounterId): OpDirection {
    return (this.opInfo[op] as OpInfo).direction;
  }

  opName(op: CounterId): string {
    return (this.opInfo[op] as OpInfo).name;
  }

  /** Counters of a section, in registration order (zeros included: they say what can happen). */
  section(section: CounterSection): Record<string, number> {
    const out: Record<string, number> = {};
    this.counterInfo.forEach((c, i) => {
      if (c.section === section) out[c.name] = this.counts[i] as number;
    });
    return out;
  }

  ops(): Record<string, { calls: number; bytes: number }> {
    const out: Record<string, { calls: number; bytes: number }> = {};
    this.opInfo.forEach((o, i) => {
      out[o.name] = { calls: this.opCalls[i] as number, bytes: this.opBytes[i] as number };
    });
    return out;
  }

  /** Byte copies the run made, for the benchmark floor: [bytes per call, calls] per routine. */
  copies(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    this.opInfo.forEach((o, i) => {
      const calls = this.opCalls[i] as number;
      if (o.direction !== 'other' && calls > 0)
        out.push([Math.round((this.opBytes[i] as number) / calls), calls]);
    });
    return out;
  }
}
