/** What core gives the machine (MachineHost): counters, calls, ownership, the lifecycle query. */
import type {
  CounterId,
  MachineHost,
  OpDirection,
  Tracer,
  TrapWhere,
} from '../contract/machine-host.js';
import type { Slice } from '../contract/registers.js';
import { maskNames, type UnitMask, unitBit } from '../units.js';
import type { Exposure } from './exposure.js';
import { type EngineState, Lifecycle } from './state.js';

export class EngineHost implements MachineHost {
  readonly cpus: number;
  readonly vcpus: number;
  readonly contexts: number;
  readonly registerFile: readonly Uint8Array[];
  readonly trace: Tracer;

  private readonly s: EngineState;
  private readonly exposure: Exposure;

  constructor(s: EngineState, exposure: Exposure) {
    this.s = s;
    this.exposure = exposure;
    this.cpus = s.cpus;
    this.vcpus = s.vcpus;
    this.contexts = s.contexts;
    this.registerFile = s.registerFile;
    this.trace = s.trace;
  }

  vmmThread(vcpu: number): number {
    return this.s.vmmThread(vcpu);
  }
  contextName(ctx: number): string {
    return this.s.contextName(ctx);
  }
  isVcpu(ctx: number): boolean {
    return ctx >= 0 && ctx < this.vcpus;
  }
  inKvmRun(vcpu: number): boolean {
    return this.s.run[vcpu] !== Lifecycle.outside;
  }
  counter(section: 'exits' | 'outcomes', name: string): CounterId {
    return this.s.acct.counter(section, name);
  }
  trapKind(name: string, where: TrapWhere): CounterId {
    return this.s.acct.counter('traps', where === 'root' ? name : `${where}:${name}`, where);
  }
  op(name: string, direction: OpDirection): CounterId {
    return this.s.acct.op(name, direction);
  }
  count(id: CounterId): void {
    this.s.acct.count(id);
  }
  call(op: CounterId, ctx: number, bytes: number, units: UnitMask, depth: number): void {
    const s = this.s;
    s.acct.call(op, bytes);
    if (s.trace.on) {
      const what = units === 0 ? '' : ` of ${maskNames(s.lattice, units)}`;
      s.trace.fn(depth, s.acct.opName(op), `— ${bytes} bytes${what} (${s.contextName(ctx)})`);
    }
    // invariant: nothing is restored for a unit the guest never enabled
    if (
      units !== 0 &&
      ctx >= 0 &&
      ctx < s.vcpus &&
      s.acct.opDirection(op) === 'restore' &&
      (units & ~(s.everEnabled[ctx] as number)) !== 0
    ) {
      s.unenabledRestores++;
    }
  }
  control(n: number): void {
    this.s.acct.control(n);
  }
  loaded(cpu: number, ctx: number | null, units: UnitMask): void {
    this.exposure.loaded(cpu, ctx, units);
  }
  undefine(ctx: number, units: UnitMask): void {
    const s = this.s;
    const n = s.lattice.units.length;
    const isVcpu = ctx < s.vcpus;
    for (let u = 0; u < n; u++) {
      if ((units & unitBit(u)) === 0) continue;
      const regs = (s.lattice.units[u] as { registers: number }).registers;
      for (let r = 0; r < regs; r++) {
        const p = isVcpu ? s.machine.slice(ctx, u, r) : s.machine.hostThreads?.hostSlice(ctx, u, r);
        if (p) s.oracle.undefine(ctx, p.offset, p.length);
      }
    }
  }
  define(ctx: number, p: Slice, src: Uint8Array): void {
    this.s.oracle.commit(src, ctx, p.offset, p.length);
  }
  killed(ctx: number): void {
    const s = this.s;
    if (s.dead[ctx]) return;
    s.dead[ctx] = 1;
    s.deaths++;
  }
  warn(message: string): void {
    this.s.warn(message);
  }
}
