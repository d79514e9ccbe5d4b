/**
 * The engine: applies workload events to a backend's machine under a policy, checks state with
 * the oracle, and accounts every trap, exit, routine and byte. `step` allocates nothing.
 */
import { Accounting } from './accounting.js';
import {
  type BackendV1,
  type CounterId,
  EXIT_REASONS,
  type Machine,
  type MachineHost,
  NO_EXIT,
  type OpDirection,
  RESUME_HOST,
  returnName,
  type Tracer,
  type UserRegisterSpec,
  type VariantSpec,
} from './backend.js';
import type { CostTable } from './costs.js';
import { ImpossibleEvent } from './errors.js';
import { Oracle } from './oracle.js';
import type { ResolvedPolicy } from './policy/resolve.js';
import type { PolicyInstance } from './policy/types.js';
import { Rng } from './rng.js';
import { SILENT } from './trace.js';
import {
  buildLattice,
  maskNames,
  type UnitLattice,
  type UnitMask,
  type UnitSpec,
  unitBit,
} from './units.js';
import { Access, OPS, Op, type WorkloadEvent } from './workload/event.js';

export interface SimulatorOptions {
  readonly backend: BackendV1;
  readonly variant: VariantSpec;
  readonly cpus: number;
  readonly vcpus: number;
  readonly threads: readonly string[];
  readonly options: Readonly<Record<string, unknown>>;
  readonly policy: ResolvedPolicy;
  readonly costs: CostTable;
  readonly seed: number;
  readonly tracer?: Tracer;
}

const NONE = -1;
/** The `register` a violation names when the control register of a unit differs. */
const CONTROL_REGISTER = -1;
/** The `unit` of a violation found by a user-get of a register id. */
const USER_REGISTER = -2;

export class Simulator implements MachineHost {
  readonly cpus: number;
  readonly vcpus: number;
  readonly contexts: number;
  readonly lattice: UnitLattice;
  readonly registerFile: Uint8Array[];
  readonly acct: Accounting;
  readonly oracle: Oracle;
  readonly trace: Tracer;
  readonly machine: Machine;
  readonly policy: PolicyInstance;
  private readonly names: string[];
  private readonly rng: Rng;
  private readonly scratch: Uint8Array;

  // engine-side state
  private readonly vcpuCpu: Int32Array; // loaded on, or −1
  private readonly lastCpu: Int32Array;
  private readonly inGuest: Uint8Array;
  /** Entered since the last vcpu_load: a later entry is a re-entry after a kernel-handled exit. */
  private readonly entered: Uint8Array;
  /** Put by an exit to userspace: the next `enter` runs KVM_RUN again on the last pCPU. */
  private readonly inUserspace: Uint8Array;
  private readonly everEnabled: Uint32Array;
  private readonly cpuVcpu: Int32Array; // vCPU loaded on the pCPU, or −1
  private readonly cpuThread: Int32Array; // current host thread context, or −1 (idle)
  private readonly threadCpu: Int32Array; // by context index, for host threads

  // exposure: which context's state each unit part of each pCPU holds
  private readonly owner: Int32Array;
  exposureEvents = 0;
  exposureBytes = 0;
  exposureGuestEvents = 0;
  exposureGuestBytes = 0;

  /** Restores of units the guest never enabled (an invariant: should stay 0). */
  unenabledRestores = 0;
  events = 0;
  private readonly warnings = new Map<string, number>();
  private currentLine = 0;
  private currentOp = 0;
  private readonly classWarned: Set<string> = new Set();
  private readonly exitCounter: CounterId;
  /** By control-register index: the unit it belongs to, or −1; its packed slice. */
  private readonly controlUnit: Int32Array;
  private readonly controlSlices: Int32Array;
  private readonly controlNames: readonly string[];
  private readonly userRegisters: UserRegisterSpec | undefined;
  private readonly syscallNames: readonly string[];
  /** Outcome counters of system calls, registered at their first result (syscalls are rare). */
  private readonly syscallOutcomes = new Map<string, CounterId>();
  /** By unit u: the control registers every read of u also reads are unitControl[unitControlStart[u] … unitControlStart[u+1]). */
  private readonly unitControl: Int32Array;
  private readonly unitControlStart: Int32Array;

