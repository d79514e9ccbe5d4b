/**
 * The per-run state the kernel routines work on (glue): what `struct kvm_vcpu_arch` and the root
 * CSRs hold for the FP/SIMD path, in typed arrays allocated once at machine creation.
 */
import type { CounterId, MachineHost } from '@vfpu/core';
import { byteArrays } from '@vfpu/core/backend-utils';
import { IMAGE_BYTES } from './layout.js';

export const NOWHERE = -1;

/** Guest CPUCFG2 features (kvm_guest_has_fpu / _lsx / _lasx). */
export interface GuestFeatures {
  readonly fp: boolean;
  readonly lsx: boolean;
  readonly lasx: boolean;
  /** kvm_guest_has_lbt: CPUCFG2 X86BT / ARMBT / MIPSBT. */
  readonly lbt: boolean;
}

export interface Ops {
  readonly kvm_save_fpu: CounterId;
  readonly kvm_restore_fpu: CounterId;
  readonly kvm_save_lsx: CounterId;
  readonly kvm_restore_lsx: CounterId;
  readonly kvm_save_lasx: CounterId;
  readonly kvm_restore_lasx: CounterId;
  readonly _restore_lsx_upper: CounterId;
  readonly _restore_lasx_upper: CounterId;
  readonly _save_lbt: CounterId;
  readonly _restore_lbt: CounterId;
}

export interface HostOps {
  readonly _save_fp: CounterId;
  readonly _restore_fp: CounterId;
  readonly _save_lsx: CounterId;
  readonly _restore_lsx: CounterId;
  readonly _save_lasx: CounterId;
  readonly _restore_lasx: CounterId;
}

export class LoongState {
  readonly h: MachineHost;
  /** Unit bits (1 << id) of fpu, lsx, lasx, from the ids core gave. */
  readonly fpuBit: number;
  readonly lsxBit: number;
  readonly lasxBit: number;
  readonly lbtBit: number;
  /** quirks "fixed": KVM_RUN also runs lose_lbt(1) (the kernel runs only lose_fpu(1)). */
  readonly loseLbtAtRun: boolean;
  readonly has: GuestFeatures;
  /** KVM_REQ_AUX_LOAD variant: the exit handler defers own to kvm_late_check_requests. */
  readonly auxLoad: boolean;
  /** KVM_GET_FPU / KVM_SET_FPU bytes per register: 4 (FPU_REG_WIDTH / 64, quirks "kernel") or 32. */
  readonly uapiBytes: number;
  /** fault: kvm_save_lasx stores only the low 128 bits of each $xr. */
  readonly faultLasxSave: boolean;
  /** Root CSR.EUEN per pCPU. */
  readonly euen: Uint8Array;
  /** vcpu->arch.aux_inuse (FPU / LSX / LASX / LBT bits) per vCPU. */
  readonly aux: Uint8Array;
  /** vcpu->arch.aux_ldtype per vCPU (0: no KVM_REQ_AUX_LOAD pending). */
  readonly auxLdtype: Uint8Array;
  /** The guest's own CSR.EUEN per vCPU (a GCSR: written by the guest without an exit). */
  readonly guestEuen: Uint32Array;
  /** Per context: the pCPU a vCPU is loaded on, or a host thread is current on. */
  readonly cpuOf: Int32Array;
  /** Per context: vcpu->arch.fpu of a vCPU, thread.fpu of a host thread. */
  readonly fpu: Uint8Array[];
  /** Per host thread: TIF_USEDFPU (owns the FPU on its pCPU). */
  readonly usedFpu: Uint8Array;
  /** Per host thread: TIF_USEDSIMD (its LSX / LASX state is live). */
  readonly usedSimd: Uint8Array;
  /** Per host thread: TIF_USEDLBT. */
  readonly usedLbt: Uint8Array;
  /** The host kernel's save/restore routines (arch/loongarch/kernel/fpu.S). */
  readonly hostOps: HostOps;
  /** ESTAT.Ecode latched by the hardware at a root trap, per vCPU. */
  readonly ecode: Uint8Array;
  /** kvm_queue_exception(EXCCODE_INE) pending delivery at the next entry. */
  readonly ineQueued: Uint8Array;
  /** INE delivered at entry: the trapping instruction does not execute. */
  readonly ineTaken: Uint8Array;
  readonly ops: Ops;
  readonly ineCounter: CounterId;
  readonly internalError: CounterId;

