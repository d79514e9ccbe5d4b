/**
 * @vfpu/arm-vfp — Linux KVM on ARM: 32-bit lazy VFP/NEON (HCPTR, FPEXC) and arm64 FPSIMD/SVE
 * ownership (fp_owner, TIF_FOREIGN_FPSTATE).
 */
import type { BackendV2 } from '@vfpu/core';
import pkg from '../package.json' with { type: 'json' };
import { Arm32Machine } from './arm32/machine.js';
import { Arm64Machine } from './arm64/machine.js';
import { FAULTS, is32, OPTIONS, resolveConfig, toArmOptions } from './options.js';
import { VARIANTS } from './variants.js';

/** Creates the arm-vfp backend (a plain object: pass it to the run functions of @vfpu/core). */
export function armVfp(): BackendV2 {
  return {
    specificationVersion: 'v2',
    id: 'arm-vfp',
    description:
      'ARM: 32-bit KVM lazy VFP/NEON (HCPTR, FPEXC) and arm64 FPSIMD/SVE ownership under Linux KVM',
    version: pkg.version,
    variants: VARIANTS,
    defaultVariant: 'arm64-e5',
    options: OPTIONS,
    resolveConfig,
    createMachine({ variant, options, host, ids }) {
      const o = toArmOptions(options, variant);
      return is32(o.generation)
        ? new Arm32Machine(host, o, variant, ids)
        : new Arm64Machine(host, o, variant, ids);
    },
  };
}

export { ARM_COSTS, ARM64_E4, ARM64_E5, ARMV7_2013, ARMV7_C, VARIANTS } from './variants.js';
export { FAULTS };
