/**
 * The simulator: builds the engine's state and the backend's machine (checking its hooks and
 * capability groups once), then applies workload events with `step`, which allocates nothing.
 */
import { EXIT_REASONS } from '../backend-utils/exit-table.js';
import type { BackendV2, VariantSpec } from '../contract/backend.js';
import type { Machine } from '../contract/machine.js';
import type { Tracer } from '../contract/machine-host.js';
import type { MachineIds } from '../contract/registers.js';
import type { CostTable } from '../costs.js';
import { ContractError, ImpossibleEvent } from '../errors.js';
import { HOST, UAPI } from '../per-exit.js';
import type { ResolvedPolicy } from '../policy/resolve.js';
import { NO_CONTROL_WRITES } from '../policy/slice-costs.js';
import { Op, type WorkloadEvent } from '../workload/event.js';
import { Exposure } from './exposure.js';
import { GuestPath } from './guest.js';
import { EngineHost } from './host.js';
import { VcpuLifecycle } from './lifecycle.js';
import { modeRegisters } from './lookahead.js';
import { EngineState } from './state.js';
import { Uapi } from './uapi.js';
import { WorkloadLifecycle } from './validity.js';

export interface SimulatorOptions {
  readonly backend: BackendV2;
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

const REQUIRED_HOOKS = [
  'guestEnabled',
  'live',
  'kvm_arch_vcpu_load',
  'kvm_arch_vcpu_put',
  'kvmRunBegin',
  'kvmRunEnd',
  'enter',
  'exit',
  'guestAccess',
  'handleTrap',
  'load',
  'slice',
  'guestRead',
  'guestWrite',
  'inspect',
] as const satisfies readonly (keyof Machine)[];

const GROUP_HOOKS = {
  hostThreads: ['hostSwitch', 'hostUse', 'hostSlice', 'kernelFpu'],
  uapi: ['userRead', 'userWrite'],
  userRegisters: ['getRegister', 'registerSlice', 'setRegister'],
  syscalls: ['syscall'],
} as const;

/** The ids of a variant's names (units, control registers, exit reasons, system calls). */
export function machineIds(variant: VariantSpec): MachineIds {
  const ids = (names: readonly string[]) =>
    Object.freeze(Object.fromEntries(names.map((n, i) => [n, i])));
  return Object.freeze({
    units: ids(variant.units.map((u) => u.id)),
    controlRegisters: ids(variant.controlRegisters.map((r) => r.name)),
    exitReasons: ids([...EXIT_REASONS, ...(variant.exitReasons ?? []).map((r) => r.name)]),
    syscalls: ids((variant.syscalls ?? []).map((c) => c.name)),
  });
}

/** Checks a new machine against the contract: every required hook, and the groups its variant needs. */
function checkMachine(backend: BackendV2, variant: VariantSpec, m: Machine): void {
  const fail = (msg: string): never => {
    throw new ContractError(backend.id, `${variant.id}: ${msg}`);
  };
  for (const h of REQUIRED_HOOKS)
    if (typeof m[h] !== 'function') fail(`the machine lacks the required hook ${h}()`);
  for (const [group, hooks] of Object.entries(GROUP_HOOKS)) {
    const g = m[group as keyof typeof GROUP_HOOKS] as Record<string, unknown> | undefined;
    if (g === undefined) continue;
    for (const h of hooks)
      if (typeof g[h] !== 'function') fail(`the machine's ${group} group lacks ${h}()`);
  }
  if (variant.userRegisters && !m.userRegisters)
    fail('the variant declares userRegisters but the machine has no userRegisters group');
  if (variant.syscalls?.length && !m.syscalls)
    fail('the variant declares syscalls but the machine has no syscalls group');
  for (const r of variant.controlRegisters) {
    if (r.unit === undefined) continue;
    if (!variant.units.some((u) => u.id === r.unit) || r.slice?.length !== 4)
      fail(`control register ${r.name} needs a known unit and a 4-byte slice`);
  }
}

export class Simulator {
  readonly state: EngineState;
  readonly exposure: Exposure;
  readonly machine: Machine;
  private readonly view: WorkloadLifecycle;
  private readonly life: VcpuLifecycle;
  private readonly guest: GuestPath;
  private readonly uapi: Uapi;
  /** Exit reason names by id (what an exit without a `label` is charged as). */
  private readonly reasonNames: readonly string[];

