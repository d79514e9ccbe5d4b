/**
 * The variants of @vfpu/x86-xfd: Linux 6.16 KVM (eager swap at KVM_RUN, XFD and AMX) and Linux
 * 4.8 KVM (lazy guest FPU through CR0.TS and #NM, with the fpu_counter rollover).
 */
import type {
  ControlRegisterSpec,
  CostTable,
  ExitReasonSpec,
  SyscallSpec,
  UnitSpec,
  UserRegisterSpec,
  VariantSpec,
} from '@vfpu/core';
import { MXCSR_SLICE, REGISTER_FILE_BYTES, XFEATURE } from './layout.js';

/**
 * x86 figures: the world switch from SplitX (Landau et al., WIOV 2011) and the hypercall round
 * trip from Dall et al. (ISCA 2016); no per-instruction XSAVE/XRSTOR latency and no AMX save cost
 * is published, so the save and restore figures are estimates scaled from informal timings in a
 * KVM guest (Uros issues #554, #561). Every source names a paper or a URL. Pass your own table with
 * --costs (packages/cli/costs/sample.json is one).
 */
export const X86_COSTS: CostTable = {
  trap: {
    value: 2000,
    source:
      'a #NM VM exit and re-entry: ≈2,000 cycles for the world switch alone (A. Landau, M. Ben-Yehuda, A. Gordon, "SplitX: Split Guest/Hypervisor Execution on Multi-Core", WIOV 2011, Table 1 text)',
  },
  host_trap: { value: 300, source: 'estimate (#NM into exc_device_not_available)' },
  exit: {
    value: 1300,
    source:
      'KVM/x86 hypercall round trip ≈1,300 cycles, C. Dall et al., "ARM Virtualization: Performance and Architectural Implications", ISCA 2016, Table II (value not checked against the table)',
  },
  save_fixed: {
    value: 100,
    source:
      'estimate (XSAVEOPT ≈58 ns per 1 KiB-class save in a KVM guest, informal: github.com/AlessandroSangiuliano/Uros/issues/554 and /561)',
  },
  save_per_byte: { value: 0.1, source: 'estimate' },
  restore_fixed: {
    value: 150,
    source:
      'estimate (XRSTOR ≈165 ns in a KVM guest, informal: github.com/AlessandroSangiuliano/Uros/issues/554 and /561)',
  },
  restore_per_byte: { value: 0.1, source: 'estimate' },
  control: { value: 100, source: 'estimate (a WRMSR of IA32_XFD / IA32_XFD_ERR, a VMCS write)' },
};

/** XCR0 / IA32_XFD / IA32_XFD_ERR bit names: the state components. */
const COMPONENT_BITS: Readonly<Record<string, number>> = XFEATURE;

const UNITS: readonly UnitSpec[] = [
  {
    id: 'x87',
    description: 'x87 FPU: ST0–ST7 (XSAVE component 0)',
    partBytes: 80,
    registers: 8,
    class: 'scalar',
  },
  {
    id: 'sse',
    description: 'SSE: XMM0–XMM15 and MXCSR (component 1)',
    parent: 'avx',
    partBytes: 256,
    registers: 16,
    class: 'vec128',
  },
  {
    id: 'avx',
    description: 'AVX: YMM0–YMM15, the upper halves are component 2 (YMM_Hi128)',
    parent: 'avx512',
    partBytes: 256,
    registers: 16,
    class: 'vec256',
  },
  {
    id: 'avx512',
    description: 'AVX-512: ZMM0–ZMM31 and k0–k7 (components 5 opmask, 6 ZMM_Hi256, 7 Hi16_ZMM)',
    partBytes: 1600,
    registers: 32,
    class: 'vec512',
  },
  {
    id: 'amx-tile',
    description:
      'AMX: TMM0–TMM7, 1024 B each (component 18 TILEDATA, the only XFD-managed dynamic one; TILECFG is component 17)',
    partBytes: 8256,
    registers: 8,
    class: 'matrix',
  },
];

