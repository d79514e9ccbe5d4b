/**
 * The variants of @vfpu/arm-vfp: one kernel generation each (reference/arm-vfp.md §0), never a mix.
 */
import type { CostTable, ExitReasonSpec, UnitSpec, VariantSpec } from '@vfpu/core';
import { ARM32_USER_REGISTERS } from './arm32/one-reg.js';
import {
  ARM32_CONTROL_REGISTERS,
  ARM64_CONTROL_REGISTERS,
  ARM64_REGISTER_FILE_BYTES,
  VFP_HARD_BYTES,
} from './regs.js';

/**
 * No cycle figure for the ARM FP trap or bank transfer is published: the defaults are estimates,
 * except the hypercall round trip (Dall et al., ISCA 2016) and the per-byte cost derived from seL4's
 * eager FPU measurement on Cortex-A53 (seL4 PR #821). Pass your own table with --costs.
 */
export const ARM_COSTS: CostTable = {
  trap: {
    value: 500,
    source: 'estimate (a Hyp/EL2 trap handled without a world switch; no published ARM figure)',
  },
  host_trap: { value: 300, source: 'estimate (Undefined Instruction into vfp_support_entry)' },
  exit: {
    value: 6500,
    source:
      'KVM/ARM hypercall round trip ≈6,500 cycles, C. Dall et al., "ARM Virtualization: Performance and Architectural Implications", ISCA 2016, Table II (value not checked against the table)',
  },
  save_fixed: { value: 10, source: 'estimate' },
  save_per_byte: {
    value: 0.125,
    source:
      'estimate (seL4 on Cortex-A53: ≈145 cycles for one 512-B save and restore, github.com/seL4/seL4/pull/821)',
  },
  restore_fixed: { value: 10, source: 'estimate' },
  restore_per_byte: { value: 0.125, source: 'estimate (as save)' },
  control: { value: 20, source: 'estimate (MCR/MSR of a trap register, with its isb)' },
};

/** Non-FP exit reasons the 32-bit variants add (arm32/handle-exit.ts armExitHandlers has their rows). */
const ARM32_EXIT_REASONS: readonly ExitReasonSpec[] = [
  {
    name: 'cp10-id',
    description:
      'HSR EC 0x08 (a VMRS of MVFR0/MVFR1/FPSID trapped by the ID-group trap): kvm_handle_cp10_id injects UNDEF. 32-bit KVM sets neither HCR.TID0 nor TID3, so a real guest never raises it',
  },
];

const ARM32_UNITS: readonly UnitSpec[] = [
  {
    id: 'vfp',
    description: 'VFP d0–d15 (the whole bank on D16 hardware)',
    parent: 'd16-d31',
    partBytes: 128,
    registers: 16,
    class: 'scalar',
  },
  {
    id: 'd16-d31',
    description: 'VFPv3-D32 d16–d31 (MVFR0.A_SIMD = 2); absent on D16 hardware',
    parent: 'neon',
    partBytes: 128,
    registers: 16,
  },
  {
    id: 'neon',
    description: 'Advanced SIMD q0–q15: the same 32 double registers, viewed as 128-bit',
    partBytes: 0,
    registers: 16,
    class: 'vec128',
  },
];

const ARM64_UNITS: readonly UnitSpec[] = [
  {
    id: 'fpsimd',
    description: 'FPSIMD V0–V31 (128-bit), FPSR, FPCR: the low 128 bits of each SVE Z register',
    parent: 'sve',
    partBytes: 512,
    registers: 32,
    class: ['scalar', 'vec128'],
  },
  {
    id: 'sve',
    description:
      'SVE Z0–Z31 at the vCPU maximum vector length (reg 0–31), P0–P15 (reg 32–47), FFR (reg 48); part bytes at VQ = 2',
    partBytes: 546 * 2 - 512,
    registers: 49,
  },
];

const A32_KERNEL_FILES =
  'arch/arm/include/asm/{kvm_arm.h,vfp.h,vfpmacros.h,fpstate.h}, arch/arm/vfp/vfpmodule.c';

