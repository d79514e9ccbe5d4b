/**
 * The machine: a backend's per-run mechanism state, driven by core.
 *
 * Core plays the part of `virt/kvm/kvm_main.c`: it owns each vCPU's lifecycle (outside KVM_RUN,
 * loaded, in the guest, preempted inside KVM_RUN), calls the arch hooks exactly once per
 * transition, decides what a host thread's use or a vCPU ioctl means for a preempted vCPU, and
 * refuses what cannot happen. The machine answers with what the architecture and its kernel do.
 *
 * Every hook runs on the hot path: allocate nothing (precompute {@link Slice}s, build trace text
 * only behind `host.trace.on`). Ids (units, control registers, exit reasons, system calls) are the
 * ones core gave in {@link MachineInit.ids}.
 */
import type { UnitMask } from '../units.js';
import type { Slice } from './registers.js';

/**
 * What exit and trap handlers return, as the kernel's `RESUME_*`: RESUME_GUEST (0) or RESUME_HOST
 * (2, KVM_RUN returns to userspace). Named constants are in `@vfpu/core/backend-utils`.
 */
export type Resume = 0 | 2;
/** A guest control-register write: a Resume after an exit, or NO_EXIT (1): done inside the guest. */
export type GuestWriteResult = Resume | 1;
/**
 * What the hardware does with a guest instruction ({@link Machine.guestAccess}): EXECUTES (0),
 * ROOT_TRAP (1: core calls {@link Machine.handleTrap}), or NOT_EXECUTED (2: an exception taken
 * inside the guest, or a failed condition).
 */
export type AccessResult = 0 | 1 | 2;

/**
 * The control-register writes (each priced at the cost table's `control`) of the kernel paths a
 * slice plan chooses between ({@link Machine.controlWrites}); writes every plan makes are left out.
 */
export interface ControlWrites {
  /** Each load of guest state, a trap's or a preload's. */
  readonly load: number;
  /** Each trap, beyond its load. */
  readonly trap: number;
  /** A kernel load at a guest write's exit (`WRITE_LOADS`), beyond the load. */
  readonly writeLoad: number;
  /** An entry with guest state live (before its preload). */
  readonly entryLive: number;
  /** An entry with none live. */
  readonly entryIdle: number;
  /** A non-FP exit after which guest state stays live. */
  readonly exitLive: number;
  /** vcpu_put with guest state live (the kernel's save), beyond the save. */
  readonly putLive: number;
}

/** The required core of a machine: the kernel's arch hooks, the hardware's check, the trap handler. */
export interface Machine {
  // ---- state policies and core read ----
  /** Units the guest has enabled itself (usable without a guest-internal exception). */
  guestEnabled(vcpu: number): UnitMask;
  /** Units whose state is live in hardware for the vCPU and enabled (e.g. MIPS `aux_inuse`). */
  live(vcpu: number): UnitMask;

  // ---- lifecycle: kvm_main.c calls these, core decides when ----
  /**
   * `kvm_arch_vcpu_load`: KVM_RUN's vcpu_load, or the vCPU thread scheduled in (kvm_sched_in).
   * `preload`: the units the policy wants live at the next entry (its preload, within what the
   * guest enabled), the same mask `kvmRunBegin` gets. A kernel that restores the guest's state
   * here whatever the policy (RISC-V) can leave the others to a first-use trap on a policy's
   * non-Linux path; most machines ignore it.
   */
  kvm_arch_vcpu_load(vcpu: number, cpu: number, preload: UnitMask): void;
  /** `kvm_arch_vcpu_put`: KVM_RUN's vcpu_put, or the vCPU thread preempted (kvm_sched_out). */
  kvm_arch_vcpu_put(vcpu: number): void;
  /**
   * KVM_RUN begins on `cpu` (after vcpu_load): the FP work of `kvm_arch_vcpu_ioctl_run`'s start.
   * `preload`: the units the policy loads before this KVM_RUN's first entry (its preload, within
   * what the guest enabled). A kernel that loads the guest's state here (x86 6.16
   * `kvm_load_guest_fpu`) loads exactly these; the `kvm` policy asks for what that kernel does.
   */
  kvmRunBegin(vcpu: number, cpu: number, preload: UnitMask): void;
  /**
   * KVM_RUN returns: the FP work of `kvm_arch_vcpu_ioctl_run`'s end, on `cpu`. After an exit to
   * userspace it runs before vcpu_put. For a preempted vCPU core calls it when it learns KVM_RUN
   * returned (a pending signal: a vCPU ioctl, or the VMM thread running user code); `cpu` is the
   * VMM thread's pCPU, or null when the thread is not on one (the model does not schedule it).
   */
  kvmRunEnd(vcpu: number, cpu: number | null): void;
  /** Guest entry; `reentry` after an exit handled in the kernel. */
  enter(vcpu: number, reentry: boolean): void;
  /**
   * A non-FP exit (`reason`: an exit-reason id): counts the kernel's counter; RESUME_HOST when it
   * goes to userspace. `save`: the policy saves and disables everything live at this exit; the
   * machine does it where its kernel's world switch would (ARMv7 `__kvm_vcpu_return`: before the
   * handler runs).
   */
  exit(vcpu: number, reason: number, save: boolean): Resume;

