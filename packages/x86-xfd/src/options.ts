/**
 * The `config` options of an x86-xfd workload, validated with messages that name the field.
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
import { MASK, XFEATURE } from './layout.js';

/** Deliberately broken mechanisms, to show that the state oracle catches them. */
export const FAULTS = {
  /** switch_fpu skips the save of a vCPU thread preempted inside KVM_RUN. */
  'skip-preempt-save':
    'switch_fpu does not save the registers of a vCPU thread preempted inside KVM_RUN (the guest buffer keeps stale state)',
  /** Restores use the default features, so tile data is not reloaded. */
  'restore-default-features':
    'restores use the buffer default features (no TILEDATA) instead of fpu_kernel_cfg.max_features, so tile data is not reloaded',
  /** vcpu_enter_guest ignores TIF_NEED_FPU_LOAD. */
  'skip-reload-before-entry':
    'vcpu_enter_guest ignores TIF_NEED_FPU_LOAD: the guest is entered on whatever the registers hold',
  /** kvm_put_guest_fpu skips the save of the guest's registers. */
  'skip-put-save':
    'kvm_put_guest_fpu does not save the guest registers before restoring the VMM thread (4.8: nor before __kernel_fpu_end)',
} as const;
export type Fault = keyof typeof FAULTS;

export type SaveInstruction = 'xsaves' | 'xsaveopt' | 'xsavec' | 'xsave';

export interface X86Options {
  readonly legacy: boolean;
  /** ARCH_REQ_XCOMP_GUEST_PERM(18) was called before the first vCPU was created. */
  readonly guestPermission: boolean;
  /** CPUID.(0xD,0).EAX the VMM sets with KVM_SET_CPUID2; CPUID.(0xD,1).EAX[4] (XFD). */
  readonly cpuidXcr0: number;
  readonly cpuidXfd: boolean;
  /** The guest's XCR0 and CR0.TS when the workload starts (its OS has booted). */
  readonly guestXcr0: number;
  readonly guestCr0ts: boolean;
  readonly save: SaveInstruction;
  /** Host threads that called ARCH_REQ_XCOMP_PERM(18). */
  readonly amxPermission: readonly string[];
  readonly quirks: 'kernel' | 'fixed';
  readonly faults: Readonly<Record<Fault, boolean>>;
}

/**
 * kvm_caps.supported_xcr0 on the modelled hosts (host XCR0 & KVM_SUPPORTED_XCR0): no MPX; PKRU is
 * supported but its state is switched by WRPKRU around VM entry, so vfpu keeps none for it.
 */
export function kvmSupportedXcr0(legacy: boolean): number {
  const base = MASK.FP | MASK.SSE | MASK.YMM | MASK.AVX512 | MASK.PKRU;
  return legacy ? base : base | MASK.XTILE;
}

/** What KVM_GET_SUPPORTED_CPUID reports for leaf 0xD (kvm_get_filtered_xcr0: TILE only with permission). */
export function supportedCpuid(legacy: boolean, permission: boolean): number {
  const s = kvmSupportedXcr0(legacy);
  return permission ? s : s & ~MASK.XTILE;
}

const QUIRKS_HELP =
  '"kernel" reproduces Linux 6.16: a guest buffer saved with XSTATE_BV[18]=1 keeps it when XFD[18] is set while the buffer is not in the registers, so the next XRSTORS takes #NM in the kernel and the vCPU thread dies (die("unexpected #NM exception")); "fixed" applies the merged b45f7217 "x86/fpu: Clear XSTATE_BV[i] in guest XSAVE state whenever XFD[i]=1": fpu_update_guest_xfd clears it only when the writing thread has TIF_NEED_FPU_LOAD (not for a KVM_SET_MSRS between KVM_RUNs), KVM_SET_XSAVE clears the image\'s disabled bits';