  constructor(o: SimulatorOptions) {
    const s = new EngineState(o);
    this.state = s;
    this.exposure = new Exposure(s);
    const ids = machineIds(o.variant);
    this.reasonNames = Object.keys(ids.exitReasons);
    this.view = new WorkloadLifecycle(s);
    this.life = new VcpuLifecycle(s, this.view, ids.exitReasons);
    const host = new EngineHost(s, this.exposure);
    const machine = o.backend.createMachine({ variant: o.variant, options: o.options, host, ids });
    checkMachine(o.backend, o.variant, machine);
    this.machine = machine;
    s.machine = machine;
    s.policy = o.policy.definition.create(
      {
        lattice: s.lattice,
        vcpus: o.vcpus,
        guestEnabled: (v) => machine.guestEnabled(v),
        live: (v) => machine.live(v),
        alsoLoads: (v, u) => machine.alsoLoads?.(v, u) ?? 0,
        alsoLoadsAlways: (v) => machine.alsoLoadsAlways?.(v) ?? 0,
        preloadReach: (v) => machine.preloadReach?.(v) ?? 0,
        controlWrites: (v) => machine.controlWrites?.(v) ?? NO_CONTROL_WRITES,
        costs: o.costs,
        trapEnablesAll: o.variant.trapGranularity.scope === 'all',
        disabledUseLoads:
          o.variant.trapGranularity.scope === 'all' && machine.disabledUseLoads !== false,
        kernelPolicy: o.variant.kvm.policy,
        disabledUseExits: (v, u) => machine.disabledUseExits?.(v, u) === true,
        disabledUseRunsLive: (v) => machine.disabledUseRunsLive?.(v) ?? 0,
        guestRead: (v, r) => machine.guestRead(v, r),
        controlRegisters: o.variant.controlRegisters.length,
        modeRegisters: modeRegisters(o.variant),
        guestWriteEffect: (v, r, values, old) =>
          machine.guestWriteEffect?.(v, r, values, old) ?? -1,
        guestUseEffect: (v, u, values) => machine.guestUseEffect?.(v, u, values),
        kernelFpuUnusableWhileLive: (v) => machine.kernelFpuUnusableWhileLive?.(v) ?? -1,
        kernelFpuIgnored: machine.kernelFpuIgnored === true,
      },
      o.policy.params,
    );
    this.guest = new GuestPath(s, this.life, this.exposure);
    this.uapi = new Uapi(s, this.life);
  }

  get lattice() {
    return this.state.lattice;
  }
  get events(): number {
    return this.state.events;
  }
  contextName(ctx: number): string {
    return this.state.contextName(ctx);
  }

  /**
   * Applies one event. Throws {@link ImpossibleEvent} for an event impossible in the workload's
   * own lifecycle (validity.ts) or its variant, whatever the policy.
   */
  step(ev: WorkloadEvent): void {
    const s = this.state;
    s.line = ev.line;
    s.op = ev.op;
    // validity first, from the workload alone: never from what the kernel (the policy) did
    this.view.step(ev);
    if (s.deaths !== 0 && this.life.skipsDead(ev)) {
      s.events++;
      s.notRun++;
      return;
    }
    this.charge(ev);
    switch (ev.op) {
      case Op.load:
        this.life.load(ev.vcpu, ev.cpu);
        break;
      case Op.enter:
        this.life.enter(ev.vcpu);
        break;
      case Op.use:
        this.guest.use(ev);
        break;
      case Op.guestWrite:
        this.guest.guestWrite(ev);
        break;
      case Op.exit:
        this.life.exit(ev.vcpu, ev.reason);
        break;
      case Op.put:
        this.life.put(ev.vcpu);
        break;
      case Op.hostUse:
        this.guest.hostUse(ev);
        break;
      case Op.switch:
        this.guest.hostSwitch(ev.cpu, ev.thread);
        break;
      case Op.kernelFpu:
        this.guest.kernelFpu(ev.cpu);
        break;
      case Op.userGet:
        this.uapi.userAccess(ev, false);
        break;
      case Op.userSet:
        this.uapi.userAccess(ev, true);
        break;
      case Op.work:
        this.guest.work(ev);
        break;
      case Op.run:
        this.life.runVcpu(ev.vcpu);
        break;
      case Op.syscall:
        this.uapi.syscall(ev);
        break;
      case Op.schedOut:
        this.life.schedOut(ev.vcpu);
        break;
      default:
        throw new ImpossibleEvent('op', `op ${ev.op} not handled`);
    }
    if (s.deaths !== s.buried) this.life.bury();
    s.events++;
  }

  /** Which cause, vCPU and pCPU the event's FP work is charged to (per-exit.ts). */
  private charge(ev: WorkloadEvent): void {
    const a = this.state.acct;
    const v = ev.vcpu;
    const op = ev.op;
    a.perVcpu.at(v);
    // the pCPU the event runs on: its own, else where the kernel has the vCPU, else the workload
    let cpu = ev.cpu;
    if (cpu < 0 && v >= 0) {
      cpu = this.state.vcpuCpu[v] as number;
      if (cpu < 0) cpu = this.view.cpuOf(v);
    }
    a.perCpu.at(cpu);
    const per = a.perExit;
    if (op === Op.exit)
      per.exit(v, ev.label !== '' ? ev.label : (this.reasonNames[ev.reason] as string));
    else if (op === Op.put || op === Op.schedOut) per.preempted(v);
    else if (op === Op.userGet || op === Op.userSet || op === Op.syscall) per.current = UAPI;
    else if (v >= 0) per.vcpu(v);
    else per.current = HOST;
  }
}