/** Control registers (the machine reads their ids by name: machine-ids.ts RegisterIds). */
function controlRegisters(amx: boolean): readonly ControlRegisterSpec[] {
  const regs: ControlRegisterSpec[] = [
    {
      name: 'XCR0',
      description:
        'XSETBV of XCR0 (always exits: handle_xsetbv → kvm_emulate_xsetbv → __kvm_set_xcr); bits are XSAVE components',
      bits: COMPONENT_BITS,
    },
    {
      name: 'CR0',
      description:
        "the guest's CR0.TS (CLTS, MOV to CR0): guest-owned in 6.16; in 4.8 it exits while the guest FPU is inactive",
      bits: { TS: 3 },
    },
    {
      name: 'CPL',
      description:
        "the guest's current privilege level (value 0–3; a mode change inside the guest)",
      bits: {},
    },
    {
      name: 'MXCSR',
      description: 'LDMXCSR (an SSE instruction)',
      bits: { IE: 0, DE: 1, ZE: 2, OE: 3, UE: 4, PE: 5, DAZ: 6, FZ: 15 },
      unit: 'sse',
      slice: MXCSR_SLICE,
    },
  ];
  if (!amx) return regs;
  return [
    ...regs,
    {
      name: 'IA32_XFD',
      description:
        'WRMSR 0x1C4: intercepted (MSR_WRITE exit) until the first non-zero write, then passed through (vmx_set_msr)',
      bits: COMPONENT_BITS,
    },
    {
      name: 'IA32_XFD_ERR',
      description: 'WRMSR 0x1C5: always intercepted (reads are passed through)',
      bits: COMPONENT_BITS,
    },
    {
      name: 'TILECFG',
      description:
        'LDTILECFG with palette `value` (1: a configuration, TILEDATA initialised; 0: the tile state initialised, as TILERELEASE)',
      bits: {},
    },
  ];
}

/** Exit reasons beyond the common ones (exits.ts x86ExitTable has a row for each). */
const EXIT_REASONS: readonly ExitReasonSpec[] = [
  {
    name: 'io',
    description: 'IO_INSTRUCTION to userspace (KVM_EXIT_IO: a selftest ucall, a PIO device)',
    toUserspace: true,
  },
];

/** System calls (the machine reads their ids by name: machine-ids.ts SyscallIds). */
const SYSCALLS_616: readonly SyscallSpec[] = [
  {
    name: 'ARCH_REQ_XCOMP_GUEST_PERM',
    description:
      'arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM, index): xstate_request_perm(index, guest=true)',
    vcpu: false,
    value: true,
  },
  {
    name: 'KVM_SET_CPUID2',
    description:
      'KVM_SET_CPUID2 with CPUID.(EAX=0xD,ECX=0).EAX = `value` (the XCR0 bits offered): kvm_set_cpuid → kvm_check_cpuid → fpu_enable_guest_xfd_features',
    vcpu: true,
    value: true,
  },
  {
    name: 'KVM_CREATE_VCPU',
    description:
      "destroy the vCPU and create it again with the header's CPUID (amx_test.c vm_recreate_with_one_vcpu): fpu_free_guest_fpstate, fpu_alloc_guest_fpstate, KVM_SET_CPUID2",
    vcpu: true,
    value: false,
  },
  {
    name: 'KVM_SET_MSRS(IA32_XFD)',
    description:
      'host-initiated write of IA32_XFD (kvm_set_msr_common, vmx_set_msr); returns the MSRs set',
    vcpu: true,
    value: true,
  },
  {
    name: 'KVM_SET_MSRS(IA32_XFD_ERR)',
    description: 'host-initiated write of IA32_XFD_ERR; returns the MSRs set',
    vcpu: true,
    value: true,
  },
  {
    name: 'KVM_GET_MSRS(IA32_XFD)',
    description:
      'host-initiated read of IA32_XFD (the value is in the trace); returns the MSRs read',
    vcpu: true,
    value: false,
  },
  {
    name: 'KVM_GET_MSRS(IA32_XFD_ERR)',
    description: 'host-initiated read of IA32_XFD_ERR (the value is in the trace)',
    vcpu: true,
    value: false,
  },
  {
    name: 'KVM_SET_XCRS',
    description: 'KVM_SET_XCRS with XCR0 = `value` (__kvm_set_xcr, no CPL check)',
    vcpu: true,
    value: true,
  },
  {
    name: 'KVM_SET_XSAVE',
    description:
      "KVM_SET_XSAVE of an image whose header XSTATE_BV is `value` (fpu_copy_uabi_to_guest_fpstate): the result, and components outside `value` initialised; the data is the vCPU's own",
    vcpu: true,
    value: true,
  },
];

/** User-register ids (user-get / user-set by `id`): handle 0 / 1 in kvm/ioctl.ts kvm_vcpu_ioctl_x86_get_xsave. */
export const USER_IDS = ['XSAVE', 'XSAVE2'] as const;

