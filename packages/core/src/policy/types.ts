/**
 * Policies are decisions, written once against the unit lattice: when to load, what to grant
 * on a trap, when to save. They run unchanged on every backend.
 */
import type { ControlWrites } from '../contract/machine.js';
import type { CostTable } from '../costs.js';
import type { UnitLattice, UnitMask } from '../units.js';

/** How a variant names the policy its kernel follows: a core policy and its parameters. */
export interface PolicyRef {
  /** The core policy's name (`lazy`, `eager`, `adaptive`, …). */
  readonly policy: string;
  /** Its parameters, when they differ from the defaults. */
  readonly params?: Readonly<Record<string, number>>;
}

/** What a policy may look at. */
export interface PolicyView {
  /** The variant's units and their nesting, as masks. */
  readonly lattice: UnitLattice;
  /** Number of vCPUs in the run (valid `vcpu` arguments are 0 to vcpus − 1). */
  readonly vcpus: number;
  /** Units the guest has enabled itself. */
  guestEnabled(vcpu: number): UnitMask;
  /** Units live in hardware for the vCPU. */
  live(vcpu: number): UnitMask;
  /** Units the kernel makes live along with `unit` whenever it loads it (`Machine.alsoLoads`; else 0). */
  alsoLoads(vcpu: number, unit: number): UnitMask;
  /**
   * Of what {@link PolicyView.alsoLoads} names, the units the kernel loads along whatever the
   * guest's enables (`Machine.alsoLoadsAlways`; else 0); the others only while the guest enables them.
   */
  alsoLoadsAlways(vcpu: number): UnitMask;
  /**
   * Units a preload reaches although the guest has not enabled them: what the kernel's own load
   * restores whatever the guest's enables (`Machine.preloadReach`; else 0). Core masks a preload
   * with {@link PolicyView.guestEnabled} and these.
   */
  preloadReach(vcpu: number): UnitMask;
  /** The control writes of the kernel paths a plan chooses between (`Machine.controlWrites`; else none). */
  controlWrites(vcpu: number): ControlWrites;
  /** The run's cost table (the variant's, or the user's over it). */
  readonly costs: CostTable;
  /** One trap enables every unit on this variant (what a trap grants cannot matter). */
  readonly trapEnablesAll: boolean;
  /**
   * On such a variant, a use of a unit the guest has not enabled still traps and loads first
   * (`Machine.disabledUseLoads`, default true; false on x86, where XCR0's #UD comes first).
   */
  readonly disabledUseLoads: boolean;
  /**
   * The core policy the variant's kernel follows (its `kvm`: `lazy`, `lazy-per-exit`, `eager`…):
   * where two decisions cost the same, the kernel's own path is never dearer than a policy path.
   */
  readonly kernelPolicy: string;
  /** A guest use of `unit`, which it cannot run, traps to the kernel first (`Machine.disabledUseExits`; else false). */
  disabledUseExits(vcpu: number, unit: number): boolean;
  /**
   * Of the units whose disabled use exits first, those whose use runs instead while the unit is
   * live (`Machine.disabledUseRunsLive`; else 0).
   */
  disabledUseRunsLive(vcpu: number): UnitMask;
  /** The guest-visible value of control register `reg` (`Machine.guestRead`). */
  guestRead(vcpu: number, reg: number): number;
  /**
   * The control registers a guest write of which is not a unit's own instruction (enable and mode
   * registers: no `unit` or no `slice`), by id: a slice's {@link SliceWrites} name only these.
   */
  readonly modeRegisters: Int32Array;
  /** Number of control registers of the variant (ids 0 … controlRegisters − 1). */
  readonly controlRegisters: number;
  /**
   * What a guest write of `reg` does, its value in `values[reg]` over the others' (by register id),
   * `old` the value before (`Machine.guestWriteEffect`): enabled units | WRITE_EXITS | WRITE_DROPS;
   * −1 when the backend does not say (the enables stay as they are, no exit).
   */
  guestWriteEffect(vcpu: number, reg: number, values: Uint32Array, old: number): number;
  /**
   * Where host kernel-mode FP is refused while the guest's state is live, the bytes it saves and
   * restores of the host task's state otherwise (`Machine.kernelFpuUnusableWhileLive`); else −1.
   */
  kernelFpuUnusableWhileLive(vcpu: number): number;
  /** A `kernel-fpu` does nothing on this machine (`Machine.kernelFpuIgnored`). */
  readonly kernelFpuIgnored: boolean;
  /** What a guest use of `unit` that executes does to `values` (`Machine.guestUseEffect`). */
  guestUseEffect(vcpu: number, unit: number, values: Uint32Array): void;
}