  constructor(o: SimulatorOptions) {
    this.cpus = o.cpus;
    this.vcpus = o.vcpus;
    this.lattice = buildLattice(o.variant.units);
    this.names = [];
    for (let v = 0; v < o.vcpus; v++) this.names.push(`vcpu${v}`);
    for (let v = 0; v < o.vcpus; v++) this.names.push(`vmm${v}`);
    for (const t of o.threads) this.names.push(t);
    this.contexts = this.names.length;
    const bytes = o.variant.registerFileBytes;
    this.registerFile = [];
    for (let c = 0; c < o.cpus; c++) this.registerFile.push(new Uint8Array(bytes));
    this.scratch = new Uint8Array(bytes);
    this.acct = new Accounting(o.costs);
    this.oracle = new Oracle(this.names.length, bytes, o.seed);
    this.rng = new Rng(o.seed, 3);
    this.trace = o.tracer ?? SILENT;
    this.vcpuCpu = new Int32Array(o.vcpus).fill(NONE);
    this.lastCpu = new Int32Array(o.vcpus).fill(NONE);
    this.inGuest = new Uint8Array(o.vcpus);
    this.entered = new Uint8Array(o.vcpus);
    this.inUserspace = new Uint8Array(o.vcpus);
    this.everEnabled = new Uint32Array(o.vcpus);
    this.cpuVcpu = new Int32Array(o.cpus).fill(NONE);
    this.cpuThread = new Int32Array(o.cpus).fill(NONE);
    this.threadCpu = new Int32Array(this.names.length).fill(NONE);
    this.owner = new Int32Array(o.cpus * this.lattice.units.length).fill(NONE);
    this.exitCounter = this.acct.counter('outcomes', 'KVM_RUN returned to userspace');
    this.machine = o.backend.createMachine({ variant: o.variant, options: o.options, host: this });
    const machine = this.machine;
    this.controlNames = Object.keys(o.variant.controlRegisters);
    this.userRegisters = o.variant.userRegisters;
    this.syscallNames = Object.keys(o.variant.syscalls ?? {});
    this.controlUnit = new Int32Array(this.controlNames.length).fill(NONE);
    this.controlSlices = new Int32Array(this.controlNames.length).fill(NONE);
    const readBy: number[][] = this.lattice.units.map(() => []);
    this.controlNames.forEach((name, i) => {
      const spec = o.variant.controlRegisters[name];
      if (spec?.unit === undefined) return;
      const u = this.lattice.indexOf(spec.unit);
      const p = machine.controlSlice?.(i) ?? NONE;
      if (u < 0 || p < 0 || (p & 0xffff) !== 4)
        throw new Error(
          `${o.variant.id}: control register ${name} needs a known unit and a 4-byte controlSlice`,
        );
      this.controlUnit[i] = u;
      this.controlSlices[i] = p;
      if (spec.readByUse !== false) readBy[u]?.push(i);
    });
    this.unitControl = Int32Array.from(readBy.flat());
    this.unitControlStart = new Int32Array(readBy.length + 1);
    readBy.forEach((list, u) => {
      this.unitControlStart[u + 1] = (this.unitControlStart[u] as number) + list.length;
    });
    this.policy = o.policy.definition.create(
      {
        lattice: this.lattice,
        vcpus: o.vcpus,
        guestEnabled: (v) => machine.guestEnabled(v),
        live: (v) => machine.live(v),
      },
      o.policy.params,
    );
  }

  // ---- MachineHost -------------------------------------------------------------------------

