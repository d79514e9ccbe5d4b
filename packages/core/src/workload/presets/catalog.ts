/**
 * The preset catalog: each generated workload's parameters, their meaning, and their checks.
 * Generated workloads are architecture-neutral: they use unit classes, mapped by each backend.
 */
import { unknownChoice } from '../../suggest.js';
import { LIMITS } from '../format.js';

/** A preset parameter override (`--param`, a sweep's `param.*`) that the preset cannot take. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

/** The per-step shares that must add up to at most 1. */
const USE_KEYS = ['scalar', 'vec128', 'vec256', 'vec512', 'matrix', 'exit'] as const;

/** The parameters of a generated workload (`--param key=value`); `PARAM_HELP` says what each means. */
export interface PresetParams {
  /** Probability that a guest step uses each class (the rest is work or exits). */
  scalar: number;
  /** Probability per guest step of a 128-bit SIMD instruction. */
  vec128: number;
  /** Probability per guest step of a 256-bit SIMD instruction. */
  vec256: number;
  /** Probability per guest step of a 512-bit SIMD instruction. */
  vec512: number;
  /** Probability per guest step of a matrix (tile) instruction. */
  matrix: number;
  /** Probability that a guest step is a non-FP exit. */
  exit: number;
  /** Relative weights of exit reasons. */
  mmio: number;
  /** Relative weight of `irq` among exit reasons. */
  irq: number;
  /** Relative weight of `hlt` among exit reasons. */
  hlt: number;
  /** Relative weight of `hypercall` among exit reasons. */
  hypercall: number;
  /** Mean guest steps per time slice. */
  slice: number;
  /** Probability that a vCPU's next slice runs on another pCPU than its last one. */
  migration: number;
  /** Probability of host-thread FP activity between slices on a pCPU. */
  host: number;
  /** Fraction of vCPUs that are heavy SIMD users (bimodal); the others use vector classes at 1/10 rate. */
  'simd-users': number;
  /** Cycles of each work step. */
  work: number;
  /** Number of vCPUs. */
  vcpus: number;
  /** Number of pCPUs. */
  cpus: number;
}

/** One line of help per preset parameter (what `vfpu list` prints). */
export const PARAM_HELP: Readonly<Record<keyof PresetParams, string>> = {
  scalar: 'probability per guest step of a scalar FP instruction',
  vec128: 'probability per guest step of a 128-bit SIMD instruction',
  vec256: 'probability per guest step of a 256-bit SIMD instruction',
  vec512: 'probability per guest step of a 512-bit SIMD instruction',
  matrix: 'probability per guest step of a matrix (tile) instruction',
  exit: 'probability per guest step of a non-FP VM exit',
  mmio: 'relative weight of mmio among exit reasons',
  irq: 'relative weight of irq among exit reasons',
  hlt: 'relative weight of hlt among exit reasons',
  hypercall: 'relative weight of hypercall among exit reasons',
  slice: 'mean guest steps per time slice (vcpu_load … vcpu_put)',
  migration: 'probability that a slice runs on another pCPU than the last one',
  host: 'probability of host-thread FP activity between slices',
  'simd-users': 'fraction of vCPUs that are heavy SIMD users (1 = all)',
  work: 'cycles of useful work per guest step without FP',
  vcpus: 'number of vCPUs',
  cpus: 'number of pCPUs',
};

const BASE: PresetParams = {
  scalar: 0.1,
  vec128: 0.05,
  vec256: 0,
  vec512: 0,
  matrix: 0,
  exit: 0.05,
  mmio: 1,
  irq: 2,
  hlt: 1,
  hypercall: 0,
  slice: 40,
  migration: 0.1,
  host: 0.2,
  'simd-users': 1,
  work: 1000,
  vcpus: 2,
  cpus: 2,
};

export interface PresetSpec {
  readonly description: string;
  readonly threads: readonly string[];
  readonly params: Partial<PresetParams>;
}

