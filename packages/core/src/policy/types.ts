/**
 * Policies are decisions, written once against the unit lattice: when to load, what to grant
 * on a trap, when to save. They run unchanged on every backend.
 */
import type { UnitLattice, UnitMask } from '../units.js';

/** How a variant names the policy its kernel follows: a core policy and its parameters. */
export interface PolicyRef {
  readonly policy: string;
  readonly params?: Readonly<Record<string, number>>;
}

/** What a policy may look at. */
export interface PolicyView {
  readonly lattice: UnitLattice;
  readonly vcpus: number;
  /** Units the guest has enabled itself. */
  guestEnabled(vcpu: number): UnitMask;
  /** Units live in hardware for the vCPU. */
  live(vcpu: number): UnitMask;
}

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
}

export interface PolicyParamSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly description: string;
}

export interface PolicyDefinition {
  readonly name: string;
  readonly description: string;
  /** Where the idea comes from (kernel commit, paper). */
  readonly origin: string;
  readonly params: Readonly<Record<string, PolicyParamSpec>>;
  /**
   * The policy this one must equal on a variant whose one trap enables every unit (it differs
   * only in what it grants): core says so in the report's warnings and in `vfpu list`.
   */
  readonly sameAs?: { readonly policy: string; readonly when: 'trap-enables-all' };
  /**
   * Creates the per-run instance. It sees the run only through `view` and the calls below; a
   * later contract may add a bounded look-ahead of the workload to `view` (a clairvoyant policy).
   */
  create(view: PolicyView, params: Readonly<Record<string, number>>): PolicyInstance;
}
