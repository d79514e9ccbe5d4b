/**
 * What is valid input for each backend beyond its VariantSpec: header `config` options, register
 * ids of the uapi, and interesting values for control-register writes and system calls. Taken
 * from each backend's README and options.ts; every generated `config` is still checked with the
 * backend's own `resolveConfig` (see random-workload.ts), so a wrong guess here costs coverage,
 * never validity.
 */
import type { VariantSpec } from '@vfpu/core';

/** Draws choices from a list of numbers; 0 (and running out) means the first, simplest choice. */
export class Picker {
  private i = 0;
  private readonly xs: readonly number[];
  constructor(xs: readonly number[]) {
    this.xs = xs;
  }
  /** The next choice as a number from 0 to n − 1 (0 when n ≤ 1 or the list is used up). */
  int(n: number): number {
    if (n <= 1) return 0;
    const x = this.xs[this.i++] ?? 0;
    return x % n;
  }
  /** True with probability about `percent`/100; false when the choices run out. */
  chance(percent: number): boolean {
    return this.int(100) >= 100 - percent;
  }
  /** One element of `list`, chosen by the next number. */
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)] as T;
  }
  /** A subset of `list` (each element with probability ~1/2). */
  subset<T>(list: readonly T[]): T[] {
    return list.filter(() => this.int(2) === 1);
  }
  /** A 32-bit unsigned value from two choices (shrinks toward 0). */
  u32(): number {
    return ((this.int(0x10000) << 16) | this.int(0x10000)) >>> 0;
  }
}