  vmmThread(vcpu: number): number {
    return this.vcpus + vcpu;
  }
  contextName(ctx: number): string {
    return this.names[ctx] ?? `ctx${ctx}`;
  }
  isVcpu(ctx: number): boolean {
    return ctx >= 0 && ctx < this.vcpus;
  }
  counter(section: 'exits' | 'outcomes', name: string): CounterId {
    return this.acct.counter(section, name);
  }
  trapKind(name: string, where: 'root' | 'host' | 'guest'): CounterId {
    return this.acct.counter('traps', where === 'root' ? name : `${where}:${name}`, where);
  }
  op(name: string, direction: OpDirection): CounterId {
    return this.acct.op(name, direction);
  }
  count(id: CounterId): void {
    this.acct.count(id);
  }
  call(op: CounterId, ctx: number, bytes: number, units: UnitMask, depth: number): void {
    this.acct.call(op, bytes);
    if (this.trace.on) {
      const what = units === 0 ? '' : ` of ${maskNames(this.lattice, units)}`;
      this.trace.fn(
        depth,
        this.acct.opName(op),
        `— ${bytes} bytes${what} (${this.contextName(ctx)})`,
      );
    }
    if (units !== 0 && ctx < this.vcpus && ctx >= 0) {
      // invariant: nothing is restored for a unit the guest never enabled
      if (
        this.acct.opDirection(op) === 'restore' &&
        (units & ~(this.everEnabled[ctx] as number)) !== 0
      ) {
        this.unenabledRestores++;
      }
    }
  }
  control(n: number): void {
    this.acct.control(n);
  }
  loaded(cpu: number, ctx: number, units: UnitMask): void {
    const n = this.lattice.units.length;
    for (let u = 0; u < n; u++) if (units & unitBit(u)) this.owner[cpu * n + u] = ctx;
  }
  undefine(ctx: number, units: UnitMask): void {
    const n = this.lattice.units.length;
    const isV = ctx < this.vcpus;
    for (let u = 0; u < n; u++) {
      if ((units & unitBit(u)) === 0) continue;
      const regs = (this.lattice.units[u] as { registers: number }).registers;
      for (let r = 0; r < regs; r++) {
        const p = isV ? this.machine.slice(ctx, u, r) : this.machine.hostSlice(ctx, u, r);
        this.oracle.undefine(ctx, p >>> 16, p & 0xffff);
      }
    }
  }
  warn(message: string): void {
    this.warnings.set(message, (this.warnings.get(message) ?? 0) + 1);
  }

  // ---- events ------------------------------------------------------------------------------

  /** Applies one event. Throws {@link ImpossibleEvent} for an event impossible in this state. */
  step(ev: WorkloadEvent): void {
    this.currentLine = ev.line;
    this.currentOp = ev.op;
    switch (ev.op) {
      case Op.load:
        this.load(ev.vcpu, ev.cpu);
        break;
      case Op.enter:
        this.enter(ev.vcpu);
        break;
      case Op.use:
        this.use(ev);
        break;
      case Op.guestWrite:
        this.guestWrite(ev);
        break;
      case Op.exit:
        this.exit(ev.vcpu, ev.reason);
        break;
      case Op.put:
        this.put(ev.vcpu);
        break;
      case Op.hostUse:
        this.hostUse(ev);
        break;
      case Op.switch:
        this.hostSwitch(ev.cpu, ev.thread);
        break;
      case Op.kernelFpu:
        this.requireNotInGuest(ev.cpu, 'kernel-fpu');
        if (!this.machine.kernelFpu(ev.cpu)) {
          this.warn(
            "kernel-fpu ignored: this architecture's kernel has no kernel-mode FP/SIMD API",
          );
        }
        break;
      case Op.userGet:
        this.userAccess(ev, false);
        break;
      case Op.userSet:
        this.userAccess(ev, true);
        break;
      case Op.work:
        this.work(ev);
        break;
      case Op.run:
        this.run(ev.vcpu, ev.cpu);
        break;
      case Op.syscall:
        this.syscall(ev);
        break;
      case Op.schedOut:
        if (this.inGuest[ev.vcpu]) this.exit(ev.vcpu, EXIT_REASONS.indexOf('irq'));
        if (this.vcpuCpu[ev.vcpu] !== NONE || this.inUserspace[ev.vcpu]) this.put(ev.vcpu);
        else throw new ImpossibleEvent('vcpu', `sched-out: vcpu ${ev.vcpu} is not loaded`);
        break;
      default:
        throw new ImpossibleEvent('op', `op ${ev.op} not handled`);
    }
    this.events++;
  }

