/**
 * The arm64 KVM machine state, one struct per kernel object: the vCPU's `kvm_vcpu_arch` FP bits,
 * the per-CPU `kvm_host_data` (fp_owner), `fpsimd_last_state` and EL2 trap register, and each
 * host task's `thread_struct` FPSIMD state with its TIF_FOREIGN_FPSTATE flag. All allocated
 * once per run.
 */
import type { CounterId, MachineHost, MachineIds, Slice, Tracer } from '@vfpu/core';
import { copyStrided, idOf, slice, sliceTable } from '@vfpu/core/backend-utils';
import type { ArmOptions } from '../options.js';
import {
  ARM64_REGISTER_FILE_BYTES,
  FFR_OFFSET,
  FPSR_OFFSET,
  P_BASE,
  P_STRIDE,
  sveTransferBytes,
  Z_STRIDE,
} from '../regs.js';

export const FP_STATE_FREE = 0;
export const FP_STATE_HOST_OWNED = 1;
export const FP_STATE_GUEST_OWNED = 2;
export const OWNER_NAMES = [
  'FP_STATE_FREE',
  'FP_STATE_HOST_OWNED',
  'FP_STATE_GUEST_OWNED',
] as const;

/** Per vCPU: vcpu->cpu, the guest FP context and what KVM queued for the next instruction. */
export class Vcpu {
  /** vcpu->cpu, or −1 outside vcpu_load … vcpu_put. */
  cpu = -1;
  /** vcpu->arch.ctxt.fp_regs + sve_state, laid out as the register file. */
  readonly fp_regs = new Uint8Array(ARM64_REGISTER_FILE_BYTES);
  /** The guest's CPACR_EL1 (its own FPEN / ZEN enables). */
  cpacr: number;
  /**
   * FPEXC32_EL2: sys_regs.c resets it to 0x700; the guest kernel then sets EN before using VFP
   * (the AArch32 guest's own FPEXC.EN lazy switching is not modelled).
   */
  fpexc32 = 0x40000700;
  /** kvm_inject_undefined: the next instruction takes an UNDEF in the guest. */
  pendingUndef = false;
  /** The last trap was handled at EL2: the next entry is its ERET, not a world switch. */
  hypReturn = false;
  /** ESR_ELx_EC(vcpu->arch.fault.esr_el2) of the last instruction trapped to EL2. */
  esrEc = 0;
  constructor(cpacr: number) {
    this.cpacr = cpacr;
  }
}

/** Per physical CPU: kvm_host_data, fpsimd_last_state and the EL2 trap register. */
export class Cpu {
  /** *host_data_ptr(fp_owner). */
  fp_owner = FP_STATE_FREE;
  /** fpsimd_last_state: the context the registers are bound to, or −1. */
  fpsimd_last_state = -1;
  /** CPTR_EL2.TFP / TZ (nVHE), CPACR_EL1.FPEN / ZEN clear (VHE): FP / SVE accesses trap. */
  trapFp = false;
  trapSve = false;
  /** The last CPTR_EL2 (nVHE) or CPACR_EL1 (VHE) value written. */
  cptr = 0;
  /** The host task running on this CPU, or −1. */
  current = -1;
  /** The vCPU loaded on this CPU, or −1. */
  vcpu = -1;
  /** The hardware FPEXC32_EL2. */
  fpexc32 = 0;
}

/** Per host task: thread.uw.fpsimd_state, TIF_FOREIGN_FPSTATE and thread.fpsimd_cpu. */
export class Task {
  readonly fpsimd_state = new Uint8Array(ARM64_REGISTER_FILE_BYTES);
  /** A new task: fpsimd_flush_task_state. */
  TIF_FOREIGN_FPSTATE: 0 | 1 = 1;
  /** thread.fpsimd_cpu; −1 is NR_CPUS. */
  fpsimd_cpu = -1;
}

/** The transfer routines registered with core (order fixes the report's key order). */
export interface Ops {
  readonly hypSave: CounterId;
  readonly hypRestore: CounterId;
  readonly hypSveSave: CounterId;
  readonly hypSveRestore: CounterId;
  readonly save: CounterId;
  readonly load: CounterId;
  readonly sveSave: CounterId;
}

/** Counter and trap ids registered with core; order fixes the report's key order. */
export interface Ids {
  readonly fp: CounterId;
  readonly sve: CounterId;
  readonly guestCpacr: CounterId;
  readonly guestUndef: CounterId;
  readonly abort: CounterId;
  readonly irq: CounterId;
  readonly wfx: CounterId;
  readonly hvc: CounterId;
  readonly sysreg: CounterId;
  readonly handleSve: CounterId;
  readonly mmio: CounterId;
  readonly intr: CounterId;
  readonly undefSve: CounterId;
}

/** V(n): the low 128 bits of Z(n). */
const V0_V31: readonly Slice[] = sliceTable(0, 16, 32, Z_STRIDE);

