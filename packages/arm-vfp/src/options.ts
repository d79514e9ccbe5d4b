/**
 * The `config` options of an arm-vfp workload, validated with messages that name the field.
 */
import type { ConfigResult, OptionSpec, VariantSpec } from '@vfpu/core';
import {
  badBitList,
  configFailure,
  faultFlags,
  isConfigObject,
  resolveQuirksAndFaults,
  unknownOption,
} from '@vfpu/core/backend-utils';
import { ARM32_CONTROL_REGISTERS, ARM64_CONTROL_REGISTERS, SVE_VQ_MAX } from './regs.js';

/** The kernel generation a variant models (reference/arm-vfp.md §0: one generation each). */
export type Generation = 'a32-asm' | 'a32-c' | 'e4' | 'e5';

/** Deliberately broken mechanisms, to show that the state oracle catches them. */
export const FAULTS = {
  /** 32-bit: FPINST/FPINST2 never saved. */
  'skip-fpinst-save':
    '32-bit: the bank save ignores FPEXC.EX and never stores FPINST/FPINST2 (the subarchitecture rule broken)',
  /** 32-bit: the host's VFP bank never restored at exit. */
  'no-switch-back':
    '32-bit: the exit path leaves the guest bank in the registers and never restores the host area',
  /** arm64: the guest's registers never bound, so never saved. */
  'skip-ctxsync':
    'arm64: kvm_arch_vcpu_ctxsync_fp does not bind the vCPU state to the CPU, so nothing saves the guest registers later',
  /** arm64-e4: the host's FPSIMD state not saved before the guest's is loaded. */
  'skip-host-save':
    'arm64-e4: kvm_hyp_handle_fpsimd does not save the host FPSIMD state while the host owns the registers',
} as const;
export type Fault = keyof typeof FAULTS;

export interface ArmOptions {
  readonly generation: Generation;
  /** 32-bit: CONFIG_VFPv3 (the Hyp lazy switch exists); MVFR0.A_SIMD = 2 (D32); CONFIG_SMP. */
  readonly vfpv3: boolean;
  readonly d32: boolean;
  readonly smp: boolean;
  /** 32-bit: the guest's FPEXC at the first run (vcpu->arch.vfp_guest.fpexc). */
  readonly guestFpexc: number;
  /** arm64: VHE host; the vCPU has SVE; its maximum vector length in quadwords; AArch32 EL1. */
  readonly vhe: boolean;
  readonly sve: boolean;
  readonly vq: number;
  readonly aarch32: boolean;
  /** arm64: the guest's CPACR_EL1 (its own FPEN / ZEN enables). */
  readonly guestCpacr: number;
  readonly quirks: 'kernel' | 'fixed';
  readonly faults: Readonly<Record<Fault, boolean>>;
}

export function generationOf(variant: VariantSpec): Generation {
  switch (variant.id) {
    case 'armv7-2013':
      return 'a32-asm';
    case 'armv7-c':
      return 'a32-c';
    case 'arm64-e4':
      return 'e4';
    default:
      return 'e5';
  }
}

export function is32(g: Generation): boolean {
  return g === 'a32-asm' || g === 'a32-c';
}

const QUIRKS_HELP =
  '"kernel" reproduces the kernel (arm64-e4 nVHE: a non-SVE vCPU that owns FP runs with CPTR_EL2.TZ clear); "fixed" does what was evidently intended (TZ stays armed, as in arm64-e5)';

export const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  vfpv3: {
    description:
      '32-bit: host kernel built with CONFIG_VFPv3 (the Hyp lazy switch); false: every guest VFP access is a full exit and UNDEF',
    schema: { type: 'boolean' },
    default: true,
  },
  d32: {
    description:
      '32-bit: MVFR0.A_SIMD = 2 (32 double registers and NEON); false: D16 hardware, 144-byte transfers',
    schema: { type: 'boolean' },
    default: true,
  },
  smp: {
    description:
      '32-bit: host CONFIG_SMP (eager save of the owner at context switch, hard.cpu migration check)',
    schema: { type: 'boolean' },
    default: true,
  },
  vhe: {
    description: 'arm64: VHE host (CPACR_EL1 traps); false: nVHE (CPTR_EL2.TFP / TZ)',
    schema: { type: 'boolean' },
    default: true,
  },
  sve: {
    description: 'arm64: the vCPU has SVE (KVM_ARM_VCPU_SVE)',
    schema: { type: 'boolean' },
    default: true,
  },
  vq: {
    description: `arm64: the vCPU's maximum SVE vector length in quadwords (1–${SVE_VQ_MAX}; 2 = 256-bit, as Neoverse V1)`,
    schema: { type: 'integer', minimum: 1, maximum: SVE_VQ_MAX },
    default: 2,
  },
  aarch32: {
    description: 'arm64: the guest runs AArch32 at EL1 (HCR_EL2.RW = 0): FPEXC32_EL2 is switched',
    schema: { type: 'boolean' },
    default: false,
  },
  guest: {
    description:
      'initial guest bits: {"FPEXC": ["EN"]} (32-bit; the guest kernel has enabled VFP) or {"CPACR_EL1": ["FPEN_EL1EN","FPEN_EL0EN","ZEN_EL1EN","ZEN_EL0EN"]} (arm64)',
    schema: { type: 'object' },
    default: {},
  },
  quirks: {
    description: QUIRKS_HELP,
    schema: { enum: ['kernel', 'fixed'] },
    default: 'kernel',
  },
  faults: {
    description: `deliberately broken mechanisms, to see what the oracle catches: ${Object.keys(FAULTS).join(', ')}`,
    schema: { type: 'array', items: { enum: Object.keys(FAULTS) } },
    default: [],
  },
};