  private requireNoVcpuLoaded(cpu: number, what: string): void {
    const v = this.cpuVcpu[cpu] as number;
    if (v !== NONE) {
      throw new ImpossibleEvent(
        'cpu',
        `${what} on cpu ${cpu} while vcpu ${v} is loaded there (inside KVM_RUN); put it first (sched-out)`,
      );
    }
  }

  /** Kernel code may run on `cpu` with a vCPU loaded (a softirq between an exit and the next entry), not in guest mode. */
  private requireNotInGuest(cpu: number, what: string): void {
    const v = this.cpuVcpu[cpu] as number;
    if (v !== NONE && this.inGuest[v]) {
      throw new ImpossibleEvent(
        'cpu',
        `${what} on cpu ${cpu} while vcpu ${v} runs in guest mode there; exit first`,
      );
    }
  }

  /** The host scheduler makes `thread` current on `cpu`, taking it off any other pCPU. */
  private schedule(cpu: number, thread: number): void {
    const prev = this.cpuThread[cpu] as number;
    if (prev === thread) return;
    const elsewhere = this.threadCpu[thread] as number;
    if (elsewhere !== NONE) {
      if (this.cpuVcpu[elsewhere] !== NONE) {
        throw new ImpossibleEvent(
          'thread',
          `${this.contextName(thread)} is inside KVM_RUN on cpu ${elsewhere}; put its vcpu first`,
        );
      }
      if (this.trace.on)
        this.trace.line(0, `schedule: ${this.contextName(thread)} leaves cpu ${elsewhere}`);
      this.machine.hostSwitch(elsewhere, thread, NONE);
      this.cpuThread[elsewhere] = NONE;
      this.threadCpu[thread] = NONE;
    }
    if (this.trace.on) {
      this.trace.line(
        0,
        `switch_to on cpu ${cpu}: ${prev === NONE ? 'idle' : this.contextName(prev)} → ${this.contextName(thread)}`,
      );
    }
    this.machine.hostSwitch(cpu, prev, thread);
    if (prev !== NONE) this.threadCpu[prev] = NONE;
    this.cpuThread[cpu] = thread;
    this.threadCpu[thread] = cpu;
  }

  private load(v: number, cpu: number): void {
    if (this.vcpuCpu[v] !== NONE) {
      throw new ImpossibleEvent('vcpu', `vcpu ${v} is already loaded on cpu ${this.vcpuCpu[v]}`);
    }
    const other = this.cpuVcpu[cpu] as number;
    if (other !== NONE) {
      throw new ImpossibleEvent('cpu', `cpu ${cpu} already has vcpu ${other} loaded; put it first`);
    }
    this.schedule(cpu, this.vmmThread(v));
    this.vcpuCpu[v] = cpu;
    this.cpuVcpu[cpu] = v;
    this.inUserspace[v] = 0;
    this.entered[v] = 0;
    this.machine.vcpuLoad(v, cpu);
    this.machine.kvmRunBegin(v, cpu);
    this.lastCpu[v] = cpu;
    this.policy.sliceBegin(v);
  }

  private requireLoaded(v: number, what: string): number {
    const cpu = this.vcpuCpu[v] as number;
    if (cpu === NONE) throw new ImpossibleEvent('vcpu', `${what}: vcpu ${v} is not loaded`);
    return cpu;
  }

  private requireInGuest(v: number, what: string): number {
    const cpu = this.requireLoaded(v, what);
    if (!this.inGuest[v])
      throw new ImpossibleEvent('vcpu', `${what}: vcpu ${v} is not in guest mode`);
    return cpu;
  }