/** Everything the arm64 kernel routines work on. */
export class Arm64 {
  readonly o: ArmOptions;
  readonly host: MachineHost;
  readonly t: Tracer;
  /** v6.0–v6.13 (the host is saved in the trap handler) rather than v6.14+. */
  readonly e4: boolean;
  /** Unit ids (core's) and their mask bits; `units`: the vCPU's (FPSIMD, and SVE if it has it). */
  readonly unitFpsimd: number;
  readonly unitSve: number;
  readonly fpsimdBit: number;
  readonly sveBit: number;
  readonly units: number;
  /** Register slices by unit id: V0–V31; Z0–Z31 at the max VL, P0–P15, FFR. */
  readonly regSlices: readonly (readonly Slice[])[];
  readonly sveBytes: number;
  readonly vcpus: Vcpu[];
  readonly cpus: Cpu[];
  /** Host tasks by context index (vCPU contexts have none). */
  readonly tasks: Array<Task | undefined>;
  readonly ops: Ops;
  readonly ids: Ids;

  constructor(host: MachineHost, o: ArmOptions, ids: MachineIds) {
    this.o = o;
    this.host = host;
    this.t = host.trace;
    this.e4 = o.generation === 'e4';
    const unitFpsimd = idOf(ids.units, 'fpsimd');
    this.unitFpsimd = unitFpsimd;
    this.unitSve = idOf(ids.units, 'sve');
    this.fpsimdBit = 1 << unitFpsimd;
    this.sveBit = 1 << this.unitSve;
    this.units = o.sve ? this.fpsimdBit | this.sveBit : this.fpsimdBit;
    const vq = o.vq;
    const regSlices: (readonly Slice[])[] = [];
    regSlices[unitFpsimd] = V0_V31;
    regSlices[this.unitSve] = Object.freeze([
      ...sliceTable(0, 16 * vq, 32, Z_STRIDE),
      ...sliceTable(P_BASE, 2 * vq, 16, P_STRIDE),
      slice(FFR_OFFSET, 2 * vq),
    ]);
    this.regSlices = regSlices;
    this.sveBytes = sveTransferBytes(o.vq);
    this.vcpus = Array.from({ length: host.vcpus }, () => new Vcpu(o.guestCpacr));
    this.cpus = Array.from({ length: host.cpus }, () => new Cpu());
    this.tasks = Array.from({ length: host.contexts }, (_, c) =>
      host.isVcpu(c) ? undefined : new Task(),
    );
    this.ops = {
      hypSave: host.op('__fpsimd_save_state', 'save'),
      hypRestore: host.op('__fpsimd_restore_state', 'restore'),
      hypSveSave: host.op('__sve_save_state', 'save'),
      hypSveRestore: host.op('__sve_restore_state', 'restore'),
      save: host.op('fpsimd_save_state', 'save'),
      load: host.op('fpsimd_load_state', 'restore'),
      sveSave: host.op('sve_save_state', 'save'),
    };
    this.ids = {
      fp: host.trapKind('esr_ec_0x07', 'root'),
      sve: host.trapKind('esr_ec_0x19', 'root'),
      guestCpacr: host.trapKind('cpacr_el1', 'guest'),
      guestUndef: host.trapKind('undefined_instruction', 'guest'),
      abort: host.counter('exits', 'kvm_handle_guest_abort'),
      irq: host.counter('exits', 'ARM_EXCEPTION_IRQ'),
      wfx: host.counter('exits', 'kvm_handle_wfx'),
      hvc: host.counter('exits', 'handle_hvc'),
      sysreg: host.counter('exits', 'kvm_handle_sys_reg'),
      handleSve: host.counter('exits', 'handle_sve'),
      mmio: host.counter('outcomes', 'KVM_EXIT_MMIO'),
      intr: host.counter('outcomes', 'KVM_EXIT_INTR'),
      undefSve: host.counter('outcomes', 'handle_sve: UNDEF injected'),
    };
  }

  /** The register file of pCPU `cpu`. */
  hw(cpu: number): Uint8Array {
    return this.host.registerFile[cpu] as Uint8Array;
  }

  /** The FP state of context `ctx`: a vCPU's fp_regs, or a host task's fpsimd_state. */
  fpState(ctx: number): Uint8Array {
    return ctx < this.vcpus.length
      ? (this.vcpus[ctx] as Vcpu).fp_regs
      : (this.tasks[ctx] as Task).fpsimd_state;
  }

  /** A vCPU with SVE: its state is saved at its maximum VL (host tasks: FPSIMD only). */
  isSveVcpu(ctx: number): boolean {
    return this.o.sve && ctx < this.host.vcpus;
  }
}

/** The FPSIMD view: V(n) is the low 16 bytes of Z(n); FPSR and FPCR follow. */
export function copyFpsimd(from: Uint8Array, to: Uint8Array): void {
  copyStrided(to, from, 0, Z_STRIDE, 32, 16);
  copyStrided(to, from, FPSR_OFFSET, 0, 1, 8);
}

/** An FPSIMD write of V(n) zeroes the bits of Z(n) above 128. */
export function zeroZUpper(hw: Uint8Array): void {
  for (let n = 0; n < 32; n++) hw.fill(0, n * Z_STRIDE + 16, (n + 1) * Z_STRIDE);
}

/** SVE_SIG_REGS at vector length `vq`: Z0–Z31, P0–P15 and FFR (at the P stride); FPSR, FPCR. */
export function copySve(from: Uint8Array, to: Uint8Array, vq: number): void {
  copyStrided(to, from, 0, Z_STRIDE, 32, 16 * vq);
  copyStrided(to, from, P_BASE, P_STRIDE, 17, 2 * vq);
  copyStrided(to, from, FPSR_OFFSET, 0, 1, 8);
}