export const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  guestPermission: {
    description:
      'kvm-6.16: the VMM called arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM, 18) before creating the first vCPU',
    schema: { type: 'boolean' },
    default: true,
  },
  cpuid: {
    description:
      'the CPUID the VMM sets with KVM_SET_CPUID2 when it creates a vCPU: {"xcr0": [component names] (CPUID.(0xD,0).EAX; default what KVM_GET_SUPPORTED_CPUID reports), "xfd": true (CPUID.(0xD,1).EAX[4])}',
    schema: { type: 'object' },
    default: {},
  },
  guest: {
    description:
      'the guest when the workload starts: {"xcr0": [component names] (default: every component its CPUID allows, as a booted OS sets), "cr0ts": false}',
    schema: { type: 'object' },
    default: {},
  },
  xsave: {
    description:
      'the host CPU\'s save instruction, as the kernel\'s alternatives pick it: "xsaves" (with XRSTORS; init and modified optimisations), "xsaveopt" (init and modified), "xsavec" (init only), "xsave" (none; every requested component is written)',
    schema: { enum: ['xsaves', 'xsaveopt', 'xsavec', 'xsave'] },
    default: 'xsaves',
  },
  amxPermission: {
    description:
      'kvm-6.16: host threads (names from the header, or vmm<N>) that called arch_prctl(ARCH_REQ_XCOMP_PERM, 18); others get SIGILL at their first AMX instruction',
    schema: { type: 'array', items: { type: 'string' } },
    default: [],
  },
  eagerfpu: {
    description:
      'kvm-lazy-cr0ts: the host was booted with eagerfpu=off, the only setting modelled (with eagerfpu=on, 4.8 KVM never deactivates the guest FPU after its first #NM)',
    schema: { const: false },
    default: false,
  },
  quirks: { description: QUIRKS_HELP, schema: { enum: ['kernel', 'fixed'] }, default: 'kernel' },
  faults: {
    description: `deliberately broken mechanisms, to see what the oracle catches: ${Object.keys(FAULTS).join(', ')}`,
    schema: { type: 'array', items: { enum: Object.keys(FAULTS) } },
    default: [],
  },
};

const MODERN_ONLY = ['guestPermission', 'amxPermission'];

/**
 * The architectural XCR0 rules __kvm_set_xcr (x86.c) enforces with #GP, for a component list of
 * the configuration: the reason `mask` can never be a guest's XCR0, or null.
 */
export function xcr0Problem(mask: number): string | null {
  if (!(mask & MASK.FP)) return 'x87 (bit 0) must be set: XCR0[0] is always 1';
  if (mask & MASK.YMM && !(mask & MASK.SSE)) return 'avx (bit 2) needs sse (bit 1)';
  if (!(mask & MASK.BNDREGS) !== !(mask & MASK.BNDCSR))
    return 'bndregs and bndcsr (bits 3 and 4) go together';
  if (mask & MASK.AVX512) {
    if ((mask & MASK.AVX512) !== MASK.AVX512)
      return 'opmask, zmm_hi256 and hi16_zmm (bits 5–7) go together';
    if (!(mask & MASK.YMM)) return 'opmask, zmm_hi256 and hi16_zmm (bits 5–7) need avx (bit 2)';
  }
  if (mask & MASK.XTILE && (mask & MASK.XTILE) !== MASK.XTILE)
    return 'xtilecfg and xtiledata (bits 17 and 18) go together';
  return null;
}

function xcr0List(field: string, list: unknown): ConfigResult | number {
  const bad = badBitList(field, list, XFEATURE);
  if (bad) return bad;
  const mask = maskOf(list as string[]);
  const problem = xcr0Problem(mask);
  if (problem)
    return configFailure(field, `not a valid XCR0 (__kvm_set_xcr would #GP): ${problem}`);
  return mask;
}

function maskOf(list: readonly string[]): number {
  let m = 0;
  for (const n of list) m |= 1 << (XFEATURE[n as keyof typeof XFEATURE] as number);
  return m >>> 0;
}

