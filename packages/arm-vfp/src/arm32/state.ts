/**
 * The 32-bit KVM/ARM machine state, one struct per kernel object: the vCPU's `kvm_vcpu_arch`
 * VFP bits, the per-CPU Hyp state (HCPTR, the host save area, vfp_current_hw_state) and each
 * host task's `thread->vfpstate`. All allocated once per run.
 */
import type {
  CounterId,
  MachineHost,
  MachineIds,
  Slice,
  Tracer,
  UnitMask,
  VariantSpec,
} from '@vfpu/core';
import { idOf, readU32, sliceTable, writeU32 } from '@vfpu/core/backend-utils';
import type { ArmOptions } from '../options.js';
import { controlOffsets, FPEXC_EN, VFP_FPEXC, VFP_HARD_BYTES, vfpTransferBytes } from '../regs.js';

/** Per vCPU: vcpu->cpu, vcpu->arch.vfp_guest and what KVM queued for the next instruction. */
export class Vcpu {
  /** vcpu->cpu, or −1 outside vcpu_load … vcpu_put. */
  cpu = -1;
  /** vcpu->arch.vfp_guest (struct vfp_hard_struct). */
  readonly vfp_guest: Uint8Array;
  /** kvm_inject_undefined: the next instruction takes an UNDEF in the guest. */
  pendingUndef = false;
  /** kvm_skip_instr: the next instruction does not execute (PC advanced). */
  pendingSkip = false;
  /** The last trap was handled in Hyp: the next entry is its `eret`, not a world switch. */
  hypReturn = false;
  /** vcpu->arch.fault.hsr: the HSR the hardware reported for the last trapped instruction. */
  hsr = 0;
  /**
   * INST_FPINST | INST_FPINST2 (vfp-bank.ts): which of the two the guest's context holds as the
   * oracle's truth has them. Cleared by a world switch that does not transfer them (EX, FP2V
   * clear), set again by a guest VMSR or KVM_SET_ONE_REG of the register.
   */
  inst = 3;
  constructor(guestFpexc: number) {
    this.vfp_guest = new Uint8Array(VFP_HARD_BYTES);
    writeU32(this.vfp_guest, VFP_FPEXC, guestFpexc);
  }
}

/** Per physical CPU: the Hyp trap register, the host save area and the host's VFP owner. */
export class Cpu {
  /** HCPTR (TTA, TCP10, TCP11). */
  hcptr = 0;
  /** The host FPEXC pushed at entry (A32-asm Hyp stack) or kept in `fpexc_host` (A32-C). */
  fpexcHost = 0;
  /** kvm_host_vfp_state (A32-asm) / host_ctxt->vfp (A32-C): this CPU's host save area. */
  readonly vfp_host = new Uint8Array(VFP_HARD_BYTES);
  /** The context whose bank `vfp_host` holds, or −1. */
  vfpHostCtx = -1;
  /** The vCPU whose bank is in the registers (HCPTR.TCP10/11 clear), or −1. */
  guestBank = -1;
  /** The context whose bank the registers hold, or −1 (for exposure accounting). */
  hwCtx = -1;
  /** vfp_current_hw_state[cpu]: the host thread whose state is in the registers, or −1. */
  vfp_current_hw_state = -1;
  /** The host thread running on this CPU, or −1. */
  current = -1;
}

/** Per host task: thread->vfpstate.hard. */
export class Thread {
  /** thread->vfpstate.hard (struct vfp_hard_struct). */
  readonly hard = new Uint8Array(VFP_HARD_BYTES);
  /** hard.cpu; −1 is NR_CPUS. */
  cpu = -1;
  constructor() {
    // vfp_thread_flush: fpexc = FPEXC_EN, fpscr = FPSCR_ROUND_NEAREST (0), hard.cpu = NR_CPUS
    writeU32(this.hard, VFP_FPEXC, FPEXC_EN);
  }
}

/** The transfer routines, registered with core (order fixes the report's key order). */
export interface Ops {
  readonly save: CounterId;
  readonly restore: CounterId;
  readonly hostSave: CounterId;
  readonly hostLoad: CounterId;
}

/** Counter and trap ids registered with core; order fixes the report's key order. */
export interface Ids {
  readonly trap: CounterId;
  readonly guestUndef: CounterId;
  readonly hostUndef: CounterId;
  readonly abort: CounterId;
  readonly irq: CounterId;
  readonly wfx: CounterId;
  readonly hvc: CounterId;
  readonly cp15: CounterId;
  readonly cp013: CounterId;
  readonly cp10id: CounterId;
  readonly condition: CounterId;
  readonly mmio: CounterId;
  readonly intr: CounterId;
  readonly undefCp013: CounterId;
  readonly undefCp10: CounterId;
  readonly skipped: CounterId;
}

/** The bank layout of struct vfp_hard_struct: d(n) at 8n; q(n) at 16n; d16–d31 from 128. */
const D0_D15: readonly Slice[] = sliceTable(0, 8, 16);
const D16_D31: readonly Slice[] = sliceTable(128, 8, 16);
const Q0_Q15: readonly Slice[] = sliceTable(0, 16, 16);