/** What is valid input for one architecture beyond its `VariantSpec`: header options, register ids and interesting values, for the random valid workloads. */
export interface ArchProfile {
  /** A candidate `config` (checked with resolveConfig afterwards; keys it refuses are dropped). */
  config(
    p: Picker,
    v: VariantSpec,
    shape: { vcpus: number; threads: readonly string[] },
  ): Record<string, unknown>;
  /** Register ids for `user-get` / `user-set` (each checked with the variant's resolve). */
  userIds(v: VariantSpec): readonly string[];
  /** Interesting values of a control register's `guest-write`. */
  values(reg: string): readonly number[];
  /** Interesting `value`s of a system call. */
  syscallValues(name: string): readonly number[];
  /** Does `use` take `"condition": "fails"` here (ARM)? */
  readonly conditions: boolean;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

const mips: ArchProfile = {
  config(p, v) {
    const loongson = v.units.some((u) => u.id === 'lasx');
    const c: Record<string, unknown> = {};
    if (p.chance(10)) c.fpu = p.chance(20);
    if (p.chance(10)) c.msa = p.chance(30);
    if (loongson && p.chance(10)) c.lasx = p.chance(30);
    if (p.chance(30)) {
      const g: Record<string, string[]> = {};
      if (p.chance(60)) g.Status = p.subset(['CU1', 'FR', 'MX', 'CU2', 'IE']);
      if (p.chance(40)) g.Config5 = p.subset(['MSAEn', 'FRE', 'UFR', 'UFE']);
      if (p.chance(20)) g.Config1 = p.subset(['FP']);
      if (p.chance(20)) g.Config3 = p.subset(['MSAP']);
      if (loongson && p.chance(40)) g.Config = p.subset(['LASXEn', 'K0_0']);
      c.guest = g;
    }
    if (p.chance(20)) c.host = { f64: !p.chance(20), fre: p.chance(50), ufr: p.chance(50) };
    if (p.chance(20)) c.quirks = p.pick(['kernel', 'fixed']);
    if (p.chance(5)) c.vzRegs = p.int(60);
    return c;
  },
  userIds(v) {
    const loongson = v.units.some((u) => u.id === 'lasx');
    const ids: string[] = ['FCR_IR', 'FCR_CSR', 'MSA_IR', 'MSA_CSR', 'KVM_GET_REG_LIST'];
    for (const n of range(32)) {
      ids.push(`FPR_32(${n})`, `FPR_64(${n})`, `VEC_128(${n})`);
      if (loongson) ids.push(`VEC_256(${n})`);
    }
    ids.push('KVM_REG_MIPS_FCR_CSR', '0x7020000000030003');
    return ids;
  },
  values(reg) {
    if (reg === 'Status') return [0x24000000, 0x20000000, 0x04000000, 0, 0x34000000, 0x01000000];
    if (reg === 'Config5') return [0x08000000, 0, 0x100, 0x08000100, 0x20];
    if (reg === 'Config') return [0x80000000, 0, 0x80000003];
    if (reg === 'FCSR') return [0, 0x3, 0x1000000, 0x00000f80, 0x0001f000, 0x0001f080, 0xc0000];
    if (reg === 'MSACSR') return [0, 0x3, 0x1000000, 0x00000f80, 0x0003f000, 0x0003f080, 0x40000];
    return [0];
  },
  syscallValues: () => [0],
  conditions: false,
};

const arm: ArchProfile = {
  config(p, v) {
    const a32 = v.units.some((u) => u.id === 'vfp');
    const c: Record<string, unknown> = {};
    if (a32) {
      if (p.chance(15)) c.vfpv3 = p.chance(30);
      if (p.chance(15)) c.d32 = p.chance(30);
      if (p.chance(15)) c.smp = p.chance(40);
      if (p.chance(20)) c.guest = { FPEXC: p.subset(['EN', 'EX', 'FP2V', 'DEX']) };
    } else {
      if (p.chance(30)) c.vhe = p.chance(50);
      if (p.chance(20)) c.sve = p.chance(50);
      if (p.chance(20)) c.vq = 1 + p.int(16);
      if (p.chance(20)) c.aarch32 = p.chance(50);
      if (p.chance(20))
        c.guest = { CPACR_EL1: p.subset(['FPEN_EL1EN', 'FPEN_EL0EN', 'ZEN_EL1EN', 'ZEN_EL0EN']) };
      if (v.id === 'arm64-e4' && p.chance(30)) c.quirks = p.pick(['kernel', 'fixed']);
      // the E4 nVHE TZ hole (nVHE, no SVE, quirks `kernel`, arm-vfp's default quirks) is a kernel
      // bug the model reproduces on purpose: a guest's SVE instructions execute and their upper
      // bits are lost (arm-vfp options.test.ts shows the violations); valid workloads run its fix
      if (v.id === 'arm64-e4' && c.vhe === false && c.sve !== true) c.quirks = 'fixed';
    }
    return c;
  },
  userIds: () => [
    'FPEXC',
    'FPSCR',
    'FPINST',
    'FPINST2',
    'FPSID',
    'MVFR0',
    'MVFR1',
    '0x4020000000121009',
  ],
  values(reg) {
    if (reg === 'FPEXC') return [0x40000000, 0xc0000000, 0xd0000000, 0, 0x80000000, 0x50000000];
    if (reg === 'FPSCR') return [0, 0x03c00000, 0x9f00, 0xf800009f];
    if (reg === 'FPINST' || reg === 'FPINST2') return [0xc0, 0xee000a00, 0];
    if (reg === 'CPACR_EL1') return [0x00300000, 0x00330000, 0, 0x00030000, 0x00100000];
    if (reg === 'FPCR') return [0, 0x03c00000, 0x00400000, 0x9f00];
    if (reg === 'FPSR') return [0, 0x8000009f, 0x08000000];
    return [0];
  },
  syscallValues: () => [0],
  conditions: true,
};

const XCR0S = [0x7, 0x3, 0x1, 0xe7, 0x60007, 0x600e7, 0x602e7, 0x2e7, 0x5, 0x20007, 0x67];
const COMPONENT_SETS = [
  ['x87', 'sse'],
  ['x87', 'sse', 'avx'],
  ['x87', 'sse', 'avx', 'opmask', 'zmm_hi256', 'hi16_zmm'],
  ['x87', 'sse', 'avx', 'xtilecfg', 'xtiledata'],
  ['x87', 'sse', 'avx', 'opmask', 'zmm_hi256', 'hi16_zmm', 'xtilecfg', 'xtiledata'],
  ['x87'],
  ['x87', 'sse', 'avx', 'pkru'],
];

const x86: ArchProfile = {
  config(p, v, shape) {
    const legacy = v.id === 'kvm-lazy-cr0ts';
    const c: Record<string, unknown> = {};
    if (!legacy && p.chance(15)) c.guestPermission = p.chance(40);
    if (p.chance(25)) {
      const cpuid: Record<string, unknown> = {};
      if (p.chance(70)) cpuid.xcr0 = p.pick(COMPONENT_SETS);
      if (!legacy && p.chance(30)) cpuid.xfd = p.chance(50);
      c.cpuid = cpuid;
    }
    if (p.chance(25)) {
      const guest: Record<string, unknown> = {};
      if (p.chance(60)) guest.xcr0 = p.pick(COMPONENT_SETS);
      if (p.chance(40)) guest.cr0ts = p.chance(50);
      c.guest = guest;
    }
    if (p.chance(25)) c.xsave = p.pick(['xsaves', 'xsaveopt', 'xsavec', 'xsave']);
    if (!legacy && p.chance(30)) {
      const names = [...shape.threads, ...range(shape.vcpus).map((i) => `vmm${i}`)];
      c.amxPermission = p.subset(names);
    }
    if (!legacy && p.chance(20)) c.quirks = p.pick(['kernel', 'fixed']);
    return c;
  },
  userIds: (v) => (v.id === 'kvm-lazy-cr0ts' ? ['XSAVE'] : ['XSAVE', 'XSAVE2']),
  values(reg) {
    if (reg === 'XCR0') return XCR0S;
    if (reg === 'IA32_XFD') return [0, 0x40000, 0x60000, 0x20000, 0x9e, 0x4];
    if (reg === 'IA32_XFD_ERR') return [0, 0x40000, 0x60000];
    if (reg === 'CR0') return [0, 0x8];
    if (reg === 'CPL') return [0, 3, 1];
    if (reg === 'TILECFG') return [1, 0];
    if (reg === 'MXCSR') return [0x1f80, 0x1f81, 0, 0xffff, 0x10000, 0x9fc0];
    return [0];
  },
  syscallValues(name) {
    if (name === 'ARCH_REQ_XCOMP_GUEST_PERM') return [18, 17, 2, 19, 0];
    // only values that hide no component: a guest use of a component its XCR0 enables and its
    // CPUID hides is refused (x86-xfd hw/guest.ts refuseHiddenComponents), and the generator
    // does not track the guest's XCR0
    if (name === 'KVM_SET_CPUID2') return [0x600e7, 0x602e7, 0xcb67f0e7, 0x6f6e7];
    if (name === 'KVM_SET_MSRS(IA32_XFD)') return [0, 0x40000, 0x60000, 0x9e, 0x20000];
    if (name === 'KVM_SET_MSRS(IA32_XFD_ERR)') return [0, 0x40000];
    if (name === 'KVM_SET_XCRS') return XCR0S;
    if (name === 'KVM_SET_XSAVE') return [0x3, 0x7, 0x20000, 0x60007, 0xe7, 0x40003, 0x600e7, 0];
    return [0];
  },
  conditions: false,
};

const riscv: ArchProfile = {
  config(p) {
    const c: Record<string, unknown> = {};
    if (p.chance(20)) c.isa = p.pick(['fd', 'f', 'none']);
    if (p.chance(20)) c.vector = p.chance(50);
    if (p.chance(20)) c.vlen = p.pick([128, 256, 512]);
    return c;
  },
  userIds() {
    const ids: string[] = ['FP_F(fcsr)', 'FP_D(fcsr)'];
    for (const n of range(32)) ids.push(`FP_F(f[${n}])`, `FP_D(f[${n}])`, `VECTOR(v${n})`);
    for (const r of ['vstart', 'vl', 'vtype', 'vcsr', 'vlenb']) ids.push(`VECTOR(${r})`);
    return ids;
  },
  values(reg) {
    // vsstatus: FS = bits 13–14, VS = bits 9–10 (Off, Initial, Clean, Dirty)
    if (reg === 'vsstatus') return [0x2200, 0, 0x2000, 0x200, 0x6600, 0x4400, 0x2202];
    if (reg === 'fcsr') return [0, 0xe0, 0x1f, 0x20];
    if (reg === 'vcsr') return [0, 1, 6];
    return [0];
  },
  syscallValues: () => [0],
  conditions: false,
};

const loongarch: ArchProfile = {
  config(p) {
    const c: Record<string, unknown> = {};
    // kvm_check_cpucfg: LSX needs FP, LASX needs LSX
    if (p.chance(30))
      c.cpucfg = p.pick([
        [],
        ['FP'],
        ['FP', 'LSX'],
        ['FP', 'LSX', 'LASX'],
        ['FP', 'LSX', 'LASX', 'LBT'],
        ['LBT'],
      ]);
    if (p.chance(20)) c.guest = { EUEN: p.subset(['FPE', 'SXE', 'ASXE', 'BTE']) };
    // quirks "kernel" (the default) reproduces a kernel hole on purpose: KVM_RUN runs no
    // lose_lbt(1), so a VMM thread's live LBT is used by the guest (loongarch scenario 22 shows
    // the violation); valid workloads run the fix
    c.quirks = 'fixed';
    return c;
  },
  userIds: () => [],
  values(reg) {
    if (reg === 'EUEN') return [0x7, 0x1, 0x3, 0, 0x5, 0xf];
    if (reg === 'FCSR0') return [0, 0x300, 0x1f, 0x1f1f031f, 0x40];
    return [0];
  },
  syscallValues: () => [0],
  conditions: false,
};

const generic: ArchProfile = {
  config: () => ({}),
  userIds: () => [],
  values: () => [0],
  syscallValues: () => [0],
  conditions: false,
};

/** The profile of a backend by id (a backend unknown here gets the generic one: VariantSpec only). */
export function archProfile(backendId: string): ArchProfile {
  if (backendId === 'mips-vz') return mips;
  if (backendId === 'arm-vfp') return arm;
  if (backendId === 'x86-xfd') return x86;
  if (backendId === 'riscv') return riscv;
  if (backendId === 'loongarch') return loongarch;
  return generic;
}