export function resolveConfig(
  variant: VariantSpec,
  config: Readonly<Record<string, unknown>>,
  shape: { readonly vcpus: number; readonly threads: readonly string[] },
): ConfigResult {
  const legacy = variant.id === 'kvm-lazy-cr0ts';
  const unknown = unknownOption(config, OPTIONS);
  if (unknown) return unknown;
  if (legacy) {
    for (const key of MODERN_ONLY)
      if (config[key] !== undefined)
        return configFailure(key, `a kvm-6.16 option (Linux 4.8 has no AMX or XFD)`);
  }
  if (config.eagerfpu !== undefined) {
    if (!legacy) return configFailure('eagerfpu', 'a kvm-lazy-cr0ts option (6.16 has no lazy FPU)');
    if (config.eagerfpu !== false)
      return configFailure(
        'eagerfpu',
        'only false (eagerfpu=off, the lazy scheme with fpu_counter) is modelled',
      );
  }
  const out: Record<string, unknown> = { legacy };
  const permission = config.guestPermission ?? true;
  if (typeof permission !== 'boolean')
    return configFailure('guestPermission', 'expected true or false');
  out.guestPermission = !legacy && permission;

  const cpuid = config.cpuid ?? {};
  if (!isConfigObject(cpuid))
    return configFailure('cpuid', 'expected an object {"xcr0": [...], "xfd": true}');
  for (const key of Object.keys(cpuid))
    if (key !== 'xcr0' && key !== 'xfd')
      return configFailure(`cpuid.${key}`, 'unknown key (known: xcr0, xfd)');
  if (cpuid.xcr0 !== undefined) {
    const mask = xcr0List('cpuid.xcr0', cpuid.xcr0);
    if (typeof mask !== 'number') return mask;
    out.cpuidXcr0 = mask;
  } else out.cpuidXcr0 = supportedCpuid(legacy, out.guestPermission as boolean);
  const xfd = cpuid.xfd ?? !legacy;
  if (typeof xfd !== 'boolean') return configFailure('cpuid.xfd', 'expected true or false');
  if (legacy && xfd) return configFailure('cpuid.xfd', 'Linux 4.8 has no XFD');
  out.cpuidXfd = xfd;

  const guest = config.guest ?? {};
  if (!isConfigObject(guest))
    return configFailure('guest', 'expected an object {"xcr0": [...], "cr0ts": false}');
  for (const key of Object.keys(guest))
    if (key !== 'xcr0' && key !== 'cr0ts')
      return configFailure(`guest.${key}`, 'unknown key (known: xcr0, cr0ts)');
  if (guest.xcr0 !== undefined) {
    const mask = xcr0List('guest.xcr0', guest.xcr0);
    if (typeof mask !== 'number') return mask;
    out.guestXcr0 = mask;
  } else out.guestXcr0 = -1; // every component the vCPU's CPUID allows (kvm/x86.ts vcpusBeforeWorkload)
  const ts = guest.cr0ts ?? false;
  if (typeof ts !== 'boolean') return configFailure('guest.cr0ts', 'expected true or false');
  out.guestCr0ts = ts;

  const save = config.xsave ?? 'xsaves';
  if (save !== 'xsaves' && save !== 'xsaveopt' && save !== 'xsavec' && save !== 'xsave')
    return configFailure('xsave', 'expected "xsaves", "xsaveopt", "xsavec" or "xsave"');
  out.xsave = save;

  const amx = config.amxPermission ?? [];
  if (!Array.isArray(amx) || amx.some((t) => typeof t !== 'string'))
    return configFailure('amxPermission', 'expected an array of host thread names');
  for (const [i, name] of (amx as string[]).entries()) {
    const vmm = /^vmm(0|[1-9]\d*)$/.exec(name);
    if (vmm ? Number(vmm[1]) >= shape.vcpus : !shape.threads.includes(name)) {
      const known = [`vmm0..vmm${shape.vcpus - 1}`, ...shape.threads].join(', ');
      return configFailure(`amxPermission[${i}]`, `unknown thread "${name}" (known: ${known})`);
    }
  }
  out.amxPermission = amx;
  const common = resolveQuirksAndFaults(config, FAULTS, out);
  if (common) return common;
  return { ok: true, value: out };
}

/** The machine's view of resolved options. */
export function toX86Options(value: Readonly<Record<string, unknown>>): X86Options {
  return {
    legacy: value.legacy as boolean,
    guestPermission: value.guestPermission as boolean,
    cpuidXcr0: value.cpuidXcr0 as number,
    cpuidXfd: value.cpuidXfd as boolean,
    guestXcr0: value.guestXcr0 as number,
    guestCr0ts: value.guestCr0ts as boolean,
    save: value.xsave as SaveInstruction,
    amxPermission: value.amxPermission as string[],
    quirks: value.quirks as 'kernel' | 'fixed',
    faults: faultFlags(FAULTS, value.faults as string[]),
  };
}
