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
  readonly description: string;
  /** JSON Schema fragment describing the value. */
  readonly schema: Record<string, unknown>;
  readonly default: unknown;
}

export interface ConfigFailure {
  readonly ok: false;
  readonly field: string;
  readonly message: string;
}
export type ConfigResult = { ok: true; value: Record<string, unknown> } | ConfigFailure;

/**
 * Which units one trap makes usable. `unit`: the handler enables the unit it was taken for (and
 * whatever the policy's grant adds: MIPS kvm_own_fpu / kvm_own_msa / kvm_own_lasx). `all`: one trap
 * enables every unit at once (ARM HCPTR traps the whole VFP bank), so policies that differ only in
 * what they grant coincide on this variant; `why` says so in reports and `vfpu list`.
 */
export type TrapGranularity =
  | { readonly scope: 'unit' }
  | { readonly scope: 'all'; readonly why: string };

export interface VariantSpec {
  readonly id: string;
  readonly description: string;
  /** What this variant models: kernel version and files. */
  readonly kernel: string;
  /** The register units, by id; their order is the bit order of a UnitMask. */
  readonly units: readonly UnitSpec[];
  /** Unit id that implements (or best approximates) each neutral class. */
  readonly classMap: Readonly<Record<UnitClass, string>>;
  /** Bytes of one pCPU register file (and of one context's architectural image). */
  readonly registerFileBytes: number;
  readonly controlRegisters: readonly ControlRegisterSpec[];
  /** Exit reasons beyond the common ones (EXIT_REASONS). */
  readonly exitReasons?: readonly ExitReasonSpec[];
  /** The register-id uapi, when the architecture has one. */
  readonly userRegisters?: UserRegisterSpec;
  /** System calls `syscall` events may make. */
  readonly syscalls?: readonly SyscallSpec[];
  readonly trapGranularity: TrapGranularity;
  /** What the policy named `kvm` means on this variant. */
  readonly kvm: PolicyRef;
  readonly costs: CostTable;
}

export interface MachineInit {
  readonly variant: VariantSpec;
  readonly options: Readonly<Record<string, unknown>>;
  readonly host: MachineHost;
  /** The ids of the variant's names: use these, never a position in a declaration. */
  readonly ids: MachineIds;
}

export interface BackendV2 {
  readonly specificationVersion: 'v2';
  readonly id: string;
  readonly description: string;
  readonly version: string;
  readonly variants: readonly VariantSpec[];
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
