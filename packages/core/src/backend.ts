/**
 * The backend contract, version 1.
 *
 * A backend is *mechanism*: what the hardware does (which access traps under which control
 * bits, with which exception code) and what the hypervisor's routines do (own / lose / drop,
 * save and restore with their exact byte counts, control-register updates). Decisions (when to
 * load, what to grant on a trap, when to save) belong to policies; plumbing (event loop, state
 * checking, accounting) belongs to core.
 *
 * A backend is a plain object; nothing registers itself at import time.
 */
import type { ConfigResult } from './config.js';
import type { CostTable } from './costs.js';
import type { PolicyRef } from './policy/types.js';
import type { UnitClass, UnitMask, UnitSpec } from './units.js';

/** Named bits of one guest-writable control register (for `guest-write` events). */
export interface ControlRegisterSpec {
  readonly description: string;
  /** bit name → bit number (0–31). */
  readonly bits: Readonly<Record<string, number>>;
  /**
   * The unit this register belongs to (MIPS FCSR → fpu, MSACSR → msa), if any. Then the guest's
   * write is an instruction of that unit (it traps as a `use` of the unit would), the register
   * is 32 bits of the register file at {@link Machine.controlSlice}, and every guest read of the
   * unit also reads it (so the oracle checks it).
   */
  readonly unit?: string;
  /**
   * With `unit`: does every guest read of the unit also read this register? Default true (MIPS
   * FCSR, ARM FPSCR: the rounding mode). False for registers only some paths read (ARM FPINST).
   */
  readonly readByUse?: boolean;
}

/** Extra exit reasons a variant accepts, after {@link EXIT_REASONS} (e.g. MIPS `cop2`). */
export type ExitReasonSpecs = Readonly<Record<string, string>>;

/**
 * The per-register userspace interface of a variant (MIPS and arm64 ONE_REG), for `user-get` /
 * `user-set` events that give an `id` instead of a unit.
 */
export interface UserRegisterSpec {
  /** What ids look like, for error messages and `vfpu list`. */
  readonly description: string;
  /** Resolves an id as written in a workload to a handle ≥ 0, or returns an error message. */
  resolve(id: string, write: boolean): number | string;
  /** The kernel's name of a handle, e.g. `KVM_REG_MIPS_FPR_32(3)` (for violations and traces). */
  name(handle: number): string;
}

/** A system call of the VMM a variant models (`syscall` events): an ioctl or e.g. `arch_prctl`. */
export interface SyscallSpec {
  readonly description: string;
  /** A vCPU ioctl: the event names a `vcpu`, which must be outside KVM_RUN. */
  readonly vcpu: boolean;
  /** The call takes a `value` argument. */
  readonly value: boolean;
}

/** Linux errno values the simulated kernels return, by name. */
export const ERRNO = {
  EPERM: 1,
  E2BIG: 7,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EINVAL: 22,
  EOPNOTSUPP: 95,
} as const;

/** `0`, or `-EPERM` for −1 and so on: a system call's return value as the kernel source writes it. */
export function returnName(ret: number): string {
  if (ret >= 0) return String(ret);
  for (const [name, n] of Object.entries(ERRNO)) if (n === -ret) return `-${name}`;
  return String(ret);
}

/** One documented option of `config` in the workload header. */
export interface OptionSpec {
  readonly description: string;
  /** JSON Schema fragment describing the value. */
  readonly schema: Record<string, unknown>;
  readonly default: unknown;
}

export interface VariantSpec {
  readonly id: string;
  readonly description: string;
  /** What this variant models: kernel version and files. */
  readonly kernel: string;
  readonly units: readonly UnitSpec[];
  /** Unit id that implements (or best approximates) each neutral class. */
  readonly classMap: Readonly<Record<UnitClass, string>>;
  /** Bytes of one pCPU register file (and of one context's architectural image). */
  readonly registerFileBytes: number;
  readonly controlRegisters: Readonly<Record<string, ControlRegisterSpec>>;
  /** Exit reasons beyond the common ones, by name, with what they model. */
  readonly exitReasons?: ExitReasonSpecs;
  /** The register-id uapi, when the architecture has one. */
  readonly userRegisters?: UserRegisterSpec;
  /** System calls `syscall` events may make, by name (in this order: the machine gets the index). */
  readonly syscalls?: Readonly<Record<string, SyscallSpec>>;
  /** What the policy named `kvm` means on this variant. */
  readonly kvm: PolicyRef;
  readonly costs: CostTable;
}