/** Everything the 32-bit kernel routines work on. */
export class Arm32 {
  readonly o: ArmOptions;
  readonly host: MachineHost;
  readonly t: Tracer;
  /** A32-asm (interrupts.S) rather than A32-C (hyp/switch.c). */
  readonly asm: boolean;
  /** Units in the bank: everything on D32, d0–d15 on D16. */
  readonly bank: number;
  readonly bytes: number;
  /** The transfers move d16–d31: D32 hardware and a CONFIG_VFPv3 kernel. */
  readonly d32: boolean;
  /**
   * D32 hardware under a kernel without CONFIG_VFPv3: the registers exist and execute, but no
   * kernel transfer moves them (fpregs[16]) and no HWCAP advertises them.
   */
  readonly d16Unsaved: boolean;
  /** Unit mask of `d16-d31`. */
  readonly d16Mask: UnitMask;
  /** Does the world switch touch FPEXC? (A32-asm only under CONFIG_VFPv3; A32-C always.) */
  readonly switchesFpexc: boolean;
  readonly vcpus: Vcpu[];
  readonly cpus: Cpu[];
  /** Host tasks by context index (vCPU contexts have none). */
  readonly threads: Array<Thread | undefined>;
  readonly ops: Ops;
  readonly ids: Ids;
  /** Unit ids (core's), and the bank's register slices by unit id. */
  readonly unitVfp: number;
  readonly unitNeon: number;
  readonly bankSlices: readonly (readonly Slice[])[];
  /** Control-register ids: FPEXC, and each register's offset in vfp_hard_struct by id. */
  readonly fpexcReg: number;
  readonly controlOffset: Int32Array;

  constructor(host: MachineHost, o: ArmOptions, variant: VariantSpec, ids: MachineIds) {
    this.o = o;
    this.host = host;
    this.t = host.trace;
    this.asm = o.generation === 'a32-asm';
    const u = ids.units;
    this.unitVfp = idOf(u, 'vfp');
    this.unitNeon = idOf(u, 'neon');
    const d16 = idOf(u, 'd16-d31');
    const bankSlices: (readonly Slice[])[] = [];
    bankSlices[this.unitVfp] = D0_D15;
    bankSlices[d16] = D16_D31;
    bankSlices[this.unitNeon] = Q0_Q15;
    this.bankSlices = bankSlices;
    this.bank = o.d32 ? (1 << this.unitVfp) | (1 << d16) | (1 << this.unitNeon) : 1 << this.unitVfp;
    this.fpexcReg = idOf(ids.controlRegisters, 'FPEXC');
    this.controlOffset = controlOffsets(variant, ids);
    // without CONFIG_VFPv3, vfp_hard_struct has fpregs[16] and VFPFSTMIA moves d0–d15 only
    this.d32 = o.d32 && o.vfpv3;
    this.d16Unsaved = o.d32 && !o.vfpv3;
    this.d16Mask = 1 << d16;
    this.bytes = vfpTransferBytes(this.d32);
    this.switchesFpexc = !this.asm || o.vfpv3;
    this.vcpus = Array.from({ length: host.vcpus }, () => new Vcpu(o.guestFpexc));
    this.cpus = Array.from({ length: host.cpus }, () => new Cpu());
    this.threads = Array.from({ length: host.contexts }, (_, c) =>
      host.isVcpu(c) ? undefined : new Thread(),
    );
    const asm = this.asm;
    this.ops = {
      save: host.op(asm ? 'store_vfp_state' : '__vfp_save_state', 'save'),
      restore: host.op(asm ? 'restore_vfp_state' : '__vfp_restore_state', 'restore'),
      hostSave: host.op('vfp_save_state', 'save'),
      hostLoad: host.op('vfp_load_state', 'restore'),
    };
    this.ids = {
      trap: host.trapKind('hsr_ec_0x07', 'root'),
      guestUndef: host.trapKind('undefined_instruction', 'guest'),
      hostUndef: host.trapKind('undefined_instruction', 'host'),
      abort: host.counter('exits', 'kvm_handle_guest_abort'),
      irq: host.counter('exits', 'ARM_EXCEPTION_IRQ'),
      wfx: host.counter('exits', 'kvm_handle_wfx'),
      hvc: host.counter('exits', 'handle_hvc'),
      cp15: host.counter('exits', 'kvm_handle_cp15_32'),
      cp013: host.counter('exits', 'kvm_handle_cp_0_13_access'),
      cp10id: host.counter('exits', 'kvm_handle_cp10_id'),
      condition: host.counter('exits', 'kvm_condition_valid'),
      mmio: host.counter('outcomes', 'KVM_EXIT_MMIO'),
      intr: host.counter('outcomes', 'KVM_EXIT_INTR'),
      undefCp013: host.counter('outcomes', 'kvm_handle_cp_0_13_access: UNDEF injected'),
      undefCp10: host.counter('outcomes', 'kvm_handle_cp10_id: UNDEF injected'),
      skipped: host.counter('outcomes', 'kvm_condition_valid: instruction skipped'),
    };
  }

  /** The register file of pCPU `cpu`. */
  hw(cpu: number): Uint8Array {
    return this.host.registerFile[cpu] as Uint8Array;
  }

  /** fmrx(FPEXC) */
  fpexc(cpu: number): number {
    return readU32(this.hw(cpu), VFP_FPEXC);
  }

  /** Does pCPU `cpu` hold vCPU `vi`'s bank (HCPTR.TCP10/11 clear for it)? */
  bankLive(vi: number): UnitMask {
    const cpu = (this.vcpus[vi] as Vcpu).cpu;
    return cpu >= 0 && (this.cpus[cpu] as Cpu).guestBank === vi ? this.bank : 0;
  }

  /** fmxr(FPEXC, value): one control-register write. */
  writeFpexc(cpu: number, value: number): void {
    writeU32(this.hw(cpu), VFP_FPEXC, value >>> 0);
    this.host.control(1);
  }
}
