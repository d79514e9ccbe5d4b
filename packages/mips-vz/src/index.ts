/**
 * @vfpu/mips-vz — Linux KVM on MIPS VZ: lazy guest FPU and MSA state (arch/mips/kvm).
 */
import type { BackendV2 } from '@vfpu/core';
import pkg from '../package.json' with { type: 'json' };
import { MipsVzMachine } from './machine.js';
import { OPTIONS, resolveConfig, toMipsOptions } from './options.js';
import { FAULTS } from './state.js';
import { VARIANTS } from './variants.js';

/** Creates the mips-vz backend (a plain object: pass it to the run functions of @vfpu/core). */
export function mipsVz(): BackendV2 {
  return {
    specificationVersion: 'v2',
    id: 'mips-vz',
    description:
      'Loongson/MIPS64 VZ: guest FPU, MSA and LASX under Linux KVM (lazy, trap on first use)',
    version: pkg.version,
    variants: VARIANTS,
    defaultVariant: 'loongson-3a4000',
    options: OPTIONS,
    resolveConfig,
    createMachine(init) {
      return new MipsVzMachine(init, toMipsOptions(init.options, init.variant));
    },
  };
}

export { LOONGSON_3A4000, MAINLINE, MIPS_COSTS, VARIANTS } from './variants.js';
export { FAULTS };