  // ---- the guest's FP/SIMD instructions ----
  /**
   * Would a guest instruction of `unit` execute, trap to the hypervisor, or not execute? The
   * machine latches what the hardware reports (cause, syndrome) for {@link handleTrap}.
   * `control`: the id of the control register the instruction writes, or null for a register use
   * (ARM: FPEXC is accessible while FPEXC.EN = 0). `conditionFails`: a conditional instruction
   * whose condition fails (the workload's `condition` field).
   */
  guestAccess(
    vcpu: number,
    unit: number,
    control: number | null,
    conditionFails: boolean,
  ): AccessResult;
  /** The kernel's handler for the trap {@link guestAccess} latched; `grant` is the policy's choice. */
  handleTrap(vcpu: number, unit: number, grant: UnitMask): Resume;
  /** A policy-initiated load of `units` outside a trap (eager at entry). */
  load(vcpu: number, units: UnitMask): void;
  /** Where register `reg` of `unit` lives in the register file (and in the vCPU's image). */
  slice(vcpu: number, unit: number, reg: number): Slice;
  /** The guest-visible value of control register `reg` (a guest read, e.g. mfc0). */
  guestRead(vcpu: number, reg: number): number;
  /**
   * The guest writes `value` (set/clear already resolved against {@link guestRead}) to control
   * register `reg`. For a register with a `unit` (and its 4-byte `slice`), core has already run
   * the instruction's trap and made `value` the oracle's truth; the machine writes it where the
   * hardware keeps it (the pCPU's register file: e.g. LoongArch movgr2fcsr, x86 LDMXCSR).
   */
  guestWrite(vcpu: number, reg: number, value: number): GuestWriteResult;

  /** Kernel-visible state (aux_inuse, root bits…) for tests, `explain` and the run result. */
  inspect(): Record<string, unknown>;

  /**
   * Optional. After {@link handleTrap} resumed the guest: can the host scheduler run before the
   * re-entry (a `"preempt": "after-trap"` use asks for a preemption there)? False when the trap
   * was handled without leaving the guest's world (ARM's Hyp/EL2 fast path, an ERET straight
   * back). Absent: true.
   */
  reentryPreemptible?(vcpu: number): boolean;

  /**
   * Optional. The units the kernel makes live along with `unit` whenever it loads it, beyond the
   * unit's closure (Loongson's kvm_own_msa also restores LASX's upper half when the guest's
   * Config.LASXEn is set). A policy that plans loads (`clairvoyant`) reads it at a slice's start.
   * Absent: none.
   */
  alsoLoads?(vcpu: number, unit: number): UnitMask;

  /**
   * Optional. Of the units {@link alsoLoads} names, those the kernel loads along whatever the
   * guest's enables (LoongArch: kvm_check_fcsr owns LBT on the saved FCSR0.TM alone, whether or
   * not the VM has LBT or the guest's EUEN enables it); the others it loads along only while the
   * guest enables them (Loongson's LASX upper half: Config.LASXEn). Absent: none.
   */
  alsoLoadsAlways?(vcpu: number): UnitMask;

