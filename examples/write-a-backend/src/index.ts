/**
 * A backend written from the contract's doc comments and the toy (`@vfpu/testkit/toy`), as a
 * contributor would start one: two nested units, each with its own enable bit, like MIPS's
 * FPU ⊂ MSA. An FP register is the low 8 bytes of a 16-byte vector register; a vector instruction
 * needs both bits. A trap enables the unit it was taken for plus what the policy grants, so
 * `trapGranularity` is per unit and `widest` differs from `lazy` here.
 *
 * Routines: `restore_fp` / `save_fp` move the low halves (256 bytes), `restore_vec_upper` /
 * `save_vec_upper` the upper halves (256 bytes). The fault `skip-upper-save` forgets the upper
 * halves at vcpu_put; the oracle catches it (test/backend.test.ts).
 */
import type { BackendV2, ConfigResult, Machine, MachineHost, MachineInit, Slice } from '@vfpu/core';
import {
  copyStrided,
  EXECUTES,
  type ExitRow,
  estimates,
  exitTable,
  idOf,
  NO_EXIT,
  RESUME_GUEST,
  RESUME_HOST,
  ROOT_TRAP,
  resolveQuirksAndFaults,
  sliceTable,
  takeExit,
  unknownOption,
} from '@vfpu/core/backend-utils';

const REGS = 32;
const BYTES = REGS * 16;
const FP = 1; // unit bits, from the ids core gives (fp is declared first, vec second)
const VEC = 2;
const NOWHERE = -1;
const FAULTS = {
  'skip-upper-save': 'vcpu_put saves only the low halves (the vector upper halves are lost)',
};

class NestedMachine implements Machine {
  private readonly h: MachineHost;
  private readonly skipUpperSave: boolean;
  private readonly fp: number;
  private readonly vec: number;
  private readonly slices: readonly (readonly Slice[])[];
  private readonly en: Uint8Array; // per pCPU: enable bits (FP | VEC)
  private readonly parts: Uint8Array; // per context: parts of its state in its pCPU's registers
  private readonly cpuOf: Int32Array; // per context
  private readonly area: Uint8Array[]; // per context: the save area
  private readonly pendingTrap: Int32Array; // per vCPU: the trap kind latched by guestAccess
  private readonly exits: readonly ExitRow[];
  private readonly traps: readonly number[]; // fp_disabled, vec_disabled
  private readonly op: { rf: number; ru: number; sf: number; su: number };

  constructor({ host, ids, options }: MachineInit) {
    this.h = host;
    this.skipUpperSave = (options.faults as string[]).includes('skip-upper-save');
    this.fp = idOf(ids.units, 'fp');
    this.vec = idOf(ids.units, 'vec');
    const s: Slice[][] = [];
    s[this.fp] = [...sliceTable(0, 8, REGS, 16)];
    s[this.vec] = [...sliceTable(0, 16, REGS)];
    this.slices = s;
    this.en = new Uint8Array(host.cpus);
    this.parts = new Uint8Array(host.contexts);
    this.cpuOf = new Int32Array(host.contexts).fill(NOWHERE);
    this.area = Array.from({ length: host.contexts }, () => new Uint8Array(BYTES));
    this.pendingTrap = new Int32Array(host.vcpus);
    const fpTrap = host.trapKind('fp_disabled', 'root');
    const vecTrap = host.trapKind('vec_disabled', 'root');
    this.traps = [fpTrap, vecTrap];
    this.op = {
      rf: host.op('restore_fp', 'restore'),
      ru: host.op('restore_vec_upper', 'restore'),
      sf: host.op('save_fp', 'save'),
      su: host.op('save_vec_upper', 'save'),
    };
    const row = (text: string, counter: string, resume = RESUME_GUEST): ExitRow => ({
      text,
      counters: [host.counter('exits', counter)],
      resume,
    });
    const other = row('exit: handled in the kernel', 'other_exits');
    const irq = row('exit: host interrupt', 'irq_exits');
    // mmio and signal return KVM_RUN to userspace on every backend (core's EXITS_TO_USERSPACE)
    this.exits = exitTable(ids.exitReasons, {
      mmio: row('exit: MMIO for userspace (KVM_EXIT_MMIO)', 'mmio_exits', RESUME_HOST),
      irq,
      hlt: other,
      hypercall: other,
      signal: row('exit: a signal is pending (KVM_EXIT_INTR)', 'signal_exits', RESUME_HOST),
      other,
    });
  }

