/**
 * @vfpu/x86-xfd — Linux KVM on x86: XSAVE state, XCR0, XFD / XFD_ERR / #NM and AMX tile data
 * (6.16), and the lazy CR0.TS scheme KVM had before 4.11.
 */
import type { BackendV2 } from '@vfpu/core';
import pkg from '../package.json' with { type: 'json' };
import { X86Machine } from './machine.js';
import { FAULTS, OPTIONS, resolveConfig } from './options.js';
import { VARIANTS } from './variants.js';

/** Creates the x86-xfd backend (a plain object: pass it to the run functions of @vfpu/core). */
export function x86Xfd(): BackendV2 {
  return {
    specificationVersion: 'v2',
    id: 'x86-xfd',
    description:
      'x86-64: XSAVE components, XCR0, XFD / XFD_ERR / #NM and AMX under Linux KVM 6.16, and the 4.8 lazy CR0.TS guest FPU',
    version: pkg.version,
    variants: VARIANTS,
    defaultVariant: 'kvm-6.16',
    options: OPTIONS,
    resolveConfig,
    createMachine: (init) => new X86Machine(init),
  };
}

export { KVM_616, KVM_LAZY_CR0TS, VARIANTS, X86_COSTS } from './variants.js';
export { FAULTS };