/** The XSAVE uapi of a generation: Linux 4.8 has no KVM_GET_XSAVE2 (it came with AMX in 5.17). */
function userRegisters(xsave2: boolean): UserRegisterSpec {
  const ids = xsave2 ? USER_IDS : USER_IDS.slice(0, 1);
  return {
    description: xsave2
      ? 'XSAVE (KVM_GET_XSAVE / KVM_SET_XSAVE: the 4096-byte struct kvm_xsave, or uabi_size bytes for a set) or XSAVE2 (KVM_GET_XSAVE2: uabi_size bytes)'
      : 'XSAVE (KVM_GET_XSAVE / KVM_SET_XSAVE: the 4096-byte struct kvm_xsave)',
    resolve(id, write) {
      const i = (ids as readonly string[]).indexOf(id);
      if (i < 0) return `unknown id "${id}" (known: ${ids.join(', ')})`;
      if (write && i === 1)
        return 'XSAVE2 is read-only (KVM_SET_XSAVE takes uabi_size bytes: use id XSAVE)';
      return i;
    },
    name(handle) {
      return handle === 1 ? 'KVM_GET_XSAVE2' : 'KVM_GET_XSAVE';
    },
  };
}

const NON_AMX_UNITS = UNITS.filter((u) => u.id !== 'amx-tile');

/** Variant `kvm-6.16`: Linux 6.16 KVM/VMX, the guest fpstate swapped in for the whole KVM_RUN (the default). */
export const KVM_616: VariantSpec = {
  id: 'kvm-6.16',
  description:
    'Linux 6.16 KVM/VMX: the guest fpstate swapped in for the whole KVM_RUN, XFD pass-through after the first non-zero write, #NM interception, AMX',
  kernel:
    'Linux 6.16: arch/x86/kvm/{x86.c,vmx/vmx.c,cpuid.c}, arch/x86/kernel/fpu/{core.c,xstate.c}, arch/x86/kernel/traps.c',
  units: UNITS,
  classMap: {
    scalar: 'x87',
    vec128: 'sse',
    vec256: 'avx',
    vec512: 'avx512',
    matrix: 'amx-tile',
  },
  registerFileBytes: REGISTER_FILE_BYTES,
  controlRegisters: controlRegisters(true),
  exitReasons: EXIT_REASONS,
  userRegisters: userRegisters(true),
  syscalls: SYSCALLS_616,
  trapGranularity: {
    scope: 'all',
    why: "one #NM (KVM's CR0.TS, or XFD[18] for AMX, which ignores CR0.TS) loads the whole guest fpstate: switch_fpu_return → fpregs_restore_userregs → restore_fpregs_from_fpstate(fpstate, XFEATURE_MASK_FPSTATE) is one XRSTORS of every component",
  },
  kvm: { policy: 'eager' },
  costs: X86_COSTS,
};

/** Variant `kvm-lazy-cr0ts`: Linux 4.8 KVM/VMX with eagerfpu=off, the lazy CR0.TS guest FPU. */
export const KVM_LAZY_CR0TS: VariantSpec = {
  id: 'kvm-lazy-cr0ts',
  description:
    'Linux 4.8 KVM/VMX with eagerfpu=off: the guest FPU loaded at the first #NM (CR0.TS), kept active after 5 loaded puts, lazy again when the u8 fpu_counter wraps',
  kernel:
    'Linux 4.8: arch/x86/kvm/{x86.c,vmx.c} (kvm_load_guest_fpu, kvm_put_guest_fpu, vmx_fpu_activate, vmx_fpu_deactivate, handle_exception, handle_cr)',
  units: NON_AMX_UNITS,
  classMap: {
    scalar: 'x87',
    vec128: 'sse',
    vec256: 'avx',
    vec512: 'avx512',
    matrix: 'avx512',
  },
  registerFileBytes: REGISTER_FILE_BYTES,
  controlRegisters: controlRegisters(false),
  exitReasons: EXIT_REASONS,
  userRegisters: userRegisters(false),
  trapGranularity: {
    scope: 'all',
    why: 'one #NM from CR0.TS activates the whole guest FPU: handle_exception → vmx_fpu_activate, then kvm_load_guest_fpu restores every component ("Restore all possible states in the guest": __copy_kernel_to_fpregs of guest_fpu.state)',
  },
  kvm: { policy: 'adaptive', params: { threshold: 5, wrap: 256, initial: 1 } },
  costs: X86_COSTS,
};

/** Every variant of the backend, the default first. */
export const VARIANTS: readonly VariantSpec[] = [KVM_616, KVM_LAZY_CR0TS];