  private enter(v: number): void {
    if (this.vcpuCpu[v] === NONE && this.inUserspace[v]) {
      // userspace handled the exit and calls KVM_RUN again on the same pCPU
      const cpu = this.lastCpu[v] as number;
      if (this.trace.on)
        this.trace.line(0, `KVM_RUN again on cpu ${cpu} (the last exit went to userspace)`);
      this.load(v, cpu);
    }
    this.requireLoaded(v, 'enter');
    if (this.inGuest[v])
      throw new ImpossibleEvent('vcpu', `enter: vcpu ${v} is already in guest mode`);
    this.entry(v, this.entered[v] === 1);
  }

  /** Every entry into the guest: the backend's entry work, then the policy's preload. */
  private entry(v: number, reentry: boolean): void {
    this.machine.enter(v, reentry);
    this.inGuest[v] = 1;
    this.entered[v] = 1;
    const enabled = this.machine.guestEnabled(v);
    this.everEnabled[v] = (this.everEnabled[v] as number) | enabled;
    const want = this.policy.preload(v) & enabled & ~this.machine.live(v);
    if (want !== 0) {
      if (this.trace.on) this.trace.line(0, `policy preloads ${maskNames(this.lattice, want)}`);
      this.machine.load(v, want);
    }
  }

  private run(v: number, cpu: number): void {
    const at = this.vcpuCpu[v] as number;
    if (at === NONE) {
      if (cpu === NONE)
        throw new ImpossibleEvent('cpu', `run: vcpu ${v} is not loaded, so run needs a cpu`);
      this.load(v, cpu);
    } else if (cpu !== NONE && cpu !== at) {
      throw new ImpossibleEvent('cpu', `run: vcpu ${v} is loaded on cpu ${at}, not ${cpu}`);
    }
    if (!this.inGuest[v]) this.entry(v, this.entered[v] === 1);
  }

  private exit(v: number, reason: number): void {
    this.requireInGuest(v, 'exit');
    this.inGuest[v] = 0;
    this.acct.exitCost();
    const save = this.policy.saveAtExit(v) && this.machine.live(v) !== 0;
    const resume = this.machine.exit(v, reason, save);
    if (resume === RESUME_HOST) this.toUserspace(v);
  }

  /** KVM_RUN returns to userspace: vcpu_put, and the VMM thread stays current. */
  private toUserspace(v: number): void {
    this.inGuest[v] = 0;
    this.acct.count(this.exitCounter);
    if (this.trace.on) this.trace.line(0, 'KVM_RUN returns to userspace: vcpu_put');
    this.put(v);
    this.inUserspace[v] = 1;
  }

  private put(v: number): void {
    if (this.vcpuCpu[v] === NONE && this.inUserspace[v]) return; // already put when KVM_RUN returned
    const cpu = this.requireLoaded(v, 'put');
    if (this.inGuest[v]) {
      throw new ImpossibleEvent(
        'vcpu',
        `put: vcpu ${v} is in guest mode; exit first (or use sched-out)`,
      );
    }
    this.policy.sliceEnd(v);
    this.machine.vcpuPut(v);
    this.vcpuCpu[v] = NONE;
    this.cpuVcpu[cpu] = NONE;
    this.inUserspace[v] = 0;
  }

  private pickReg(unit: number, reg: number): number {
    if (reg >= 0) return reg;
    return this.rng.int((this.lattice.units[unit] as { registers: number }).registers);
  }

  private classWarning(ev: WorkloadEvent): void {
    const name = ev.unitName;
    const unit = this.lattice.units[ev.unit] as UnitSpec;
    const exact = Array.isArray(unit.class) ? unit.class.includes(name) : unit.class === name;
    if (name === unit.id || exact || this.classWarned.has(name)) return;
    this.classWarned.add(name);
    this.warn(`class ${name} has no exact unit here; mapped to ${unit.id}`);
  }

