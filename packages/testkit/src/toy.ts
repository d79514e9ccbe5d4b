/**
 * @vfpu/testkit/toy — the template for writing a backend: a minimal one (one 32 × 64-bit unit,
 * one enable bit per pCPU, lazy switching) that implements every required Machine hook. Copy this
 * file to start your own. It also tests the harness itself: `toyBackend(true)` is broken (it skips
 * the save at put).
 *
 * The module's default export is the backend, so `vfpu run … --backend @vfpu/testkit/toy
 * --arch toy` (or `--backend ./my-backend.js` for your copy) runs it.
 */
import {
  type BackendV1,
  EXIT_REASONS,
  type Machine,
  type MachineHost,
  NO_EXIT,
  packSlice,
  RESUME_GUEST,
  type Resume,
} from '@vfpu/core';

const BYTES = 32 * 8;

class ToyMachine implements Machine {
  private readonly enabled: Uint8Array;
  private readonly owned: Uint8Array;
  private readonly cpuOf: Int32Array;
  private readonly area: Uint8Array[];
  private readonly trap: number;
  private readonly restoreOp: number;
  private readonly saveOp: number;
  private readonly host: MachineHost;
  private readonly broken: boolean;
  constructor(host: MachineHost, broken: boolean) {
    this.host = host;
    this.broken = broken;
    this.enabled = new Uint8Array(host.cpus);
    this.owned = new Uint8Array(host.contexts);
    this.cpuOf = new Int32Array(host.contexts).fill(-1);
    this.area = Array.from({ length: host.contexts }, () => new Uint8Array(BYTES));
    this.trap = host.trapKind('fp_disabled', 'root');
    this.restoreOp = host.op('toy_restore', 'restore');
    this.saveOp = host.op('toy_save', 'save');
    host.counter('exits', 'fp_exits');
  }
  guestEnabled(): number {
    return 1;
  }
  isLive(ctx: number): boolean {
    return this.owned[ctx] === 1 && this.enabled[this.cpuOf[ctx] as number] === 1;
  }
  live(v: number): number {
    return this.isLive(v) ? 1 : 0;
  }
  private own(ctx: number, cpu: number): void {
    (this.host.registerFile[cpu] as Uint8Array).set(this.area[ctx] as Uint8Array);
    this.host.call(this.restoreOp, ctx, BYTES, 1, 1);
    this.host.loaded(cpu, ctx, 1);
    this.owned[ctx] = 1;
    this.enabled[cpu] = 1;
  }
  private lose(ctx: number): void {
    const cpu = this.cpuOf[ctx] as number;
    if (this.owned[ctx] !== 1 || cpu < 0) return;
    if (!this.broken) {
      (this.area[ctx] as Uint8Array).set(this.host.registerFile[cpu] as Uint8Array);
      this.host.call(this.saveOp, ctx, BYTES, 1, 1);
    }
    this.owned[ctx] = 0;
    this.enabled[cpu] = 0;
  }
  kvmRunBegin(v: number, cpu: number): void {
    this.hostSwitch(cpu, this.host.vmmThread(v), -1);
  }
  vcpuLoad(v: number, cpu: number): void {
    this.cpuOf[v] = cpu;
  }
  vcpuPut(v: number): void {
    this.lose(v);
    this.cpuOf[v] = -1;
  }
  enter(): void {}
  exit(v: number, _reason: number, save: boolean): Resume {
    if (save) this.lose(v);
    return RESUME_GUEST;
  }
  guestAccess(v: number): number {
    return this.isLive(v) ? 0 : 1;
  }
  handleTrap(v: number): Resume {
    this.host.count(this.trap);
    this.own(v, this.cpuOf[v] as number);
    return RESUME_GUEST;
  }
  load(v: number): void {
    this.own(v, this.cpuOf[v] as number);
  }
  save(v: number): void {
    this.lose(v);
  }
  guestWrite(): Resume | typeof NO_EXIT {
    return NO_EXIT;
  }
  slice(_v: number, _unit: number, reg: number): number {
    return packSlice(reg * 8, 8);
  }
  hostSwitch(cpu: number, prev: number, _next: number): void {
    if (prev >= 0 && this.cpuOf[prev] === cpu) this.lose(prev);
  }
  hostUse(cpu: number, thread: number): boolean {
    if (!this.isLive(thread) || this.cpuOf[thread] !== cpu) {
      this.cpuOf[thread] = cpu;
      this.own(thread, cpu);
    }
    return true;
  }
  hostSlice(_t: number, _unit: number, reg: number): number {
    return packSlice(reg * 8, 8);
  }
  kernelFpu(): boolean {
    return false;
  }
  userRead(v: number, _unit: number, reg: number, out: Uint8Array): number {
    out.set((this.area[v] as Uint8Array).subarray(reg * 8, reg * 8 + 8), reg * 8);
    return packSlice(reg * 8, 8);
  }
  userWrite(v: number, _unit: number, reg: number, src: Uint8Array): boolean {
    (this.area[v] as Uint8Array).set(src.subarray(reg * 8, reg * 8 + 8), reg * 8);
    return true;
  }
  inspect(): Record<string, unknown> {
    return { live: Array.from(this.owned) };
  }
}

export function toyBackend(broken = false): BackendV1 {
  return {
    specificationVersion: 'v1',
    id: 'toy',
    description: 'a one-unit lazy backend for harness tests',
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
        controlRegisters: {},
        kvm: { policy: 'lazy' },
        costs: {
          trap: { value: 1000, source: 'estimate' },
          host_trap: { value: 100, source: 'estimate' },
          exit: { value: 1000, source: 'estimate' },
          save_fixed: { value: 10, source: 'estimate' },
          save_per_byte: { value: 0.1, source: 'estimate' },
          restore_fixed: { value: 10, source: 'estimate' },
          restore_per_byte: { value: 0.1, source: 'estimate' },
          control: { value: 5, source: 'estimate' },
        },
      },
    ],
    options: {},
    resolveConfig: (_v, config) =>
      Object.keys(config).length
        ? { ok: false, field: Object.keys(config)[0] as string, message: 'no options' }
        : { ok: true, value: {} },
    createMachine: ({ host }) => new ToyMachine(host, broken),
  };
}

export const EXIT_OTHER = EXIT_REASONS.indexOf('other');

/** The backend `vfpu --backend` loads (see the CLI's README). */
export default toyBackend();