/** One run's policy: the decisions core asks for at each trap, entry and exit, with its own per-run state. */
export interface PolicyInstance {
  /** Units to make live when the guest traps on first use of `unit`. */
  grant(vcpu: number, unit: number): UnitMask;
  /** Units to make live before a guest entry (0: none). */
  preload(vcpu: number): UnitMask;
  /** Save and disable everything live at this (non-FP) exit? */
  saveAtExit(vcpu: number): boolean;
  /** An access of `unit` executed in the guest. */
  used(vcpu: number, unit: number): void;
  /** vcpu_load: a time slice of the vCPU begins. */
  sliceBegin(vcpu: number): void;
  /** vcpu_put: the slice ends. */
  sliceEnd(vcpu: number): void;
  /**
   * Only for a policy whose definition asks for `lookahead: 'slice'`: the vCPU's coming workload
   * slice (its events from this `load`/`run` to its `put`, `sched-out` or return to userspace),
   * handed over before the slice's first event runs. The view is reused: copy what you keep.
   */
  lookahead?(vcpu: number, slice: SliceView): void;
  /**
   * Only for a look-ahead policy: the guest writes an enable or mode register (the slice's next
   * write in {@link SliceView.writes}), before the kernel acts on it.
   */
  guestWrote?(vcpu: number): void;
}

/** Codes of a {@link SliceView}: a unit index (≥ 0) is a guest use of that unit. */
export const SLICE_ENTRY = -1;
/** A {@link SliceView} code: a non-FP exit whose handler resumes the guest. */
export const SLICE_EXIT = -2;
/** A non-FP exit whose handler returns KVM_RUN to userspace (vcpu_put, then KVM_RUN again). */
export const SLICE_RETURN = -3;

/**
 * A host kernel-mode FP use (`kernel-fpu`) on the vCPU's pCPU inside its slice: the host saves
 * whatever of the vCPU is live (no policy decision), so nothing is live after it.
 */
export const SLICE_FLUSH = -4;

/**
 * Not from the workload: what `clairvoyant` makes of a guest write on which the kernel discards
 * the vCPU's live state without a save (MIPS kvm_drop_fpu on a Status.FR change): nothing is live
 * after it, at no cost.
 */
export const SLICE_DROP = -5;

/**
 * Not from the workload: a guest write's exit on which the kernel saves and disables everything
 * live when any of the units in `enabled[i]` (solveSlice's by-code array, here a condition) is live.
 */
export const SLICE_LOSE = -6;

/**
 * Not from the workload: a guest write on which the kernel loads the units in `enabled[i]` when
 * none of them is live (no trap, no policy asked).
 */
export const SLICE_LOAD = -7;

/**
 * Not from the workload: a use of the unit in `enabled[i]` that the guest cannot run and whose
 * exit the kernel takes first (trap, the exception handed back, a re-entry: the codes after it,
 * a {@link SLICE_FLUSH} first when preempted, then the {@link SLICE_ENTRY}), which happens only
 * while that unit is not live: live, the instruction runs and none of those codes happen
 * (LoongArch: LBT owned along with the FPU by kvm_check_fcsr in a VM without LBT). It grants
 * nothing; its cost is the trap's.
 */
export const SLICE_AVOID = -8;

/**
 * Added to a unit code (`unit | SLICE_PREEMPTED`): a use whose trap, if it traps, is followed by
 * a preemption before the re-entry (`"preempt": "after-trap"`): vcpu_put saves what is live, and
 * vcpu_load with the re-entry is an entry. `code & SLICE_UNIT` is the unit.
 */
export const SLICE_PREEMPTED = 1 << 8;
/** The unit of a use code (see {@link SLICE_PREEMPTED}). */
export const SLICE_UNIT = SLICE_PREEMPTED - 1;

/**
 * A vCPU's coming slice, as the workload gives it: `codes[0 … length)` in order, each a unit index
 * (a guest instruction of that unit; with {@link SLICE_PREEMPTED} added, one preempted after its trap), {@link SLICE_ENTRY} (a guest entry), {@link SLICE_EXIT}
 * (a non-FP exit), {@link SLICE_RETURN} (one that returns KVM_RUN to userspace) or
 * {@link SLICE_FLUSH} (the host's kernel-mode FP on the vCPU's pCPU). `truncated`: the slice was longer than the look-ahead window; only its start
 * is known.
 */
export interface SliceView {
  /** The codes; only the first `length` are the slice's (the array is reused and may be longer). */
  readonly codes: Int32Array;
  /** How many codes the slice has. */
  readonly length: number;
  /** The slice was longer than the look-ahead window: only its start is known. */
  readonly truncated: boolean;
  /** The workload ends inside the slice: nothing after its last code runs (no vcpu_put). */
  readonly endsRun?: boolean;
  /**
   * The guest's writes of control registers that are not a unit's own (code {@link SLICE_WRITE}
   * − k is write k): by k, the register id, and the bits it sets and clears (a whole value v is
   * set v, clear ~v). Absent: the slice has none.
   */
  readonly writes?: SliceWrites;
}

/** A slice's guest writes of enable and mode registers, by write index (arrays reused, may be longer). */
export interface SliceWrites {
  /** Write k's register, by control-register id. */
  readonly reg: Int32Array;
  /** Write k's bits set: the register's value after it is `(old | set[k]) & ~clear[k]`. */
  readonly set: Int32Array;
  /** Write k's bits cleared (see {@link SliceWrites.set}). */
  readonly clear: Int32Array;
}