  private use(ev: WorkloadEvent): void {
    const v = ev.vcpu;
    const cpu = this.requireInGuest(v, 'use');
    if (ev.unitName !== '') this.classWarning(ev);
    const unit = ev.unit;
    if (this.trace.on)
      this.trace.line(0, `guest ${unitAccess(ev.access)} ${this.lattice.units[unit]?.id}`);
    if (!this.guestInstruction(v, unit, NONE, ev.conditionFails)) return;
    const reg = this.pickReg(unit, ev.reg);
    const p = this.machine.slice(v, unit, reg);
    const hw = this.registerFile[cpu] as Uint8Array;
    this.access(hw, v, p, ev.access, unit, reg);
    // the instruction also reads the unit's control registers (e.g. the rounding mode in FCSR)
    if (ev.access & Access.read) {
      const end = this.unitControlStart[unit + 1] as number;
      for (let i = this.unitControlStart[unit] as number; i < end; i++) {
        const creg = this.unitControl[i] as number;
        const q = this.controlSlices[creg] as number;
        this.access(hw, v, q, Access.read, unit, CONTROL_REGISTER - creg);
      }
    }
  }

  /**
   * A guest instruction of `unit`: the hardware's checks, the root trap and the kernel's
   * handler, and the re-entry. True when the instruction then executes.
   */
  private guestInstruction(
    v: number,
    unit: number,
    control: number,
    conditionFails: boolean,
  ): boolean {
    let access = this.machine.guestAccess(v, unit, control, conditionFails);
    if (access > 0) {
      const grant = this.policy.grant(v, unit) & ~this.machine.live(v);
      const resume = this.machine.handleTrap(v, access, unit, grant);
      if (resume === RESUME_HOST) {
        this.inGuest[v] = 0;
        this.toUserspace(v);
        return false;
      }
      this.entry(v, true);
      access = this.machine.guestAccess(v, unit, control, conditionFails);
      if (access > 0) {
        this.warn(
          'the guest was re-entered with the unit still disabled: it would trap again (a livelock in the kernel)',
        );
        return false;
      }
    }
    if (access < 0) return false; // the guest's own exception, or a failed condition
    this.exposure(v, this.vcpuCpu[v] as number);
    this.policy.used(v, unit);
    return true;
  }

  private access(
    hw: Uint8Array,
    ctx: number,
    p: number,
    access: number,
    unit: number,
    reg: number,
  ): void {
    const off = p >>> 16;
    const len = p & 0xffff;
    if (access & Access.read) {
      const bad = this.oracle.check(hw, ctx, off, len);
      if (bad >= 0) this.violation(ctx, unit, reg, bad, off, hw);
    }
    if (access & Access.write) this.oracle.write(hw, ctx, off, len);
  }

  private violation(
    ctx: number,
    unit: number,
    reg: number,
    byte: number,
    off: number,
    actual: Uint8Array,
  ): void {
    this.oracle.record({
      line: this.currentLine,
      event: this.events,
      op: OPS[this.currentOp] ?? '?',
      context: this.contextName(ctx),
      unit:
        unit === USER_REGISTER
          ? (this.userRegisters?.name(reg) ?? '?')
          : reg <= CONTROL_REGISTER
            ? (this.controlNames[CONTROL_REGISTER - reg] ?? '?')
            : (this.lattice.units[unit]?.id ?? '?'),
      register: unit === USER_REGISTER || reg < 0 ? CONTROL_REGISTER : reg,
      byte,
      expected: (this.oracle.truth[ctx] as Uint8Array)[off + byte] as number,
      actual: actual[off + byte] as number,
    });
    if (this.trace.on)
      this.trace.line(
        0,
        `VIOLATION: ${this.contextName(ctx)} ${this.lattice.units[unit]?.id} reg ${reg} byte ${byte}`,
      );
  }