  /** The units (bits) that must be enabled for an instruction of `unit`: its closure. */
  private need(unit: number): number {
    return unit === this.vec ? FP | VEC : FP;
  }
  /** Restores the parts of `want` that `ctx` does not hold on `cpu`, and enables them. */
  private own(ctx: number, cpu: number, want: number): void {
    const hw = this.h.registerFile[cpu] as Uint8Array;
    const area = this.area[ctx] as Uint8Array;
    const missing = want & ~(this.parts[ctx] as number);
    if (missing & FP) this.h.call(this.op.rf, ctx, copyStrided(hw, area, 0, 16, REGS, 8), FP, 1);
    if (missing & VEC) this.h.call(this.op.ru, ctx, copyStrided(hw, area, 8, 16, REGS, 8), VEC, 1);
    this.h.loaded(cpu, ctx, missing);
    this.parts[ctx] = (this.parts[ctx] as number) | want;
    this.cpuOf[ctx] = cpu;
    this.en[cpu] = (this.en[cpu] as number) | want;
  }
  /** Saves what `ctx` holds in its pCPU's registers and disables it. */
  private lose(ctx: number, faulty = false): void {
    const cpu = this.cpuOf[ctx] as number;
    if (cpu === NOWHERE || this.parts[ctx] === 0) return;
    const hw = this.h.registerFile[cpu] as Uint8Array;
    const area = this.area[ctx] as Uint8Array;
    const p = this.parts[ctx] as number;
    if (p & FP) this.h.call(this.op.sf, ctx, copyStrided(area, hw, 0, 16, REGS, 8), FP, 1);
    if (p & VEC && !faulty)
      this.h.call(this.op.su, ctx, copyStrided(area, hw, 8, 16, REGS, 8), VEC, 1);
    this.parts[ctx] = 0;
    this.en[cpu] = 0;
  }

  guestEnabled(): number {
    return FP | VEC;
  }
  live(v: number): number {
    const cpu = this.cpuOf[v] as number;
    return cpu === NOWHERE ? 0 : (this.parts[v] as number) & (this.en[cpu] as number);
  }
  kvm_arch_vcpu_load(v: number, cpu: number): void {
    this.cpuOf[v] = cpu;
  }
  kvm_arch_vcpu_put(v: number): void {
    this.lose(v, this.skipUpperSave);
    this.cpuOf[v] = NOWHERE;
  }
  kvmRunBegin(v: number): void {
    this.lose(this.h.vmmThread(v)); // the VMM thread's user state leaves the registers
  }
  kvmRunEnd(): void {}
  enter(): void {}
  exit(v: number, reason: number, save: boolean) {
    if (save) this.lose(v);
    return takeExit(this.h, this.exits, reason);
  }
  guestAccess(v: number, unit: number) {
    const need = this.need(unit);
    if (((this.en[this.cpuOf[v] as number] as number) & need) === need) return EXECUTES;
    this.pendingTrap[v] = unit === this.vec ? 1 : 0; // the cause the handler reads
    return ROOT_TRAP;
  }
  handleTrap(v: number, unit: number, grant: number) {
    this.h.count(this.traps[this.pendingTrap[v] as number] as number);
    this.own(v, this.cpuOf[v] as number, this.need(unit) | this.maskOf(grant));
    return RESUME_GUEST;
  }
  load(v: number, units: number): void {
    this.own(v, this.cpuOf[v] as number, this.maskOf(units));
  }
  /** Unit mask (bit = unit id) → enable bits. */
  private maskOf(units: number): number {
    return (units & (1 << this.fp) ? FP : 0) | (units & (1 << this.vec) ? FP | VEC : 0);
  }
  slice(_v: number, unit: number, reg: number): Slice {
    return this.slices[unit]?.[reg] as Slice;
  }
  guestRead(): number {
    return 0;
  }
  guestWrite() {
    return NO_EXIT;
  }
  inspect(): Record<string, unknown> {
    return { parts: Array.from(this.parts), en: Array.from(this.en) };
  }
  readonly hostThreads = {
    hostSwitch: (cpu: number, prev: number | null): void => {
      if (prev !== null && this.cpuOf[prev] === cpu) this.lose(prev);
    },
    hostUse: (cpu: number, thread: number, unit: number): boolean => {
      if (this.cpuOf[thread] !== cpu) this.lose(thread);
      this.own(thread, cpu, this.need(unit));
      return true;
    },
    hostSlice: (_t: number, unit: number, reg: number): Slice => this.slices[unit]?.[reg] as Slice,
    kernelFpu: (): boolean => false,
  };
}

/** The nested example backend. */
export function nestedBackend(): BackendV2 {
  return {
    specificationVersion: 'v2',
    id: 'nested',
    description: 'an example: FP ⊂ vector units with separate enable bits',
    version: '0.0.0',
    defaultVariant: 'only',
    variants: [
      {
        id: 'only',
        description: 'fp (32 × 64-bit) inside vec (32 × 128-bit)',
        kernel: 'none (an example)',
        units: [
          {
            id: 'fp',
            description: 'the low 64 bits of each vector',
            parent: 'vec',
            partBytes: 256,
            registers: REGS,
            class: 'scalar',
          },
          {
            id: 'vec',
            description: '32 × 128-bit vectors',
            partBytes: 256,
            registers: REGS,
            class: 'vec128',
          },
        ],
        classMap: { scalar: 'fp', vec128: 'vec', vec256: 'vec', vec512: 'vec', matrix: 'vec' },
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
    options: {
      faults: {
        description: 'deliberately broken mechanisms',
        schema: { type: 'array' },
        default: [],
      },
      quirks: {
        description: 'unused: "kernel" or "fixed"',
        schema: { enum: ['kernel', 'fixed'] },
        default: 'kernel',
      },
    },
    resolveConfig(_variant, config): ConfigResult {
      const out: Record<string, unknown> = {};
      const bad =
        unknownOption(config, this.options) ?? resolveQuirksAndFaults(config, FAULTS, out);
      return bad ?? { ok: true, value: out };
    },
    createMachine: (init) => new NestedMachine(init),
  };
}

export default nestedBackend();