/** The generated workloads by name (`preset:NAME`): description, host threads and parameters over the base values. */
export const PRESETS: Readonly<Record<string, PresetSpec>> = {
  idle: {
    description: 'mostly halted guests with rare scalar FP',
    threads: ['sshd'],
    params: {
      scalar: 0.02,
      vec128: 0.005,
      exit: 0.3,
      irq: 2,
      hlt: 4,
      mmio: 0.5,
      slice: 15,
      host: 0.05,
    },
  },
  desktop: {
    description: 'interactive guests: scalar and some SIMD, frequent host threads using FP',
    threads: ['xorg', 'firefox'],
    params: {
      scalar: 0.2,
      vec128: 0.08,
      vec256: 0.02,
      exit: 0.1,
      mmio: 2,
      irq: 2,
      hlt: 1,
      slice: 50,
      host: 0.5,
    },
  },
  hpc: {
    description: 'long slices of heavy vector code, vCPUs pinned',
    threads: [],
    params: {
      scalar: 0.3,
      vec128: 0.3,
      vec256: 0.3,
      exit: 0.01,
      slice: 500,
      migration: 0,
      host: 0.02,
      vcpus: 4,
      cpus: 4,
      work: 200,
    },
  },
  'io-heavy': {
    description: 'device-bound guests: many mmio exits, little FP',
    threads: ['vhost'],
    params: {
      scalar: 0.05,
      vec128: 0.02,
      exit: 0.4,
      mmio: 4,
      irq: 2,
      hlt: 1,
      slice: 30,
      host: 0.3,
    },
  },
  'simd-bursty': {
    description: 'bimodal: a quarter of the vCPUs are heavy SIMD users, the rest mostly scalar',
    threads: ['bash'],
    params: {
      scalar: 0.05,
      vec128: 0.4,
      vec256: 0.2,
      'simd-users': 0.25,
      slice: 40,
      vcpus: 4,
      cpus: 2,
    },
  },
  overcommit: {
    description: 'four vCPUs per pCPU, short slices, frequent preemption and migration',
    threads: ['bash'],
    params: {
      scalar: 0.15,
      vec128: 0.1,
      vec256: 0.05,
      exit: 0.05,
      slice: 25,
      migration: 0.3,
      host: 0.2,
      vcpus: 8,
      cpus: 2,
    },
  },
  // published measurements (docs/published-effects.md: the figure, vfpu's figure, the verdict)
  'sleazy-getpid': {
    description:
      'the 2006 sLeAZY FPU test: an x87 loop in every slice with a getpid() loop beside it, tasks switched often (C. Ebbert, "Re: [patch 0/2] sLeAZY FPU feature", LKML 2006-07-01: +0.4 % to +8.5 % from preloading after 5 slices with use)',
    threads: ['getpid'],
    params: { scalar: 0.3, vec128: 0, exit: 0.02, slice: 12, host: 0.5, vcpus: 2, cpus: 1 },
  },
  'loongarch-pipe': {
    description:
      'LoongArch "max used FPU type": a pipe context-switch test (github.com/bibo-mao/context_switch) alternating scalar and LASX code, many short KVM_RUN slices (B. Mao, "[PATCH] LoongArch: KVM: Set max used FPU type with FPU exception", 2026-03: score 75,232 → 82,440, +9 %)',
    threads: [],
    params: { scalar: 0.15, vec128: 0.05, vec256: 0.1, exit: 0.1, hlt: 4, slice: 15, host: 0 },
  },
  'x86-build-nm': {
    description:
      'an x86 kernel build: many short slices of light SSE/x87 use (libc string and memcpy code), where a lazy CR0.TS guest FPU takes a #NM in most slices and eager takes none (the brief of issue 17: eagerfpu saved about 20 K #NM traps at boot and 50 K in a kernel build; primary source not located, UNCONFIRMED)',
    threads: ['make'],
    params: { scalar: 0.02, vec128: 0.04, exit: 0.08, slice: 20, host: 0.3, migration: 0.3 },
  },
  'sve-bimodal': {
    description:
      'arm64 bimodal SVE re-use: half the vCPUs use SVE again after most FPSIMD-only reloads, the others almost never (M. Brown, "[PATCH v8 0/2] arm64/sve: Performance improvements with SVE state saving", 2026-03-20: most tasks re-trap for SVE after >50 % of FPSIMD-only reloads, few between 5 and 45 %)',
    threads: ['bash'],
    params: { scalar: 0.1, vec128: 0.1, vec256: 0.15, 'simd-users': 0.5, slice: 30, vcpus: 4 },
  },
  'arm64-lmbench': {
    description:
      'an lmbench/hackbench mix on arm64: frequent exits, FP in a minority of guest steps (M. Smarduch, "arm64: KVM: Optimize arm64 skip 30-50% vfp/simd save/restore on exits": with the FP trap armed at entry and checked at exit, 30–50 % of exits skip the FP/SIMD save and restore)',
    threads: ['hackbench'],
    params: { scalar: 0.1, vec128: 0.1, exit: 0.15, irq: 3, mmio: 0.5, hlt: 0.5, slice: 40 },
  },
};

/** Parses `key=value` overrides (numbers) over a preset's parameters. Throws with a clear message. */
export function presetParams(
  name: string,
  overrides: Readonly<Record<string, number>> = {},
): PresetParams {
  const spec = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (spec === undefined) throw new Error(unknownChoice('preset', name, Object.keys(PRESETS)));
  const p: PresetParams = { ...BASE, ...spec.params };
  // the presets are valid as they are: whatever fails below is an override's (--param) doing
  for (const [k, v] of Object.entries(overrides)) {
    if (!Object.hasOwn(BASE, k))
      throw new ParamError(unknownChoice('parameter', k, Object.keys(BASE)));
    if (!Number.isFinite(v) || v < 0) throw new ParamError(`${k} must be a number ≥ 0, got ${v}`);
    (p as unknown as Record<string, number>)[k] = v;
  }
  for (const k of ['vcpus', 'cpus'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 1 || p[k] > LIMITS[k]) {
      throw new ParamError(`${k} must be an integer from 1 to ${LIMITS[k]}, got ${p[k]}`);
    }
  }
  if (p.slice < 1) throw new ParamError(`slice must be ≥ 1, got ${p.slice}`);
  const use = p.scalar + p.vec128 + p.vec256 + p.vec512 + p.matrix + p.exit;
  if (use > 1) {
    const shares = USE_KEYS.map((k) => `${k} ${p[k]}`).join(' + ');
    throw new ParamError(
      `${shares} = ${Number(use.toPrecision(12))} > 1 (preset ${name}: the shares of a guest step add up to at most 1)`,
    );
  }
  for (const k of ['migration', 'host', 'simd-users'] as const) {
    if (p[k] > 1) throw new ParamError(`${k} is a probability (≤ 1), got ${p[k]}`);
  }
  return p;
}
