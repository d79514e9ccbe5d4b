/**
 * The backend contract, version 2.
 *
 * A backend is *mechanism*: what the hardware does (which access traps under which control
 * bits, with which exception code) and what the hypervisor's routines do (own / lose / drop,
 * save and restore with their exact byte counts, control-register updates). Decisions (when to
 * load, what to grant on a trap, when to save) belong to policies; the vCPU lifecycle, state
 * checking and accounting belong to core.
 *
 * A backend is a plain object; nothing registers itself at import time. Start from the toy
 * backend (`@vfpu/testkit/toy`), the smallest complete one.
 */
import type { CostTable } from '../costs.js';
import type { PolicyRef } from '../policy/types.js';
import type { UnitClass, UnitSpec } from '../units.js';
import type { Machine } from './machine.js';
import type { MachineHost } from './machine-host.js';
import type {
  ControlRegisterSpec,
  ExitReasonSpec,
  MachineIds,
  SyscallSpec,
  UserRegisterSpec,
} from './registers.js';

/** One documented option of `config` in the workload header. */
export interface OptionSpec {
  /** One line for `vfpu list` and the docs: what the option does. */
  readonly description: string;
  /** JSON Schema fragment describing the value. */
  readonly schema: Record<string, unknown>;
  /** The value when the header does not give one. */
  readonly default: unknown;
}

/** A refused header `config`: the field it names and why. */
export interface ConfigFailure {
  /** Always false: distinguishes a failure from the resolved options. */
  readonly ok: false;
  /** The option's path in `config` (`guest.Status`), for the error message. */
  readonly field: string;
  /** What is wrong with it. */
  readonly message: string;
}
/** What `resolveConfig` returns: the resolved options, or a failure naming the field. */
export type ConfigResult =
  | {
      /** Always true: the config was accepted. */
      ok: true;
      /** The resolved options, defaults filled in (what `MachineInit.options` receives). */
      value: Record<string, unknown>;
    }
  | ConfigFailure;

/**
 * Which units one trap makes usable. `unit`: the handler enables the unit it was taken for (and
 * whatever the policy's grant adds: MIPS kvm_own_fpu / kvm_own_msa / kvm_own_lasx). `all`: one trap
 * enables every unit at once (ARM HCPTR traps the whole VFP bank), so policies that differ only in
 * what they grant coincide on this variant; `why` says so in reports and `vfpu list`.
 */
export type TrapGranularity =
  | {
      /** One trap enables the unit it was taken for (and the policy's grant). */
      readonly scope: 'unit';
    }
  | {
      /** One trap enables every unit. */
      readonly scope: 'all';
      /** Why, in the hardware's terms (printed in reports and `vfpu list`). */
      readonly why: string;
    };

/** One kernel generation of a backend: its units, control registers, exits, uapi, costs and what `kvm` means on it. */
export interface VariantSpec {
  /** The variant's id (`--variant`, header `variant`). */
  readonly id: string;
  /** One line for `vfpu list`: the hardware and kernel it stands for. */
  readonly description: string;
  /** What this variant models: kernel version and files. */
  readonly kernel: string;
  /** The register units, by id; their order is the bit order of a UnitMask. */
  readonly units: readonly UnitSpec[];
  /** Unit id that implements (or best approximates) each neutral class. */
  readonly classMap: Readonly<Record<UnitClass, string>>;
  /** Bytes of one pCPU register file (and of one context's architectural image). */
  readonly registerFileBytes: number;
  /** The enable/trap control registers a `guest-write` may name (MIPS Status, ARM FPEXC, x86 XCR0 …). */
  readonly controlRegisters: readonly ControlRegisterSpec[];
  /** Exit reasons beyond the common ones (EXIT_REASONS). */
  readonly exitReasons?: readonly ExitReasonSpec[];
  /** The register-id uapi, when the architecture has one. */
  readonly userRegisters?: UserRegisterSpec;
  /** System calls `syscall` events may make. */
  readonly syscalls?: readonly SyscallSpec[];
  /** Whether one trap makes one unit or every unit usable (see `TrapGranularity`). */
  readonly trapGranularity: TrapGranularity;
  /** What the policy named `kvm` means on this variant. */
  readonly kvm: PolicyRef;
  /** Cycle cost of each counted thing, each figure with its source. */
  readonly costs: CostTable;
}

/** What `createMachine` is given for one run. */
export interface MachineInit {
  /** The variant the run uses. */
  readonly variant: VariantSpec;
  /** The header's options as `resolveConfig` returned them. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Core's side of the machine: state, the oracle, accounting, tracing. */
  readonly host: MachineHost;
  /** The ids of the variant's names: use these, never a position in a declaration. */
  readonly ids: MachineIds;
}

/** A backend (contract v2): one architecture's KVM, as a plain object with its variants and a factory of machines. */
export interface BackendV2 {
  /** Always `'v2'`: the contract version core checks before use. */
  readonly specificationVersion: 'v2';
  /** The architecture's id (`--arch`, header `arch`). */
  readonly id: string;
  /** One line for `vfpu list`. */
  readonly description: string;
  /** The backend's package version (reported in `config.versions`). */
  readonly version: string;
  /** The kernel generations it models. */
  readonly variants: readonly VariantSpec[];
  /** The variant a workload that names none runs on. */
  readonly defaultVariant: string;
  /** Options accepted in the workload header's `config`, by key. */
  readonly options: Readonly<Record<string, OptionSpec>>;
  /**
   * Validates `config` for a variant (and the header's pCPU / vCPU counts and host thread
   * names, for options that constrain or name them). Returns an error naming the field
   * (`guest.Status: unknown bit "CU3"`), or the resolved options.
   */
  resolveConfig(
    variant: VariantSpec,
    config: Readonly<Record<string, unknown>>,
    shape: {
      readonly cpus: number;
      readonly vcpus: number;
      /** The header's declared host threads (VMM threads `vmm<N>` are implied by `vcpus`). */
      readonly threads: readonly string[];
    },
  ): ConfigResult;
  /** Creates a run's machine. Core checks its hooks and capability groups right after. */
  createMachine(init: MachineInit): Machine;
}