/** Non-FP exit reasons a workload may give; each backend names them after its kernel counters. */
export const EXIT_REASONS = ['mmio', 'irq', 'hlt', 'hypercall', 'signal', 'other'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

/** Values returned by exit handlers, as the kernel's `RESUME_*`. */
export const RESUME_GUEST = 0;
export const RESUME_HOST = 2;
export type Resume = typeof RESUME_GUEST | typeof RESUME_HOST;
/** A guest control-register write that completed inside the guest, without an exit. */
export const NO_EXIT = -1;

/** A register-file slice as the Machine hooks return it: `offset * 65536 + length`. */
export function packSlice(offset: number, length: number): number {
  return offset * 65536 + length;
}

/** A little-endian 32-bit word of a byte array (register files and save areas). */
export function readU32(b: Uint8Array, off: number): number {
  return (
    ((b[off] as number) |
      ((b[off + 1] as number) << 8) |
      ((b[off + 2] as number) << 16) |
      ((b[off + 3] as number) << 24)) >>>
    0
  );
}

export function writeU32(b: Uint8Array, off: number, value: number): void {
  b[off] = value & 0xff;
  b[off + 1] = (value >>> 8) & 0xff;
  b[off + 2] = (value >>> 16) & 0xff;
  b[off + 3] = (value >>> 24) & 0xff;
}

/**
 * Copies `len` bytes at `start + k * stride` for k < `count` from `src` to `dst` (register files
 * and save areas; a plain loop, no views allocated). Returns the bytes moved.
 */
export function copyStrided(
  dst: Uint8Array,
  src: Uint8Array,
  start: number,
  stride: number,
  count: number,
  len: number,
): number {
  for (let k = 0; k < count; k++) {
    const base = start + k * stride;
    for (let i = 0; i < len; i++) dst[base + i] = src[base + i] as number;
  }
  return count * len;
}

/** Result of an access check: 0 = executes; > 0 a root trap id; < 0 a guest-internal trap id. */
export const ACCESS_OK = 0;

export interface BackendV1 {
  readonly specificationVersion: 'v1';
  readonly id: string;
  readonly description: string;
  readonly version: string;
  readonly variants: readonly VariantSpec[];
  readonly defaultVariant: string;
  /** Options accepted in the workload header's `config`, by key. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /**
   * Validates `config` for a variant (and the header's pCPU / vCPU counts, for options that
   * constrain them). Returns an error message naming the field
   * (`config.guest.Status: unknown bit "CU3"`), or the resolved options.
   */
  resolveConfig(
    variant: VariantSpec,
    config: Readonly<Record<string, unknown>>,
    shape?: { readonly cpus: number; readonly vcpus: number },
  ): ConfigResult;
  createMachine(init: MachineInit): Machine;
}

export interface MachineInit {
  readonly variant: VariantSpec;
  readonly options: Readonly<Record<string, unknown>>;
  readonly host: MachineHost;
}

/** A counter, trap kind or routine registered with core at machine creation. */
export type CounterId = number;

export type OpDirection = 'save' | 'restore' | 'other';

export interface Tracer {
  /** True when someone listens; backends build trace text only then. */
  readonly on: boolean;
  /** A line of explanation under the current event (depth 0 = first indent). */
  line(depth: number, text: string): void;
  /** A named kernel function runs (recorded in the call sequence). */
  fn(depth: number, name: string, detail?: string): void;
}

/** What core gives a backend's machine. */
export interface MachineHost {
  readonly cpus: number;
  readonly vcpus: number;
  /** Number of contexts: vCPUs, then their VMM threads, then the declared host threads. */
  readonly contexts: number;
  /** The hardware register file of each pCPU. */
  readonly registerFile: readonly Uint8Array[];
  /** Context index of vCPU v's guest state is v; its VMM thread and other host threads follow. */
  vmmThread(vcpu: number): number;
  contextName(ctx: number): string;
  isVcpu(ctx: number): boolean;
  /** Registers a counter in a report section (`exits`, `outcomes`). */
  counter(section: 'exits' | 'outcomes', name: string): CounterId;
  /** Registers a trap kind; `host` traps are taken by host threads, `guest` ones inside the guest. */
  trapKind(name: string, where: 'root' | 'host' | 'guest'): CounterId;
  /** Registers a routine that moves register state (or not: direction `other`). */
  op(name: string, direction: OpDirection): CounterId;
  count(id: CounterId): void;
  /** A routine runs for `ctx`, moving `bytes` of the `units`' state (`depth`: trace indentation). */
  call(op: CounterId, ctx: number, bytes: number, units: UnitMask, depth: number): void;
  /** `n` writes of root control registers (costed as `control`). */
  control(n: number): void;
  /** pCPU `cpu` now holds `ctx`'s state for the parts of `units`. */
  loaded(cpu: number, ctx: number, units: UnitMask): void;
  /** The state of `units` of `ctx` is architecturally unpredictable until written again. */
  undefine(ctx: number, units: UnitMask): void;
  warn(message: string): void;
  readonly trace: Tracer;
}

/** Per-run mechanism state of a backend. All methods are called on the hot path: no allocation. */
export interface Machine {
  /** Units the guest has enabled itself (usable without a guest-internal trap). */
  guestEnabled(vcpu: number): UnitMask;
  /** Units whose state is live in hardware for the vCPU and enabled (e.g. `aux_inuse`). */
  live(vcpu: number): UnitMask;

  /** KVM_RUN begins on `cpu` for `vcpu` (host work on the VMM thread, e.g. MIPS `lose_fpu(1)`). */
  kvmRunBegin(vcpu: number, cpu: number): void;
  vcpuLoad(vcpu: number, cpu: number): void;
  /** vcpu_put, including whatever the kernel saves there. */
  vcpuPut(vcpu: number): void;
  /** Guest entry; `reentry` after an exit handled in the kernel. */
  enter(vcpu: number, reentry: boolean): void;
  /**
   * A non-FP exit: counts the kernel's counter; RESUME_HOST when it goes to userspace. `save`:
   * the policy saves and disables everything live at this exit; the machine does it where its
   * kernel's world switch would (ARMv7 `__kvm_vcpu_return`: before the handler runs).
   */
  exit(vcpu: number, reason: number, save: boolean): Resume;

  /**
   * Would a guest instruction of `unit` execute (0), trap to root (> 0), or not execute (< 0: an
   * exception taken inside the guest, or a conditional instruction that fails its condition)?
   * `control`: the control register the instruction writes (its index), or −1 for a register use
   * (ARM: FPEXC is accessible while FPEXC.EN = 0). `conditionFails`: see the `condition` field.
   */
  guestAccess(vcpu: number, unit: number, control: number, conditionFails: boolean): number;
  /** Runs the kernel's exit handler for root trap `trap`; `grant` is the policy's choice. */
  handleTrap(vcpu: number, trap: number, unit: number, grant: UnitMask): Resume;
  /** Policy-initiated load of `units` outside a trap (e.g. eager at entry). */
  load(vcpu: number, units: UnitMask): void;
  /** A guest write of a control register (`set`/`clear` masks, or `value` when `hasValue`). */
  guestWrite(
    vcpu: number,
    reg: number,
    hasValue: boolean,
    value: number,
    set: number,
    clear: number,
  ): Resume | typeof NO_EXIT;
  /** Where register `reg` of `unit` lives in the register file: `offset * 65536 + length`. */
  slice(vcpu: number, unit: number, reg: number): number;

  /** The host scheduler switches `cpu` from context `prev` (−1: idle) to `next`. */
  hostSwitch(cpu: number, prev: number, next: number): void;
  /** A host thread accesses `unit`; returns true when the access executes after any trap. */
  hostUse(cpu: number, thread: number, unit: number): boolean;
  hostSlice(thread: number, unit: number, reg: number): number;
  /** Host kernel-mode FP/SIMD use; false when the architecture's kernel has no such API. */
  kernelFpu(cpu: number): boolean;

  /** Where control register `reg` (one with a `unit`) lives in the register file, packed as `slice`. */
  controlSlice?(reg: number): number;
  /**
   * Userspace reads register `handle` (from {@link UserRegisterSpec.resolve}): copies what the
   * kernel returns into `out` and returns the packed slice to check, or −1 (an error, or data
   * that is not register state, such as a register list).
   */
  userGetRegister?(vcpu: number, handle: number, out: Uint8Array): number;
  /** Where the value of a `user-set` of `handle` goes (packed slice), or −1 when nothing is stored. */
  userRegisterSlice?(vcpu: number, handle: number): number;
  /** Userspace writes register `handle` from `src`; false when the kernel stores nothing. */
  userSetRegister?(vcpu: number, handle: number, src: Uint8Array): boolean;

  /**
   * The VMM makes system call `call` (index into {@link VariantSpec.syscalls}) for `vcpu` (−1 for
   * a process- or VM-level call) with `value`; returns 0 or a negative errno. Core counts the
   * result under outcomes. A vCPU call never happens inside KVM_RUN.
   */
  syscall?(vcpu: number, call: number, value: number): number;

  /** Userspace reads vCPU state: copies the bytes it returns into `out` at the slice's offset. */
  userRead(vcpu: number, unit: number, reg: number, out: Uint8Array): number;
  /** Userspace writes vCPU state from `src` (same layout); false when the kernel ignores it. */
  userWrite(vcpu: number, unit: number, reg: number, src: Uint8Array): boolean;

  /** Kernel-visible state (aux_inuse, root bits…) for tests and `explain`. */
  inspect(): Record<string, unknown>;
}

export function findVariant(backend: BackendV1, id: string | undefined): VariantSpec | undefined {
  const want = id ?? backend.defaultVariant;
  return backend.variants.find((v) => v.id === want);
}

export function isBackendV1(x: unknown): x is BackendV1 {
  return (
    typeof x === 'object' &&
    x !== null &&
    (x as { specificationVersion?: unknown }).specificationVersion === 'v1'
  );
}