  /**
   * Optional. Units a load before an entry makes live although the guest has not enabled them:
   * those the kernel's own load restores whatever the guest's enables (RISC-V: vcpu_load's
   * kvm_riscv_vcpu_guest_fp_restore / _vector_restore test the HS-level FS / VS, which KVM sets
   * at reset for what the VM's ISA has, never the guest's vsstatus; ARMv7: a load restores the
   * whole bank, the guest's FPEXC with it, whatever its FPEXC.EN). Core masks a policy's
   * preload with {@link guestEnabled} and these. Absent: none.
   */
  preloadReach?(vcpu: number): UnitMask;

  /**
   * Optional. The control-register writes of the kernel paths a slice plan chooses between
   * (loads, traps, entries and exits with guest state live or not, vcpu_put's save), for a
   * policy that plans them (`clairvoyant`), read at a slice's start. Absent: none.
   */
  controlWrites?(vcpu: number): ControlWrites;

  /**
   * Optional. Would a guest use of `unit`, which the guest cannot run now (not in
   * {@link guestEnabled}), trap to the kernel first, which hands the exception back (RISC-V
   * before 6.17: EXC_INST_ILLEGAL not delegated; arm64 and LoongArch: a unit the VM lacks that the
   * guest's CPACR_EL1 / EUEN enables), so a preemption can follow it? Otherwise the guest's own
   * handler takes it. A policy that plans a slice (`clairvoyant`) asks at the slice's start.
   * Absent: never.
   */
  disabledUseExits?(vcpu: number, unit: number): boolean;

  /**
   * Optional. Of the units a disabled use of which exits first ({@link disabledUseExits}), those
   * whose use runs instead while the unit is live: the kernel made it live along with another
   * (LoongArch: the root EUEN bit, which kvm_own_lbt sets when kvm_check_fcsr owns LBT for the
   * FTOP save whatever the VM's LBT, lets the guest's LBT instruction execute instead of exiting
   * to kvm_handle_lbt_disabled). A policy that plans a slice (`clairvoyant`) asks at the slice's
   * start. Absent: none.
   */
  disabledUseRunsLive?(vcpu: number): UnitMask;

  /**
   * Optional. On a variant whose one trap enables every unit: does a guest use of a unit the
   * guest has not enabled trap to the kernel, which loads as for any first use, before the
   * guest's own check (ARMv7: the HCPTR trap comes before FPEXC.EN is looked at)? False where the
   * guest's check comes first (x86: XCR0's #UD). Absent: true.
   */
  readonly disabledUseLoads?: boolean;

  /**
   * Optional. What a guest write of control register `reg` would do, for a policy that plans a
   * slice (`clairvoyant`): `values` holds every control register's guest-visible value (by id) as
   * the slice's earlier writes left them, `values[reg]` already the new one, `old` the one before.
   * Returns the units the guest has enabled after it (as {@link guestEnabled} would with those
   * values), the units whose use traps first after it (as {@link disabledUseExits}, shifted by
   * `WRITE_USE_EXITS_SHIFT`), plus `WRITE_EXITS` when the write exits to the kernel, which resumes the guest, and
   * `WRITE_DROPS` when the kernel discards the live state there without a save, and, shifted by
   * `WRITE_LOSES_IF_SHIFT`, the units whose liveness makes it save everything live there. Where
   * the kernel keeps less than the guest wrote, it puts the kept value in `values[reg]`. Reads
   * the vCPU's configuration, changes no machine state. Absent (or −1): the enables stay, no exit.
   */
  guestWriteEffect?(vcpu: number, reg: number, values: Uint32Array, old: number): number;
  /**
   * Optional. Where host kernel-mode FP on the vCPU's pCPU is refused while the guest's state is
   * live there, for a policy that plans a slice (`clairvoyant`): the bytes it saves and restores
   * of the host task's state when the guest's is not live. x86 4.8: kvm_load_guest_fpu's
   * __kernel_fpu_begin leaves in_kernel_fpu set until kvm_put_guest_fpu, so irq_fpu_usable() is
   * false and the caller takes its non-FPU path; without the guest loaded, kernel_fpu_begin saves
   * the VMM thread's registers and __kernel_fpu_end restores them. Absent (or −1): kernel-mode FP
   * saves whatever of the guest is live (a flush).
   */
  kernelFpuUnusableWhileLive?(vcpu: number): number;
  /**
   * Optional. True where `hostThreads.kernelFpu` always returns false (the architecture's
   * kernel-mode FP is not modelled: a `kernel-fpu` is ignored with a warning), so a policy that
   * plans a slice does not take it for a save of the live state. Absent: false.
   */
  readonly kernelFpuIgnored?: boolean;
  /**
   * Optional. What a guest use of `unit` that executes does to the guest-visible control
   * registers, for a policy that plans a slice (`clairvoyant`): updates `values` (by id, as
   * {@link guestWriteEffect} gets them) in place. RISC-V: the hardware marks vsstatus.FS / VS
   * Dirty, so a later write that clears one bit of the field leaves it Clean, not Off. Reads the
   * vCPU's configuration, changes no machine state. Absent: a use changes no control register.
   */
  guestUseEffect?(vcpu: number, unit: number, values: Uint32Array): void;