  /** LazyFP window: the running vCPU executes with a unit trapped while the pCPU holds another context's state. */
  private exposure(v: number, cpu: number): void {
    // a unit the guest itself has disabled is not trapped by the hypervisor: its instructions
    // take the guest's own exception, and the guest cannot be running code that uses it
    const n = this.lattice.units.length;
    let foreign = 0;
    for (let u = 0; u < n; u++) {
      const o = this.owner[cpu * n + u] as number;
      if (o !== NONE && o !== v) foreign |= unitBit(u);
    }
    if (foreign === 0) return;
    const trapped = foreign & this.machine.guestEnabled(v) & ~this.machine.live(v);
    if (trapped === 0) return;
    let bytes = 0;
    let guestBytes = 0;
    for (let u = 0; u < n; u++) {
      if (!(trapped & unitBit(u))) continue;
      const o = this.owner[cpu * n + u] as number;
      const b = (this.lattice.units[u] as { partBytes: number }).partBytes;
      bytes += b;
      if (o < this.vcpus) guestBytes += b;
    }
    if (bytes > 0) {
      this.exposureEvents++;
      this.exposureBytes += bytes;
    }
    if (guestBytes > 0) {
      this.exposureGuestEvents++;
      this.exposureGuestBytes += guestBytes;
    }
  }

  private guestWrite(ev: WorkloadEvent): void {
    const v = ev.vcpu;
    const cpu = this.requireInGuest(v, 'guest-write');
    const reg = ev.controlReg;
    let hasValue = ev.hasValue;
    let value = ev.value;
    const unit = this.controlUnit[reg] as number;
    if (unit >= 0) {
      // an instruction of the unit (MIPS ctc1 / ctcmsa): it traps like any use of the unit, and
      // its value becomes the context's truth
      if (this.trace.on)
        this.trace.line(
          0,
          `guest write of ${this.controlNames[reg]} (a ${this.lattice.units[unit]?.id} instruction)`,
        );
      if (!this.guestInstruction(v, unit, reg, false)) return;
      const p = this.controlSlices[reg] as number;
      if (!hasValue) {
        const old = this.oracle.readU32(this.registerFile[cpu] as Uint8Array, v, p >>> 16);
        value = ((old | ev.set) & ~ev.clear) >>> 0;
        hasValue = true;
      }
      this.oracle.setU32(v, p >>> 16, value);
    }
    const resume = this.machine.guestWrite(v, reg, hasValue, value, ev.set, ev.clear);
    if (resume === RESUME_HOST) {
      this.inGuest[v] = 0;
      this.toUserspace(v);
      return;
    }
    if (resume === NO_EXIT) return;
    // the write trapped and was completed by the kernel: the guest is re-entered
    this.inGuest[v] = 0;
    this.entry(v, true);
  }

  private hostUse(ev: WorkloadEvent): void {
    const cpu = ev.cpu;
    this.requireNoVcpuLoaded(cpu, 'host-use');
    const current = this.cpuThread[cpu] as number;
    if (current === NONE)
      throw new ImpossibleEvent(
        'cpu',
        `host-use: no thread is running on cpu ${cpu}; add a switch first`,
      );
    if (ev.thread !== NONE && ev.thread !== current) {
      throw new ImpossibleEvent(
        'thread',
        `host-use: ${this.contextName(ev.thread)} is not running on cpu ${cpu} (${this.contextName(current)} is); add a switch first`,
      );
    }
    if (ev.unitName !== '') this.classWarning(ev);
    if (!this.machine.hostUse(cpu, current, ev.unit)) return;
    const reg = this.pickReg(ev.unit, ev.reg);
    const p = this.machine.hostSlice(current, ev.unit, reg);
    this.access(this.registerFile[cpu] as Uint8Array, current, p, ev.access, ev.unit, reg);
  }

  private hostSwitch(cpu: number, thread: number): void {
    this.requireNoVcpuLoaded(cpu, 'switch');
    this.schedule(cpu, thread);
  }

