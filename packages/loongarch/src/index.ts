/**
 * `@vfpu/loongarch`: LoongArch KVM's lazy guest FP / LSX / LASX (arch/loongarch/kvm/{vcpu.c,
 * exit.c, switch.S}, kernel/fpu.S). Written against `@vfpu/core`'s contract and
 * `@vfpu/core/backend-utils` only.
 */

import type { BackendV2, ConfigResult, VariantSpec } from '@vfpu/core';
import {
  badBitList,
  configFailure,
  isConfigObject,
  resolveQuirksAndFaults,
  unknownOption,
} from '@vfpu/core/backend-utils';
import pkg from '../package.json' with { type: 'json' };
import { LoongMachine } from './machine.js';
import { EUEN_BITS, VARIANTS } from './variants.js';

export { LoongMachine } from './machine.js';

const FAULTS = {
  'lasx-save-low-half': 'kvm_save_lasx stores only the low 128 bits of each $xr',
  'fpdis-while-live':
    "the hardware raises FPDIS once per vCPU, on the FP instruction after the first that executes, although CSR.EUEN.FPE is set (reaches kvm_handle_fpu_disabled's WARN_ON path, C.1 L15; no state is lost)",
};
/** CPUCFG2 bits; `LBT` stands for X86BT (18) | ARMBT (19) | MIPSBT (20): kvm_guest_has_lbt. */
const CPUCFG2 = { FP: 0, LSX: 6, LASX: 7, LBT: 18 } as const;

const OPTIONS: BackendV2['options'] = {
  cpucfg: {
    description:
      'guest CPUCFG2 features (kvm_guest_has_*): FP, LSX, LASX, LBT (any of X86BT/ARMBT/MIPSBT); KVM refuses LSX without FP and LASX without LSX (kvm_check_cpucfg)',
    schema: { type: 'array', items: { enum: Object.keys(CPUCFG2) } },
    default: ['FP', 'LSX', 'LASX'],
  },
  guest: {
    description: "the guest's initial CSR.EUEN: { EUEN: [bit names: FPE, SXE, ASXE, BTE] }",
    schema: { type: 'object' },
    default: { EUEN: ['FPE', 'SXE', 'ASXE'] },
  },
  quirks: {
    description:
      '"kernel": as the kernel: KVM_GET_FPU / KVM_SET_FPU copy FPU_REG_WIDTH / 64 = 4 bytes per register, and KVM_RUN runs lose_fpu(1) but no lose_lbt(1); "fixed": the whole 32-byte register (the 2026 fix, selftest fpu_test.c), and lose_lbt(1) too',
    schema: { enum: ['kernel', 'fixed'] },
    default: 'kernel',
  },
  faults: {
    description: `deliberately broken mechanisms: ${Object.keys(FAULTS).join(', ')}`,
    schema: { type: 'array', items: { enum: Object.keys(FAULTS) } },
    default: [],
  },
};

function resolveConfig(
  variant: VariantSpec,
  config: Readonly<Record<string, unknown>>,
): ConfigResult {
  const out: Record<string, unknown> = {};
  const bad = unknownOption(config, OPTIONS) ?? resolveQuirksAndFaults(config, FAULTS, out);
  if (bad) return bad;
  const list = config.cpucfg ?? ['FP', 'LSX', 'LASX'];
  const badCfg = badBitList('cpucfg', list, CPUCFG2);
  if (badCfg) return badCfg;
  const names = list as string[];
  const has = {
    fp: names.includes('FP'),
    lsx: names.includes('LSX'),
    lasx: names.includes('LASX'),
    lbt: names.includes('LBT'),
  };
  if (has.lsx && !has.fp)
    return configFailure('cpucfg', 'LSX without FP: KVM_SET_ONE_REG(CPUCFG2) returns -EINVAL');
  if (has.lasx && !has.lsx)
    return configFailure('cpucfg', 'LASX without LSX: KVM_SET_ONE_REG(CPUCFG2) returns -EINVAL');
  out.has = has;
  let euen = ['FPE', 'SXE', 'ASXE'];
  if (config.guest !== undefined) {
    if (!isConfigObject(config.guest)) return configFailure('guest', 'expected an object');
    for (const key of Object.keys(config.guest))
      if (key !== 'EUEN') return configFailure(`guest.${key}`, 'unknown register (known: EUEN)');
    if (config.guest.EUEN !== undefined) {
      const b = badBitList('guest.EUEN', config.guest.EUEN, EUEN_BITS);
      if (b) return b;
      euen = config.guest.EUEN as string[];
    }
  }
  let bits = 0;
  for (const n of euen) bits |= 1 << EUEN_BITS[n as keyof typeof EUEN_BITS];
  out.guestEuen = bits;
  out.auxLoad = variant.id === 'aux-load';
  return { ok: true, value: out };
}

/** The LoongArch backend. */
export function loongarch(): BackendV2 {
  return {
    specificationVersion: 'v2',
    id: 'loongarch',
    description: 'LoongArch KVM: lazy FP ⊂ LSX ⊂ LASX with per-width disabled traps',
    version: pkg.version,
    variants: VARIANTS,
    defaultVariant: 'gen-1',
    options: OPTIONS,
    resolveConfig,
    createMachine: (init) => new LoongMachine(init),
  };
}

/** The backend itself, so `vfpu --backend @vfpu/loongarch` can load the module. */
export default loongarch();
