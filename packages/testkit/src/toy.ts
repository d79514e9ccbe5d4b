/**
 * `@vfpu/testkit/toy`: the smallest complete backend, and the template for writing your own.
 *
 * One 32 × 64-bit FP unit, one enable bit per pCPU, lazy switching: a guest's first FP
 * instruction after vcpu_load traps (`fp_disabled`), the handler restores the vCPU's state
 * (`toy_restore`) and enables FP; vcpu_put saves it (`toy_save`). Host threads switch FP lazily
 * too. `toyBackend(true)` forgets the save at put: the oracle must catch it.
 *
 * Run it: `vfpu run workload.ndjson --backend @vfpu/testkit/toy --arch toy`.
 */
import type { BackendV2, Machine, MachineHost, MachineInit, Slice } from '@vfpu/core';
import {
  EXECUTES,
  EXITS_TO_USERSPACE,
  estimates,
  NO_EXIT,
  RESUME_GUEST,
  RESUME_HOST,
  ROOT_TRAP,
  sliceTable,
} from '@vfpu/core/backend-utils';

const REGISTERS = 32;
const BYTES = REGISTERS * 8;
/** Register r is bytes 8r … 8r+7 of the register file and of every save area. */
const SLICES: readonly Slice[] = sliceTable(0, 8, REGISTERS);
const NOWHERE = -1;

class ToyMachine implements Machine {
  private readonly host: MachineHost;
  private readonly broken: boolean;
  /** Per pCPU: FP enabled (the trap bit is clear). */
  private readonly enabled: Uint8Array;
  /** Per context: its state is in its pCPU's registers. */
  private readonly owned: Uint8Array;
  /** Per context: the pCPU it is loaded or running on. */
  private readonly cpuOf: Int32Array;
  /** Per context: its save area in memory. */
  private readonly area: Uint8Array[];
  private readonly trap: number;
  private readonly restoreOp: number;
  private readonly saveOp: number;
  /** By exit-reason id: the handler returns to userspace (`mmio`, `signal`: KVM_EXIT_MMIO, KVM_EXIT_INTR). */
  private readonly toUserspace: Uint8Array;

  constructor({ host, ids }: MachineInit, broken: boolean) {
    this.host = host;
    this.broken = broken;
    this.enabled = new Uint8Array(host.cpus);
    this.owned = new Uint8Array(host.contexts);
    this.cpuOf = new Int32Array(host.contexts).fill(NOWHERE);
    this.area = Array.from({ length: host.contexts }, () => new Uint8Array(BYTES));
    this.trap = host.trapKind('fp_disabled', 'root');
    this.restoreOp = host.op('toy_restore', 'restore');
    this.saveOp = host.op('toy_save', 'save');
    this.toUserspace = new Uint8Array(Object.keys(ids.exitReasons).length);
    for (const r of EXITS_TO_USERSPACE) this.toUserspace[ids.exitReasons[r] as number] = 1;
  }

  private isLive(ctx: number): boolean {
    const cpu = this.cpuOf[ctx] as number;
    return this.owned[ctx] === 1 && cpu !== NOWHERE && this.enabled[cpu] === 1;
  }
  /** The toy's "own": restore `ctx`'s state on `cpu` and enable FP there. */
  private own(ctx: number, cpu: number): void {
    (this.host.registerFile[cpu] as Uint8Array).set(this.area[ctx] as Uint8Array);
    this.host.call(this.restoreOp, ctx, BYTES, 1, 1);
    this.host.loaded(cpu, ctx, 1);
    this.owned[ctx] = 1;
    this.enabled[cpu] = 1;
  }
  /** The toy's "lose": save `ctx`'s live state and disable FP. */
  private lose(ctx: number): void {
    const cpu = this.cpuOf[ctx] as number;
    if (this.owned[ctx] !== 1 || cpu === NOWHERE) return;
    if (!this.broken) {
      (this.area[ctx] as Uint8Array).set(this.host.registerFile[cpu] as Uint8Array);
      this.host.call(this.saveOp, ctx, BYTES, 1, 1);
    }
    this.owned[ctx] = 0;
    this.enabled[cpu] = 0;
  }

  // ---- state ----
  guestEnabled(): number {
    return 1;
  }
  live(v: number): number {
    return this.isLive(v) ? 1 : 0;
  }