  private userAccess(ev: WorkloadEvent, write: boolean): void {
    const v = ev.vcpu;
    if (this.vcpuCpu[v] !== NONE) {
      throw new ImpossibleEvent(
        'vcpu',
        `${write ? 'user-set' : 'user-get'}: vcpu ${v} is inside KVM_RUN; put it first`,
      );
    }
    if (ev.regId >= 0) {
      this.userRegister(v, ev.regId, write);
      return;
    }
    const unit = ev.unit;
    const regs = (this.lattice.units[unit] as { registers: number }).registers;
    const from = Math.max(ev.reg, 0);
    const to = ev.reg >= 0 ? ev.reg + 1 : regs;
    const buf = this.scratch;
    for (let r = from; r < to; r++) {
      if (write) {
        const p = this.machine.slice(v, unit, r);
        if (p < 0) continue;
        this.oracle.fill(buf, p >>> 16, p & 0xffff);
        if (this.machine.userWrite(v, unit, r, buf))
          this.oracle.commit(buf, v, p >>> 16, p & 0xffff);
      } else {
        const p = this.machine.userRead(v, unit, r, buf);
        if (p < 0) continue;
        const bad = this.oracle.check(buf, v, p >>> 16, p & 0xffff);
        if (bad >= 0) this.violation(v, unit, r, bad, p >>> 16, buf);
      }
    }
  }

  /** One register of the variant's register-id uapi (e.g. MIPS KVM_GET_ONE_REG / KVM_SET_ONE_REG). */
  private userRegister(v: number, handle: number, write: boolean): void {
    const m = this.machine;
    if (!m.userGetRegister || !m.userSetRegister || !m.userRegisterSlice)
      throw new Error('the variant declares userRegisters but its machine lacks the hooks');
    const buf = this.scratch;
    if (write) {
      const p = m.userRegisterSlice(v, handle);
      if (p >= 0) this.oracle.fill(buf, p >>> 16, p & 0xffff);
      if (m.userSetRegister(v, handle, buf) && p >= 0)
        this.oracle.commit(buf, v, p >>> 16, p & 0xffff);
      return;
    }
    const p = m.userGetRegister(v, handle, buf);
    if (p < 0) return;
    const bad = this.oracle.check(buf, v, p >>> 16, p & 0xffff);
    if (bad >= 0) this.violation(v, USER_REGISTER, handle, bad, p >>> 16, buf);
  }

  /** A system call of the VMM; its result is counted as `NAME → 0` or `NAME → -EPERM`. */
  private syscall(ev: WorkloadEvent): void {
    const name = this.syscallNames[ev.call] as string;
    if (ev.vcpu !== NONE && this.vcpuCpu[ev.vcpu] !== NONE) {
      throw new ImpossibleEvent(
        'vcpu',
        `syscall ${name}: vcpu ${ev.vcpu} is inside KVM_RUN; put it first`,
      );
    }
    if (!this.machine.syscall)
      throw new Error('the variant declares syscalls but its machine lacks the hook');
    if (this.trace.on)
      this.trace.line(0, `${name}${ev.hasValue ? `(0x${ev.value.toString(16)})` : ''}`);
    const ret = this.machine.syscall(ev.vcpu, ev.call, ev.value);
    const outcome = `${name} → ${returnName(ret)}`;
    if (this.trace.on) this.trace.line(1, `returns ${returnName(ret)}`);
    let id = this.syscallOutcomes.get(outcome);
    if (id === undefined) {
      id = this.acct.counter('outcomes', outcome);
      this.syscallOutcomes.set(outcome, id);
    }
    this.acct.count(id);
  }

  private work(ev: WorkloadEvent): void {
    if (ev.vcpu !== NONE) {
      const cpu = this.requireInGuest(ev.vcpu, 'work');
      this.exposure(ev.vcpu, cpu);
    }
    this.acct.cyclesWork += ev.cycles;
  }

  // ---- results -----------------------------------------------------------------------------

  warningList(): string[] {
    const out: string[] = [];
    for (const [msg, n] of this.warnings) out.push(n > 1 ? `${msg} (${n} times)` : msg);
    return out;
  }

  /** Kernel-visible state, for tests and explain. */
  inspect(): Record<string, unknown> {
    return this.machine.inspect();
  }
}

function unitAccess(a: number): string {
  return a === Access.read ? 'read of' : a === Access.write ? 'write of' : 'read-modify-write of';
}
