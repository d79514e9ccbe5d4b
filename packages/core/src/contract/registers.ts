/**
 * What a variant declares by name: its control registers, exit reasons, system calls and
 * register-id uapi. Core gives the machine the id of each name when it creates it
 * ({@link MachineIds}), so no index depends on the order of a declaration.
 */

/** Bytes of a register file or save area: where one register (or control register) lives. */
export interface Slice {
  /** First byte. */
  readonly offset: number;
  /** Number of bytes. */
  readonly length: number;
}

/** A guest-writable control register (for `guest-write` events): Status, FPEXC, XCR0, IA32_XFD… */
export interface ControlRegisterSpec {
  /** The name workloads use, e.g. `Config5`, `FPEXC`, `XCR0`. */
  readonly name: string;
  /** One line for `vfpu list`: what the register controls. */
  readonly description: string;
  /** bit name → bit number (0–31). */
  readonly bits: Readonly<Record<string, number>>;
  /**
   * The unit this register belongs to (MIPS FCSR → fpu, MSACSR → msa), if any. Then the guest's
   * write is an instruction of that unit (it traps as a `use` of the unit would), the register
   * is the 4 bytes of the register file at `slice`, and every guest read of the unit also reads
   * it (so the oracle checks it).
   */
  readonly unit?: string;
  /** With `unit`: the register's 4 bytes in the register file (and in a context's image). */
  readonly slice?: Slice;
  /**
   * With `unit`: does every guest read of the unit also read this register? Default true (MIPS
   * FCSR, ARM FPSCR: the rounding mode). False for registers only some paths read (ARM FPINST).
   */
  readonly readByUse?: boolean;
}

/** An exit reason a variant accepts beyond `EXIT_REASONS` of `@vfpu/core/backend-utils` (e.g. MIPS `cop2`). */
export interface ExitReasonSpec {
  /** The name workloads write in `exit` events (`reason`). */
  readonly name: string;
  /** What it models, e.g. the kernel's exit code. */
  readonly description: string;
  /**
   * Its handler returns KVM_RUN to userspace (RESUME_HOST) on every path, as `mmio` and `signal`
   * do: the workload's lifecycle follows (the vCPU leaves its pCPU), whatever the policy. A
   * handler that returns to userspace only sometimes leaves this unset: that return is then
   * transparent (the VMM calls KVM_RUN again).
   */
  readonly toUserspace?: boolean;
}

/**
 * Non-FP exit reasons every variant accepts (EXIT_REASONS); backends name them after their
 * counters. `mmio` (an access userspace emulates: KVM_EXIT_MMIO) and `signal` (KVM_EXIT_INTR)
 * return KVM_RUN to userspace on every backend; the others resume the guest or may.
 */
export type ExitReason = 'mmio' | 'irq' | 'hlt' | 'hypercall' | 'signal' | 'other';

/** A system call of the VMM a variant models (`syscall` events): an ioctl or e.g. `arch_prctl`. */
export interface SyscallSpec {
  /** As workloads write it, e.g. `KVM_SET_CPUID2`. */
  readonly name: string;
  /** One line for `vfpu list`: what the call does. */
  readonly description: string;
  /** A vCPU ioctl: the event names a `vcpu`, which core keeps outside KVM_RUN. */
  readonly vcpu: boolean;
  /** The call takes a `value` argument. */
  readonly value: boolean;
}

/**
 * The per-register userspace interface of a variant (MIPS and arm64 ONE_REG, x86 KVM_GET_XSAVE2),
 * for `user-get` / `user-set` events that give an `id` instead of a unit.
 */
export interface UserRegisterSpec {
  /** What ids look like, for error messages and `vfpu list`. */
  readonly description: string;
  /** Resolves an id as written in a workload to a handle ≥ 0, or returns an error message. */
  resolve(id: string, write: boolean): number | string;
  /** The kernel's name of a handle, e.g. `KVM_REG_MIPS_FPR_32(3)` (for violations and traces). */
  name(handle: number): string;
}

/** The ids core assigned to a variant's names, given to the machine at creation. */
export interface MachineIds {
  /** Unit id → index (bit `1 << index` of a UnitMask). */
  readonly units: Readonly<Record<string, number>>;
  /** Control register name → id, as `guestAccess`, `guestRead` and `guestWrite` receive it. */
  readonly controlRegisters: Readonly<Record<string, number>>;
  /** Exit reason name (the common ones, then the variant's) → id, as `exit` receives it. */
  readonly exitReasons: Readonly<Record<string, number>>;
  /** System call name → id, as `syscalls.syscall` receives it. */
  readonly syscalls: Readonly<Record<string, number>>;
}
