/**
 * The `config` options of a mips-vz workload, validated with messages that name the field.
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
import {
  CONFIG_BITS,
  CONFIG5_BITS,
  MIPS_CONF1_FP,
  MIPS_CONF3_MSA,
  MIPS_CONF5_MSAEN,
  ST0_CU1,
  ST0_FR,
  STATUS_BITS,
} from './regs.js';
import { FAULTS, type MipsOptions } from './state.js';
import { hasLasx } from './variants.js';

/** Guest CP0 registers userspace may preset, and their named bits. */
const GUEST_REGISTERS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  Status: STATUS_BITS,
  Config1: { FP: 0 },
  Config3: { MSAP: 28 },
  Config5: CONFIG5_BITS,
  /** Loongson only (gc0 Config.LASXEn). */
  Config: CONFIG_BITS,
};

const GUEST_DEFAULTS = {
  Status: ['CU1', 'FR'],
  Config1: ['FP'],
  Config3: ['MSAP'],
  Config5: ['MSAEn'],
  Config: ['LASXEn'],
};

/**
 * kvm_vz_num_regs defaults (docs/reg-list-check.md): Loongson vz.c 33 fixed + UserLocal, BadInstr,
 * BadInstrP + 4 HTW (always on Loongson-3) + 3 KScratch = 43; mainline v5.9+ on the same
 * (non-R6, FR=0-capable) 3A4000-like host: 30 fixed + UserLocal, BadInstr, BadInstrP + 4 HTW
 * (LDPTE) + 3 KScratch = 40. The guest feature flags are UNCONFIRMED on real hardware.
 */
const VZ_REGS_LOONGSON_3A4000 = 43;
const VZ_REGS_MAINLINE = 40;

export const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  fpu: {
    description: 'KVM_CAP_MIPS_FPU enabled by userspace',
    schema: { type: 'boolean' },
    default: true,
  },
  msa: {
    description: 'KVM_CAP_MIPS_MSA enabled by userspace',
    schema: { type: 'boolean' },
    default: true,
  },
  lasx: {
    description:
      'loongson-3a4000 only: the CPUCFG LASX bit (kvm->arch.cpucfg_lasx); the guest has LASX when msa and lasx',
    schema: { type: 'boolean' },
    default: true,
  },
  guest: {
    description:
      'initial guest CP0 bits, per register: {"Status": ["CU1","FR"], "Config1": ["FP"], "Config3": ["MSAP"], "Config5": ["MSAEn"], "Config": ["LASXEn"] (loongson-3a4000)} (a register given replaces its default)',
    schema: { type: 'object' },
    default: GUEST_DEFAULTS,
  },
  host: {
    description: 'host FPU features: {"f64": FIR.F64, "fre": cpu_has_fre, "ufr": cpu_has_ufr}',
    schema: { type: 'object' },
    default: { f64: true, fre: false, ufr: false },
  },
  vzRegs: {
    description:
      'kvm_vz_num_regs(): the VZ CP0 register ids KVM_GET_REG_LIST counts (it depends on the guest CP0 features); null = the variant default: 43 for a 3A4000 guest under the Loongson kernel, 40 under mainline on the same host (docs/reg-list-check.md)',
    schema: { type: ['integer', 'null'], minimum: 0, maximum: 1000 },
    default: null,
  },
  quirks: {
    description:
      '"kernel" reproduces the kernel\'s bugs (e.g. KVM_SET_ONE_REG of VEC_128 stores nothing); "fixed" does what was evidently intended',
    schema: { enum: ['kernel', 'fixed'] },
    default: 'kernel',
  },
  faults: {
    description: `deliberately broken mechanisms, to see what the oracle catches: ${Object.keys(FAULTS).join(', ')}`,
    schema: { type: 'array', items: { enum: Object.keys(FAULTS) } },
    default: [],
  },
};