  // ---- capability groups, checked when the machine is created ----
  /** Host threads and kernel-mode FP sharing the pCPUs (needed by `switch`, `host-use`, `kernel-fpu`). */
  readonly hostThreads?: MachineHostThreads;
  /** Userspace access to vCPU FP state by unit (needed by `user-get` / `user-set` of a unit). */
  readonly uapi?: MachineUapi;
  /** The register-id uapi (required when the variant declares `userRegisters`). */
  readonly userRegisters?: MachineUserRegisters;
  /** The VMM's system calls (required when the variant declares `syscalls`). */
  readonly syscalls?: MachineSyscalls;
}

/** Capability group `hostThreads`: host threads that use FP/SIMD, the host scheduler and kernel-mode FP (`host-use`, `switch`, `kernel-fpu` events). */
export interface MachineHostThreads {
  /** The host scheduler switches `cpu` from context `prev` (null: idle) to `next` (null: idle). */
  hostSwitch(cpu: number, prev: number | null, next: number | null): void;
  /** A host thread accesses `unit`; returns true when the access executes after any trap. */
  hostUse(cpu: number, thread: number, unit: number): boolean;
  /** Where register `reg` of `unit` lives for host thread `thread`. */
  hostSlice(thread: number, unit: number, reg: number): Slice;
  /** Host kernel-mode FP/SIMD use; false when the architecture's kernel has no such API. */
  kernelFpu(cpu: number): boolean;
}

/** Capability group `uapi`: userspace reading and writing a vCPU's registers by unit (`user-get`/`user-set` with `unit`). */
export interface MachineUapi {
  /**
   * Userspace reads register `reg` of `unit`: copies what the kernel returns into `out` at the
   * slice's offset and returns the slice to check, or null when nothing is returned.
   */
  userRead(vcpu: number, unit: number, reg: number, out: Uint8Array): Slice | null;
  /**
   * Userspace writes vCPU state from `src` (same layout); false when the kernel ignores it. Core
   * commits `src` as the truth afterwards, so where the kernel keeps less than it was given
   * (bytes that read back as init) the machine writes that into `src` first.
   */
  userWrite(vcpu: number, unit: number, reg: number, src: Uint8Array): boolean;
}

/** Capability group `userRegisters`: userspace access by register id (ONE_REG, KVM_GET_XSAVE2), for variants that declare `userRegisters`. */
export interface MachineUserRegisters {
  /**
   * Userspace reads register `handle` (from `UserRegisterSpec.resolve`): copies what the kernel
   * returns into `out` and returns the slice to check, or null (an error, or data that is not
   * register state, such as a register list).
   */
  getRegister(vcpu: number, handle: number, out: Uint8Array): Slice | null;
  /** Where the value of a write of `handle` goes, or null when nothing is stored. */
  registerSlice(vcpu: number, handle: number): Slice | null;
  /**
   * Userspace writes register `handle` from `src`; false when the kernel stores nothing. Core
   * commits `src` at `registerSlice` afterwards: as for `userWrite`, bytes that read back as
   * something else (init) are written into `src` first.
   */
  setRegister(vcpu: number, handle: number, src: Uint8Array): boolean;
}

/** Capability group `syscalls`: the VMM's ioctls and system calls (`syscall` events), for variants that declare `syscalls`. */
export interface MachineSyscalls {
  /**
   * The VMM makes system call `call` (an id) for `vcpu` (null: a process- or VM-level call) with
   * `value`; returns 0 (or a count) or a negative errno. Core counts the result under outcomes
   * and never makes a vCPU call inside KVM_RUN.
   */
  syscall(vcpu: number | null, call: number, value: number): number;
}