const ARM32_ONLY = ['vfpv3', 'd32', 'smp'];
const ARM64_ONLY = ['vhe', 'sve', 'vq', 'aarch32'];
const GUEST_DEFAULTS_32: Readonly<Record<string, readonly string[]>> = { FPEXC: ['EN'] };
const GUEST_DEFAULTS_64: Readonly<Record<string, readonly string[]>> = {
  CPACR_EL1: ['FPEN_EL1EN', 'FPEN_EL0EN', 'ZEN_EL1EN', 'ZEN_EL0EN'],
};

export function resolveConfig(
  variant: VariantSpec,
  config: Readonly<Record<string, unknown>>,
  shape: { readonly cpus: number; readonly vcpus: number },
): ConfigResult {
  const g = generationOf(variant);
  const a32 = is32(g);
  const unknown = unknownOption(config, OPTIONS);
  if (unknown) return unknown;
  for (const key of Object.keys(config)) {
    if ((a32 ? ARM64_ONLY : ARM32_ONLY).includes(key))
      return configFailure(
        key,
        `${a32 ? 'an arm64' : 'a 32-bit'} option; ${variant.id} does not have it`,
      );
  }
  const out: Record<string, unknown> = {};
  for (const key of a32 ? ARM32_ONLY : ARM64_ONLY) {
    if (key === 'vq') continue;
    const v = config[key] ?? OPTIONS[key]?.default;
    if (typeof v !== 'boolean') return configFailure(key, 'expected true or false');
    out[key] = v;
  }
  if (a32 && out.smp === false && shape.cpus > 1)
    return configFailure(
      'smp',
      `a uniprocessor kernel (smp: false) runs on one pCPU; the header has "cpus": ${shape.cpus}`,
    );
  if (!a32) {
    const vq = config.vq ?? 2;
    if (typeof vq !== 'number' || !Number.isInteger(vq) || vq < 1 || vq > SVE_VQ_MAX)
      return configFailure('vq', `expected an integer from 1 to ${SVE_VQ_MAX}`);
    out.vq = vq;
  }
  const registers = a32 ? ARM32_CONTROL_REGISTERS : ARM64_CONTROL_REGISTERS;
  const defaults = a32 ? GUEST_DEFAULTS_32 : GUEST_DEFAULTS_64;
  const guest = config.guest ?? {};
  if (!isConfigObject(guest))
    return configFailure('guest', 'expected an object of register → bit names');
  const bits: Record<string, number> = {};
  for (const reg of Object.keys(defaults)) {
    const list = guest[reg] ?? defaults[reg];
    const named = registers.find((r) => r.name === reg)?.bits ?? {};
    const bad = badBitList(`guest.${reg}`, list, named);
    if (bad) return bad;
    let m = 0;
    for (const name of list as string[]) m |= 1 << (named[name] as number);
    bits[reg] = m >>> 0;
  }
  for (const reg of Object.keys(guest)) {
    if (!Object.hasOwn(defaults, reg))
      return configFailure(
        `guest.${reg}`,
        `unknown register (known for ${variant.id}: ${Object.keys(defaults).join(', ')})`,
      );
  }
  out.guest = bits;
  const common = resolveQuirksAndFaults(config, FAULTS, out);
  if (common) return common;
  return { ok: true, value: out };
}

/** The machine's view of resolved options. */
export function toArmOptions(
  value: Readonly<Record<string, unknown>>,
  variant: VariantSpec,
): ArmOptions {
  const bits = value.guest as Record<string, number>;
  return {
    generation: generationOf(variant),
    vfpv3: (value.vfpv3 as boolean | undefined) ?? true,
    d32: (value.d32 as boolean | undefined) ?? true,
    smp: (value.smp as boolean | undefined) ?? true,
    guestFpexc: bits.FPEXC ?? 0,
    vhe: (value.vhe as boolean | undefined) ?? true,
    sve: (value.sve as boolean | undefined) ?? false,
    vq: (value.vq as number | undefined) ?? 2,
    aarch32: (value.aarch32 as boolean | undefined) ?? false,
    guestCpacr: bits.CPACR_EL1 ?? 0,
    quirks: value.quirks as 'kernel' | 'fixed',
    faults: faultFlags(FAULTS, value.faults as string[]),
  };
}