  // ---- lifecycle ----
  kvm_arch_vcpu_load(v: number, cpu: number): void {
    this.cpuOf[v] = cpu;
  }
  kvm_arch_vcpu_put(v: number): void {
    this.lose(v);
    this.cpuOf[v] = NOWHERE;
  }
  kvmRunBegin(v: number, cpu: number): void {
    // the VMM thread enters the kernel: its user FP state is saved (the toy's lose_fpu)
    if (this.cpuOf[this.host.vmmThread(v)] === cpu) this.lose(this.host.vmmThread(v));
  }
  kvmRunEnd(): void {}
  enter(): void {}
  exit(v: number, reason: number, save: boolean) {
    if (save) this.lose(v);
    return this.toUserspace[reason] === 1 ? RESUME_HOST : RESUME_GUEST;
  }

  // ---- guest FP ----
  guestAccess(v: number) {
    return this.isLive(v) ? EXECUTES : ROOT_TRAP;
  }
  handleTrap(v: number) {
    this.host.count(this.trap);
    this.own(v, this.cpuOf[v] as number);
    return RESUME_GUEST;
  }
  load(v: number): void {
    this.own(v, this.cpuOf[v] as number);
  }
  slice(_v: number, _unit: number, reg: number): Slice {
    return SLICES[reg] as Slice;
  }
  guestRead(): number {
    return 0;
  }
  guestWrite() {
    return NO_EXIT;
  }
  inspect(): Record<string, unknown> {
    return { live: Array.from(this.owned) };
  }

  // ---- host threads (a capability group: without it, workloads may not use host threads) ----
  /** hostThreads.kernelFpu below: a `kernel-fpu` does nothing here. */
  readonly kernelFpuIgnored = true;
  readonly hostThreads = {
    hostSwitch: (cpu: number, prev: number | null): void => {
      if (prev !== null && this.cpuOf[prev] === cpu) this.lose(prev);
    },
    hostUse: (cpu: number, thread: number): boolean => {
      if (!this.isLive(thread) || this.cpuOf[thread] !== cpu) {
        this.cpuOf[thread] = cpu;
        this.own(thread, cpu);
      }
      return true;
    },
    hostSlice: (_thread: number, _unit: number, reg: number): Slice => SLICES[reg] as Slice,
    kernelFpu: (): boolean => false,
  };

  // ---- userspace by unit ----
  readonly uapi = {
    userRead: (v: number, _unit: number, reg: number, out: Uint8Array): Slice => {
      const p = SLICES[reg] as Slice;
      out.set((this.area[v] as Uint8Array).subarray(p.offset, p.offset + p.length), p.offset);
      return p;
    },
    userWrite: (v: number, _unit: number, reg: number, src: Uint8Array): boolean => {
      const p = SLICES[reg] as Slice;
      (this.area[v] as Uint8Array).set(src.subarray(p.offset, p.offset + p.length), p.offset);
      return true;
    },
  };
}

/** The toy backend; `broken` skips the save at vcpu_put (the oracle must report lost state). */
export function toyBackend(broken = false): BackendV2 {
  return {
    specificationVersion: 'v2',
    id: 'toy',
    description: 'a one-unit lazy backend: the template for writing a backend',
    version: '0.0.0',
    defaultVariant: 'only',
    variants: [
      {
        id: 'only',
        description: 'one 32 × 64-bit unit',
        kernel: 'none (a toy)',
        units: [
          {
            id: 'fp',
            description: '32 × 64-bit',
            partBytes: BYTES,
            registers: 32,
            class: 'scalar',
          },
        ],
        classMap: { scalar: 'fp', vec128: 'fp', vec256: 'fp', vec512: 'fp', matrix: 'fp' },
        registerFileBytes: BYTES,
        controlRegisters: [],
        trapGranularity: { scope: 'unit' },
        kvm: { policy: 'lazy' },
        costs: estimates({
          trap: 1000,
          host_trap: 100,
          exit: 1000,
          save_fixed: 10,
          save_per_byte: 0.1,
          restore_fixed: 10,
          restore_per_byte: 0.1,
          control: 5,
        }),
      },
    ],
    options: {},
    resolveConfig: (_variant, config) => {
      const key = Object.keys(config)[0];
      return key === undefined
        ? { ok: true, value: {} }
        : { ok: false, field: key, message: 'the toy has no options' };
    },
    createMachine: (init) => new ToyMachine(init, broken),
  };
}

/** `--backend @vfpu/testkit/toy` loads this. */
export default toyBackend();