/**
 * Not from the workload: host kernel-mode FP on the vCPU's pCPU (a `kernel-fpu`, in place of its
 * {@link SLICE_FLUSH}) where the kernel refuses it while the guest's state is live
 * (`Machine.kernelFpuUnusableWhileLive`; x86 4.8): with anything live nothing happens; with
 * nothing live the host task's state is saved and restored around it (`SliceCosts.kernelFpu`).
 */
export const SLICE_KERNEL_FPU = -9;

/**
 * A {@link SliceView} code at or below this: `SLICE_WRITE − k` is the guest's write k of a
 * control register that enables units or switches modes ({@link SliceView.writes}).
 */
export const SLICE_WRITE = -16;

/**
 * What a guest write does to the slice model (`Machine.guestWriteEffect`): bits 0 to 7 are the
 * units the guest has enabled after it; bits 8 to 15 (`<< WRITE_USE_EXITS_SHIFT`) the units a use
 * of which, not enabled, traps to the kernel first after it (`Machine.disabledUseExits`); these
 * flags say it exits to the kernel, which re-enters the guest (a non-FP exit the policy is not
 * asked about, then an entry)…
 */
export const WRITE_EXITS = 1 << 16;
/** …and that the kernel discards the vCPU's live state on it without a save (MIPS kvm_drop_fpu)… */
export const WRITE_DROPS = 1 << 17;
/**
 * …and, in bits 20 to 27 (`<< WRITE_LOSES_IF_SHIFT`), units whose liveness makes the kernel save
 * and disable everything live there (after any drop; MIPS kvm_lose_fpu when CU1 changes with FR=0
 * and the vector units are live).
 */
export const WRITE_LOSES_IF_SHIFT = 20;
/**
 * …that the write is, for the kernel, a use of the unit in bits 28 to 30 (`>>>
 * WRITE_USE_UNIT_SHIFT`): a trap that loads it when it is not live (x86 6.16 LDTILECFG while the
 * guest fpstate is not loaded: KVM's XFD #NM)…
 */
export const WRITE_USES = 1 << 18;
/** The shift of a {@link WRITE_USES} write's unit. */
export const WRITE_USE_UNIT_SHIFT = 28;
/**
 * …that, when none of the units the guest has enabled is live, the kernel loads them all there
 * without a trap (x86 4.8 CLTS while the guest FPU is inactive: handle_cr → vmx_fpu_activate).
 */
export const WRITE_LOADS = 1 << 19;
/**
 * …that the kernel's handler returns KVM_RUN to userspace (vcpu_put saves what is live): the
 * guest runs nothing more until the next entry (MIPS mainline: no GSFC case for Config,
 * EMULATE_FAIL → KVM_EXIT_INTERNAL_ERROR).
 */
export const WRITE_RETURNS = 1 << 31;
/** The shift of a write effect's units whose disabled use traps to the kernel first. */
export const WRITE_USE_EXITS_SHIFT = 8;
/** The enabled-units part of a write effect. */
export const WRITE_ENABLED = 0xff;

/** One numeric parameter of a policy (`adaptive:threshold=3`), with its range. */
export interface PolicyParamSpec {
  /** The value when none is given. */
  readonly default: number;
  /** The smallest value accepted. */
  readonly min: number;
  /** The largest value accepted. */
  readonly max: number;
  /** One line for `vfpu list`: what the parameter changes. */
  readonly description: string;
}

/** A policy: a name, its parameters and a factory of per-run instances (built-ins in `BUILTIN_POLICIES`; a user's own may be passed where a policy name is). */
export interface PolicyDefinition {
  /** The name runs and reports use (`--policy NAME`). */
  readonly name: string;
  /** One line for `vfpu list`: what it decides. */
  readonly description: string;
  /** Where the idea comes from (kernel commit, paper). */
  readonly origin: string;
  /** Its parameters, by name. */
  readonly params: Readonly<Record<string, PolicyParamSpec>>;
  /**
   * The policy this one must equal on a variant whose one trap enables every unit (it differs
   * only in what it grants): core says so in the report's warnings and in `vfpu list`.
   */
  readonly sameAs?: {
    /** The policy it must equal. */
    readonly policy: string;
    /** When: on variants whose one trap enables every unit (`TrapGranularity` scope `all`). */
    readonly when: 'trap-enables-all';
  };
  /**
   * `'slice'`: the engine buffers each vCPU slice's events (a bounded, streamed window; never
   * the whole trace) and calls the instance's `lookahead()` before the slice runs. Policies
   * without it pay nothing for the mechanism.
   */
  readonly lookahead?: 'slice';
  /**
   * Creates the per-run instance. It sees the run only through `view` and the calls below.
   */
  create(view: PolicyView, params: Readonly<Record<string, number>>): PolicyInstance;
}