export function resolveConfig(
  variant: VariantSpec,
  config: Readonly<Record<string, unknown>>,
): ConfigResult {
  const unknown = unknownOption(config, OPTIONS);
  if (unknown) return unknown;
  const out: Record<string, unknown> = {};
  const loongson = hasLasx(variant);
  if (!loongson && config.lasx !== undefined) {
    return configFailure(
      'lasx',
      `only the loongson-3a4000 variant has LASX (this is ${variant.id})`,
    );
  }
  for (const key of ['fpu', 'msa', 'lasx'] as const) {
    if (key === 'lasx' && !loongson) continue;
    const v = config[key] ?? OPTIONS[key]?.default;
    if (typeof v !== 'boolean') return configFailure(key, 'expected true or false');
    out[key] = v;
  }
  const guest = config.guest ?? {};
  if (!isConfigObject(guest))
    return configFailure('guest', 'expected an object of register → bit names');
  const g: Record<string, string[]> = { ...GUEST_DEFAULTS };
  for (const [reg, list] of Object.entries(guest)) {
    const known = Object.hasOwn(GUEST_REGISTERS, reg) && (loongson || reg !== 'Config');
    const bits = known ? GUEST_REGISTERS[reg] : undefined;
    if (bits === undefined)
      return configFailure(
        `guest.${reg}`,
        `unknown register (known: ${Object.keys(GUEST_REGISTERS).join(', ')})`,
      );
    const bad = badBitList(`guest.${reg}`, list, bits);
    if (bad) return bad;
    g[reg] = list as string[];
  }
  out.guest = g;
  const host = config.host ?? {};
  if (!isConfigObject(host)) return configFailure('host', 'expected an object');
  const h: Record<string, boolean> = { f64: true, fre: false, ufr: false };
  for (const [k, v] of Object.entries(host)) {
    if (!Object.hasOwn(h, k))
      return configFailure(`host.${k}`, 'unknown host feature (known: f64, fre, ufr)');
    if (typeof v !== 'boolean') return configFailure(`host.${k}`, 'expected true or false');
    h[k] = v;
  }
  out.host = h;
  const vzRegs = config.vzRegs ?? null;
  if (vzRegs === null) out.vzRegs = loongson ? VZ_REGS_LOONGSON_3A4000 : VZ_REGS_MAINLINE;
  else if (typeof vzRegs !== 'number' || !Number.isInteger(vzRegs) || vzRegs < 0 || vzRegs > 1000)
    return configFailure('vzRegs', 'expected an integer from 0 to 1000, or null');
  else out.vzRegs = vzRegs;
  const common = resolveQuirksAndFaults(config, FAULTS, out);
  if (common) return common;
  return { ok: true, value: out };
}

function mask(bits: Readonly<Record<string, number>>, names: readonly string[]): number {
  let m = 0;
  for (const n of names) m |= 1 << (bits[n] as number);
  return m >>> 0;
}

/** The machine's view of resolved options. */
export function toMipsOptions(
  value: Readonly<Record<string, unknown>>,
  variant: VariantSpec,
): MipsOptions {
  const loongson = hasLasx(variant);
  const g = value.guest as Record<string, string[]>;
  const h = value.host as Record<string, boolean>;
  const opts: MipsOptions = {
    fpu: value.fpu as boolean,
    msa: value.msa as boolean,
    guestStatus: mask(GUEST_REGISTERS.Status as Record<string, number>, g.Status ?? []),
    guestConfig1: mask(GUEST_REGISTERS.Config1 as Record<string, number>, g.Config1 ?? []),
    guestConfig3: mask(GUEST_REGISTERS.Config3 as Record<string, number>, g.Config3 ?? []),
    guestConfig5: mask(GUEST_REGISTERS.Config5 as Record<string, number>, g.Config5 ?? []),
    hostF64: h.f64 as boolean,
    cpuHasFre: h.fre as boolean,
    cpuHasUfr: h.ufr as boolean,
    quirks: value.quirks as 'kernel' | 'fixed',
    vzRegs: value.vzRegs as number,
    faults: faultFlags(FAULTS, value.faults as string[]),
    // union fpureg: 128 bits with CONFIG_CPU_HAS_MSA, 256 with Loongson CONFIG_CPU_HAS_LASX
    slot: loongson ? 32 : 16,
    cpuHasLasx: loongson,
    cpucfgLasx: loongson && (value.lasx as boolean),
    guestConfig: loongson
      ? mask(GUEST_REGISTERS.Config as Record<string, number>, g.Config ?? [])
      : 0,
  };
  return opts;
}

// keep the bit constants and the named tables in step
if (
  mask(GUEST_REGISTERS.Status as Record<string, number>, ['CU1', 'FR']) !==
  (ST0_CU1 | ST0_FR) >>> 0
) {
  throw new Error('mips-vz: Status bit table out of step with ST0_*');
}
if (
  mask(GUEST_REGISTERS.Config1 as Record<string, number>, ['FP']) !== MIPS_CONF1_FP ||
  mask(GUEST_REGISTERS.Config3 as Record<string, number>, ['MSAP']) !== MIPS_CONF3_MSA >>> 0 ||
  mask(GUEST_REGISTERS.Config5 as Record<string, number>, ['MSAEn']) !== MIPS_CONF5_MSAEN >>> 0
) {
  throw new Error('mips-vz: Config bit table out of step with MIPS_CONF*');
}