  constructor(
    h: MachineHost,
    units: { fpu: number; lsx: number; lasx: number; lbt: number },
    o: {
      has: GuestFeatures;
      auxLoad: boolean;
      uapiBytes: number;
      faultLasxSave: boolean;
      loseLbtAtRun: boolean;
    },
    guestEuen: number,
  ) {
    this.h = h;
    this.fpuBit = 1 << units.fpu;
    this.lsxBit = 1 << units.lsx;
    this.lasxBit = 1 << units.lasx;
    this.lbtBit = 1 << units.lbt;
    this.loseLbtAtRun = o.loseLbtAtRun;
    this.has = o.has;
    this.auxLoad = o.auxLoad;
    this.uapiBytes = o.uapiBytes;
    this.faultLasxSave = o.faultLasxSave;
    this.euen = new Uint8Array(h.cpus);
    this.aux = new Uint8Array(h.vcpus);
    this.auxLdtype = new Uint8Array(h.vcpus);
    this.guestEuen = new Uint32Array(h.vcpus).fill(guestEuen);
    this.cpuOf = new Int32Array(h.contexts).fill(NOWHERE);
    this.fpu = byteArrays(h.contexts, IMAGE_BYTES);
    this.usedFpu = new Uint8Array(h.contexts);
    this.usedSimd = new Uint8Array(h.contexts);
    this.usedLbt = new Uint8Array(h.contexts);
    this.hostOps = {
      _save_fp: h.op('_save_fp', 'save'),
      _restore_fp: h.op('_restore_fp', 'restore'),
      _save_lsx: h.op('_save_lsx', 'save'),
      _restore_lsx: h.op('_restore_lsx', 'restore'),
      _save_lasx: h.op('_save_lasx', 'save'),
      _restore_lasx: h.op('_restore_lasx', 'restore'),
    };
    this.ecode = new Uint8Array(h.vcpus);
    this.ineQueued = new Uint8Array(h.vcpus);
    this.ineTaken = new Uint8Array(h.vcpus);
    this.ops = {
      kvm_save_fpu: h.op('kvm_save_fpu', 'save'),
      kvm_restore_fpu: h.op('kvm_restore_fpu', 'restore'),
      kvm_save_lsx: h.op('kvm_save_lsx', 'save'),
      kvm_restore_lsx: h.op('kvm_restore_lsx', 'restore'),
      kvm_save_lasx: h.op('kvm_save_lasx', 'save'),
      kvm_restore_lasx: h.op('kvm_restore_lasx', 'restore'),
      _restore_lsx_upper: h.op('_restore_lsx_upper', 'restore'),
      _restore_lasx_upper: h.op('_restore_lasx_upper', 'restore'),
      _save_lbt: h.op('_save_lbt', 'save'),
      _restore_lbt: h.op('_restore_lbt', 'restore'),
    };
    this.ineCounter = h.counter('outcomes', 'ine_injected');
    this.internalError = h.counter('outcomes', 'internal_error');
  }

  /** The register file of the pCPU vCPU `v` is loaded on. */
  hw(v: number): Uint8Array {
    return this.h.registerFile[this.cpuOf[v] as number] as Uint8Array;
  }

  /** aux_inuse bits → unit mask. */
  unitsOf(aux: number): number {
    return (aux & 1 ? this.fpuBit : 0) | (aux & 2 ? this.lsxBit : 0) | (aux & 4 ? this.lasxBit : 0);
  }
}
