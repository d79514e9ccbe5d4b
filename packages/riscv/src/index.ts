/**
 * @vfpu/riscv: Linux KVM on RISC-V (H extension). No first-use trap: kvm_arch_vcpu_load restores
 * the guest's F/D and V state when the HS-level sstatus.FS / VS is not Off, kvm_arch_vcpu_put
 * saves it only when the hardware marked it Dirty, and the host's FP/V is saved at every load and
 * restored at every put. Two variants differ in where a guest's illegal instruction goes.
 */

import type { BackendV2, ConfigResult, OptionSpec, VariantSpec } from '@vfpu/core';
import { configFailure, estimates, unknownOption } from '@vfpu/core/backend-utils';
import pkg from '../package.json' with { type: 'json' };
import { FCSR_SLICE, REGISTER_FILE_BYTES, VCSR_SLICE, VLENS } from './layout.js';
import { RiscvMachine } from './machine.js';
import { idName, resolveId } from './onereg-ids.js';

export { RiscvMachine } from './machine.js';

const FAULTS: Readonly<Record<string, string>> = {
  'skip-dirty-save':
    'kvm_riscv_vcpu_guest_fp_save / _vector_save mark a Dirty FS/VS Clean without saving (state lost)',
};

const FILES =
  'arch/riscv/kvm/{vcpu.c,vcpu_fp.c,vcpu_vector.c,vcpu_switch.S,vcpu_exit.c,vcpu_onereg.c}, arch/riscv/include/asm/{kvm_vcpu_vector.h,vector.h,switch_to.h}';

function variant(id: string, description: string, kernel: string): VariantSpec {
  return {
    id,
    description,
    kernel,
    units: [
      {
        id: 'fp',
        description: 'F/D: 32 FPRs (64-bit with D, else 32-bit) + fcsr',
        partBytes: 32 * 8,
        registers: 32,
        class: 'scalar',
      },
      {
        id: 'v',
        description: 'V: 32 vector registers of VLEN bits (option vlen) + vstart, vl, vtype, vcsr',
        partBytes: 32 * 16,
        registers: 32,
        class: 'vec128',
      },
    ],
    classMap: { scalar: 'fp', vec128: 'v', vec256: 'v', vec512: 'v', matrix: 'v' },
    registerFileBytes: REGISTER_FILE_BYTES,
    controlRegisters: [
      {
        name: 'fcsr',
        description: 'FP control and status (frm, fflags): fscsr is an FP instruction',
        bits: { NX: 0, UF: 1, OF: 2, DZ: 3, NV: 4, FRM0: 5, FRM1: 6, FRM2: 7 },
        unit: 'fp',
        slice: FCSR_SLICE,
      },
      {
        name: 'vcsr',
        description: 'vector control and status (vxrm, vxsat): a V instruction',
        bits: { VXSAT: 0, VXRM0: 1, VXRM1: 2 },
        unit: 'v',
        slice: VCSR_SLICE,
      },
      {
        name: 'vsstatus',
        description:
          "the guest's sstatus (vsstatus while V=1): FS = bits 13–14, VS = bits 9–10; written without an exit",
        bits: { SIE: 1, SPIE: 5, SPP: 8, VS0: 9, VS1: 10, FS0: 13, FS1: 14, SUM: 18, MXR: 19 },
      },
    ],
    userRegisters: {
      description:
        'KVM_{GET,SET}_ONE_REG: FP_F(f[n]), FP_F(fcsr), FP_D(f[n]), FP_D(fcsr), VECTOR(v<n>), VECTOR(vstart|vl|vtype|vcsr|vlenb)',
      resolve: (id) => resolveId(id),
      name: (handle) => idName(handle),
    },
    trapGranularity: { scope: 'unit' },
    kvm: { policy: 'eager' },
    costs: estimates({
      trap: 1500,
      host_trap: 300,
      exit: 1500,
      save_fixed: 20,
      save_per_byte: 0.25,
      restore_fixed: 20,
      restore_per_byte: 0.25,
      control: 10,
    }),
  };
}

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  isa: {
    description: 'the guest ISA\'s FP: "fd" (F and D: the D routines), "f" (F only), "none"',
    schema: { enum: ['fd', 'f', 'none'] },
    default: 'fd',
  },
  vector: {
    description: 'the guest ISA has V (the host always has V)',
    schema: { type: 'boolean' },
    default: true,
  },
  vlen: {
    description: "VLEN in bits, the host's and so the guest's (vlenb = riscv_v_vsize / 32)",
    schema: { enum: [...VLENS] },
    default: 128,
  },
  faults: {
    description: `deliberately broken mechanisms: ${Object.keys(FAULTS).join(', ')}`,
    schema: { type: 'array', items: { enum: Object.keys(FAULTS) } },
    default: [],
  },
};

function resolveConfig(config: Readonly<Record<string, unknown>>): ConfigResult {
  const bad = unknownOption(config, OPTIONS);
  if (bad !== undefined) return bad;
  const isa = config.isa ?? 'fd';
  if (isa !== 'fd' && isa !== 'f' && isa !== 'none')
    return configFailure('isa', 'expected "fd", "f" or "none"');
  const vector = config.vector ?? true;
  if (typeof vector !== 'boolean') return configFailure('vector', 'expected true or false');
  const vlen = config.vlen ?? 128;
  if (!(VLENS as readonly unknown[]).includes(vlen))
    return configFailure('vlen', `expected one of ${VLENS.join(', ')}`);
  const faults = config.faults ?? [];
  if (!Array.isArray(faults)) return configFailure('faults', 'expected an array of fault names');
  for (const [i, f] of faults.entries())
    if (typeof f !== 'string' || !Object.hasOwn(FAULTS, f))
      return configFailure(
        `faults[${i}]`,
        `unknown fault ${JSON.stringify(f)} (known: ${Object.keys(FAULTS).join(', ')})`,
      );
  return { ok: true, value: { isa, vector, vlen, faults } };
}

/** The RISC-V backend. */
export function riscv(): BackendV2 {
  return {
    specificationVersion: 'v2',
    id: 'riscv',
    description:
      'Linux KVM on RISC-V (H extension): eager F/D/V restore at vcpu_load, FS/VS dirty tracking',
    version: pkg.version,
    defaultVariant: 'kvm-6.17',
    variants: [
      variant(
        'kvm-6.17',
        'Linux ≥ 6.17: EXC_INST_ILLEGAL is delegated (KVM_HEDELEG_DEFAULT): the guest takes it directly',
        `Linux 6.17+ (KVM_HEDELEG_DEFAULT has EXC_INST_ILLEGAL): ${FILES}`,
      ),
      variant(
        'kvm-6.16',
        'Linux < 6.17: an illegal instruction exits to KVM, which redirects it to the guest',
        `Linux 6.16 (vcpu_exit.c EXC_INST_ILLEGAL: instr_illegal_exits++, vcpu_redirect): ${FILES}`,
      ),
    ],
    options: OPTIONS,
    resolveConfig: (_variant, config) => resolveConfig(config),
    createMachine: (init) => {
      const o = init.options;
      const isa = o.isa as string;
      return new RiscvMachine(init, {
        isa: { f: isa !== 'none', d: isa === 'fd', v: o.vector as boolean },
        vlen: o.vlen as number,
        redirectIllegal: init.variant.id === 'kvm-6.16',
        skipDirtySave: (o.faults as string[]).includes('skip-dirty-save'),
      });
    },
  };
}

/** The backend itself, so `vfpu --backend @vfpu/riscv` can load the module. */
export default riscv();
