/**
 * The machine's state (glue): what the kernel keeps per vCPU (`vcpu->arch.guest_context`,
 * `host_context`, `guest_csr.vsstatus`, `isa`), per task (`thread.fstate` / `thread.vstate` and the
 * FS/VS fields of its saved sstatus) and what each pCPU's registers hold. Allocated once.
 */
import type { CounterId, MachineHost, Slice } from '@vfpu/core';
import { byteArrays, ERRNO } from '@vfpu/core/backend-utils';
import { REGISTER_FILE_BYTES, vSlices } from './layout.js';

/** Linux ENOENT (ONE_REG of a register the vCPU lacks). */
export const ENOENT = ERRNO.ENOENT;

/** sstatus.FS / VS encodings (arch/riscv/include/asm/csr.h SR_FS_*, SR_VS_*), as 0…3. */
export const OFF = 0;
export const INITIAL = 1;
export const CLEAN = 2;
export const DIRTY = 3;
export const STATUS_NAMES = ['Off', 'Initial', 'Clean', 'Dirty'] as const;

/** vsstatus bit positions: FS = bits 13–14, VS = bits 9–10. */
export const FS_SHIFT = 13;
export const VS_SHIFT = 9;

export const NOWHERE = -1;

/** Why guestAccess returned ROOT_TRAP (what handleTrap reads). */
export const TRAP_NONE = 0;
/** Linux < 6.17: EXC_INST_ILLEGAL is not in hedeleg; kvm_riscv_vcpu_exit redirects it. */
export const TRAP_REDIRECT = 1;
/** Not Linux (policy-paths.ts): the unit is parked Off by a lazy policy. */
export const TRAP_PARKED = 2;

export interface Ops {
  readonly fpDSave: CounterId;
  readonly fpDRestore: CounterId;
  readonly fpFSave: CounterId;
  readonly fpFRestore: CounterId;
  readonly vecSave: CounterId;
  readonly vecRestore: CounterId;
  readonly fstateSave: CounterId;
  readonly fstateRestore: CounterId;
  readonly vstateSave: CounterId;
  readonly vstateRestore: CounterId;
}

export interface Isa {
  readonly f: boolean;
  readonly d: boolean;
  readonly v: boolean;
}

export class RiscvState {
  readonly h: MachineHost;
  /** Unit bits (from the ids core gave). */
  readonly FP: number;
  readonly V: number;
  /** The guest ISA (vcpu->arch.isa) for every vCPU of the run. */
  readonly isa: Isa;
  /** riscv_v_vsize / 32: host and guest share the VLEN. */
  readonly vlenb: number;
  /** Linux before 6.17: illegal instructions exit to KVM and are redirected. */
  readonly redirectIllegal: boolean;
  /** Fault `skip-dirty-save`: kvm_riscv_vcpu_guest_fp_save / _vector_save save nothing. */
  readonly skipDirtySave: boolean;
  readonly ops: Ops;
  /** Vector register n in the register file (VDATA + n × vlenb). */
  readonly vRegs: readonly Slice[];

  /** Per context: guest_context (vCPUs) or thread.fstate + thread.vstate (tasks). */
  readonly area: Uint8Array[];
  /** Per vCPU: vcpu->arch.host_context. */
  readonly hostCtx: Uint8Array[];
  /** Per vCPU: whose registers host_context holds (the context current at kvm_arch_vcpu_load). */
  readonly hostCtxFp: Int32Array;
  readonly hostCtxV: Int32Array;
  /** Per context: FS and VS of its sstatus (vCPUs: the HS-level copy, guest_context.sstatus). */
  readonly fs: Uint8Array;
  readonly vs: Uint8Array;
  /** Per vCPU: the guest's vsstatus (guest_csr.vsstatus, the CSR while loaded). */
  readonly vsstatus: Uint32Array;
  /** Per vCPU: units a non-Linux lazy policy parked Off (policy-paths.ts). */
  readonly parked: Uint8Array;
  /** Per vCPU: the pCPU it is loaded on. */
  readonly cpuOf: Int32Array;
  /**
   * Per pCPU: the hardware sstatus.FS while the host kernel runs there. Trap entry (entry.S) clears
   * SR_FS, so it is Off outside the FP routines, which open it around their transfers (R14). While
   * a guest runs, the hardware sstatus is the guest's (swapped by vcpu_switch.S): not kept here.
   */
  readonly hwFs: Uint8Array;
  /** Per pCPU: the context whose FP / V state the registers hold. */
  readonly fpOwner: Int32Array;
  readonly vOwner: Int32Array;
  /** Per vCPU: the pending ROOT_TRAP kind, and "the redirected exception runs next". */
  readonly pendingTrap: Uint8Array;
  readonly redirected: Uint8Array;
  /** Per vCPU: units the guest had enabled at an entry (what core counts as enabled). */
  readonly seen: Uint32Array;
  /** Set by kvm_riscv_vcpu_vreg_addr / fpRegAddr: the register's offset in the save area… */
  regArea = 0;
  /** …and where the same bytes are in the register file (what the oracle checks). */
  regSlice: Slice = { offset: 0, length: 0 };

