/**
 * Every path only a non-`kvm` policy takes; the kernel never runs these. A preload before entry
 * (eager, adaptive), a save at every exit (lazy-per-exit), and a grant wider than the trapping
 * unit (widest). With the `kvm` policy none of them is reached.
 *
 * Tracepoints: a policy path that calls a kernel routine (kvm_own_*, kvm_lose_fpu) fires that
 * routine's trace_kvm_aux, as the routine would; the path itself fires none (there is no kernel
 * tracepoint for a preload or an exit-time save).
 */
import type { UnitMask } from '@vfpu/core';
import {
  kvm_lose_fpu,
  kvm_own_fpu,
  kvm_own_lasx,
  kvm_own_msa,
  restoreCsrsForEntry,
} from './mips.js';
import type { MipsVz } from './state.js';

export type UnitName = 'fpu' | 'msa' | 'lasx';

/**
 * The widest unit of `enabledGrant` (a policy's grant, masked by what the guest has enabled) for
 * a trap on `at`. The kernel's own choice is `at`: it grants exactly the trapping unit.
 */
export function widestGranted(m: MipsVz, enabledGrant: UnitMask, at: UnitName): UnitName {
  if (enabledGrant & m.ids.LASX_BIT) return 'lasx';
  if (enabledGrant & m.ids.MSA_BIT && at !== 'lasx') return 'msa';
  return at;
}

/** The own routine of a unit a policy grants in place of the kernel's (or at a preload). */
export function ownGranted(m: MipsVz, vi: number, unit: UnitName, depth: number): void {
  if (unit === 'lasx') kvm_own_lasx(m, vi, depth);
  else if (unit === 'msa') kvm_own_msa(m, vi, depth);
  else kvm_own_fpu(m, vi, depth);
}

/** A policy's preload: own the widest unit, then restore the CSRs as re-entry would. */
export function policyLoad(m: MipsVz, vi: number, units: UnitMask): void {
  const unit = units & m.ids.LASX_BIT ? 'lasx' : units & m.ids.MSA_BIT ? 'msa' : 'fpu';
  if (m.trace.on) m.trace.line(0, `policy load of ${unit} (not a kernel path)`);
  ownGranted(m, vi, unit, 1);
  restoreCsrsForEntry(m, vi, 1);
}

/** A policy's save at exit (after the handler): kvm_lose_fpu, which MIPS runs only at put. */
export function policySave(m: MipsVz, vi: number): void {
  if (m.trace.on) m.trace.line(0, 'policy saves at exit');
  kvm_lose_fpu(m, vi, 1);
}