/** Variant `armv7-2013`: 32-bit KVM/ARM with the assembly world switch (Linux v3.9–v4.5). */
export const ARMV7_2013: VariantSpec = {
  id: 'armv7-2013',
  description:
    '32-bit KVM/ARM, assembly world switch: Hyp lazy VFP switch per run (HCPTR TCP10/TCP11, FPEXC pushed)',
  kernel: `Linux v3.9–v4.5 arch/arm/kvm/{interrupts.S,interrupts_head.S,arm.c,handle_exit.c,coproc.c} (interrupts.S @02b5a603, interrupts_head.S @07274f42), ${A32_KERNEL_FILES}`,
  units: ARM32_UNITS,
  classMap: { scalar: 'vfp', vec128: 'neon', vec256: 'neon', vec512: 'neon', matrix: 'neon' },
  registerFileBytes: VFP_HARD_BYTES,
  controlRegisters: ARM32_CONTROL_REGISTERS,
  exitReasons: ARM32_EXIT_REASONS,
  userRegisters: ARM32_USER_REGISTERS,
  // interrupts.S __kvm_vcpu_run: set_hcptr vmentry, (HCPTR_TTA | HCPTR_TCP(10) | HCPTR_TCP(11));
  // switch_to_guest_vfp clears both and restores the whole bank (interrupts_head.S restore_vfp_state)
  trapGranularity: {
    scope: 'all',
    why: 'HCPTR traps the whole VFP/NEON bank (TCP10 and TCP11 together) and switch_to_guest_vfp loads all of it',
  },
  kvm: { policy: 'lazy-per-exit' },
  costs: ARM_COSTS,
};

/** Variant `armv7-c`: 32-bit KVM/ARM with the world switch in C (Linux v4.6–v5.6). */
export const ARMV7_C: VariantSpec = {
  ...ARMV7_2013,
  id: 'armv7-c',
  description:
    '32-bit KVM/ARM, world switch in C: absolute HCPTR writes, __vfp_enabled() at exit, FPEXC EN forced only when clear',
  kernel: `Linux v4.6–v5.6 arch/arm/kvm/hyp/{switch.c @1f7e378d,vfp.S @68c4f9c5,entry.S @2cc2c3cb,hyp-entry.S @0154ec71}, arch/arm/include/asm/kvm_hyp.h, ${A32_KERNEL_FILES}`,
  // hyp/switch.c __activate_traps: HCPTR = HCPTR_TTA | HCPTR_TCP(10) | HCPTR_TCP(11);
  // hyp/entry.S __vfp_guest_restore clears both and __vfp_restore_state loads the whole bank
  trapGranularity: {
    scope: 'all',
    why: 'HCPTR traps the whole VFP/NEON bank (TCP10 and TCP11 together) and __vfp_guest_restore loads all of it',
  },
};

/** Variant `arm64-e4`: arm64 KVM v6.0–v6.13, the host saved in the EL2 trap handler. */
export const ARM64_E4: VariantSpec = {
  id: 'arm64-e4',
  description:
    'arm64 KVM v6.0–v6.13: fp_owner FREE / HOST_OWNED / GUEST_OWNED; the host is saved in the EL2 trap handler',
  kernel:
    'Linux v6.0–v6.13 arch/arm64/kvm/{fpsimd.c @ef3be860,hyp/include/hyp/switch.h @75c8f387,handle_exit.c}, arch/arm64/kernel/fpsimd.c',
  units: ARM64_UNITS,
  classMap: { scalar: 'fpsimd', vec128: 'fpsimd', vec256: 'sve', vec512: 'sve', matrix: 'sve' },
  registerFileBytes: ARM64_REGISTER_FILE_BYTES,
  controlRegisters: ARM64_CONTROL_REGISTERS,
  // switch.h kvm_hyp_handle_fpsimd: EC 0x07 and EC 0x19 alike clear FPEN (and ZEN for an SVE
  // vCPU) and load the vCPU's whole state (__hyp_sve_restore_guest or __fpsimd_restore_state)
  trapGranularity: {
    scope: 'all',
    why: "kvm_hyp_handle_fpsimd answers the FP/SIMD trap (EC 0x07) and the SVE trap (EC 0x19) alike, loading the vCPU's whole FPSIMD/SVE state",
  },
  kvm: { policy: 'lazy' },
  costs: ARM_COSTS,
};

/** Variant `arm64-e5`: arm64 KVM v6.14+, the host saved and flushed at vcpu_load. */
export const ARM64_E5: VariantSpec = {
  ...ARM64_E4,
  id: 'arm64-e5',
  description:
    'arm64 KVM v6.14+: the host is saved and flushed at vcpu_load (fp_owner FREE); the EL2 handler only loads the guest',
  kernel:
    'Linux v6.14+ (kvmarm-fixes-6.14-2: fbc7e61195e2, 59419f10045b; 2fd5b4b0e7b4) arch/arm64/kvm/{fpsimd.c,hyp/include/hyp/switch.h,handle_exit.c}, arch/arm64/kernel/fpsimd.c',
};

/** Every variant of the backend, the default first. */
export const VARIANTS: readonly VariantSpec[] = [ARM64_E5, ARM64_E4, ARMV7_C, ARMV7_2013];