  constructor(
    h: MachineHost,
    units: { fp: number; v: number },
    isa: Isa,
    vlen: number,
    redirectIllegal: boolean,
    skipDirtySave: boolean,
  ) {
    this.h = h;
    this.FP = 1 << units.fp;
    this.V = 1 << units.v;
    this.isa = isa;
    this.vlenb = vlen / 8;
    this.redirectIllegal = redirectIllegal;
    this.skipDirtySave = skipDirtySave;
    this.vRegs = vSlices(this.vlenb);
    this.ops = {
      fpDSave: h.op('__kvm_riscv_fp_d_save', 'save'),
      fpDRestore: h.op('__kvm_riscv_fp_d_restore', 'restore'),
      fpFSave: h.op('__kvm_riscv_fp_f_save', 'save'),
      fpFRestore: h.op('__kvm_riscv_fp_f_restore', 'restore'),
      vecSave: h.op('__kvm_riscv_vector_save', 'save'),
      vecRestore: h.op('__kvm_riscv_vector_restore', 'restore'),
      fstateSave: h.op('__fstate_save', 'save'),
      fstateRestore: h.op('__fstate_restore', 'restore'),
      vstateSave: h.op('__riscv_v_vstate_save', 'save'),
      vstateRestore: h.op('__riscv_v_vstate_restore', 'restore'),
    };
    const n = h.contexts;
    this.area = byteArrays(n, REGISTER_FILE_BYTES);
    this.hostCtx = byteArrays(h.vcpus, REGISTER_FILE_BYTES);
    this.hostCtxFp = new Int32Array(h.vcpus).fill(NOWHERE);
    this.hostCtxV = new Int32Array(h.vcpus).fill(NOWHERE);
    this.fs = new Uint8Array(n);
    this.vs = new Uint8Array(n);
    this.vsstatus = new Uint32Array(h.vcpus);
    this.parked = new Uint8Array(h.vcpus);
    this.cpuOf = new Int32Array(h.vcpus).fill(NOWHERE);
    this.hwFs = new Uint8Array(h.cpus);
    this.fpOwner = new Int32Array(h.cpus).fill(NOWHERE);
    this.vOwner = new Int32Array(h.cpus).fill(NOWHERE);
    this.pendingTrap = new Uint8Array(h.vcpus);
    this.redirected = new Uint8Array(h.vcpus);
    this.seen = new Uint32Array(h.vcpus);
  }

  /**
   * The pCPU's FP registers for an fsd / fld / frcsr / fscsr: with sstatus.FS Off the hardware
   * raises an illegal instruction, a kernel oops (a routine that forgot `csrs sstatus, SR_FS`).
   */
  fpRegisters(cpu: number): Uint8Array {
    if (this.hwFs[cpu] === OFF)
      throw new Error(
        `illegal instruction in the kernel: an FP register access on cpu ${cpu} with sstatus.FS Off`,
      );
    return this.h.registerFile[cpu] as Uint8Array;
  }

  /** The guest's vsstatus.FS (0…3). */
  vsFs(v: number): number {
    return ((this.vsstatus[v] as number) >>> FS_SHIFT) & 3;
  }
  vsVs(v: number): number {
    return ((this.vsstatus[v] as number) >>> VS_SHIFT) & 3;
  }
  /** Units whose restore core counts as enabled (see README: restores before the first entry). */
  restoreUnits(v: number, unit: number): number {
    return unit & (this.seen[v] as number);
  }
}
