/**
 * arm64 KVM: FP/SIMD ownership per CPU (fp_owner FREE / HOST_OWNED / GUEST_OWNED), the EL2 trap
 * handler kvm_hyp_handle_fpsimd, ctxflush / ctxsync around each run, and the host's FPSIMD
 * tracking (TIF_FOREIGN_FPSTATE, fpsimd_last_state; arch/arm64/kernel/fpsimd.c).
 * Variant arm64-e4 follows v6.0–v6.13 (the host is saved in the trap handler), arm64-e5 v6.14+
 * (the host is saved and flushed at vcpu_load). Names are the kernel's.
 */
import {
  type CounterId,
  copyStrided,
  type ExitRow,
  exitTable,
  type Machine,
  type MachineHost,
  NO_EXIT,
  packSlice,
  RESUME_GUEST,
  RESUME_HOST,
  type Resume,
  type Tracer,
  takeExit,
  type UnitMask,
  writeU32,
} from '@vfpu/core';
import { exitRow } from './exits.js';
import { scribble } from './kernel-neon.js';
import type { ArmOptions } from './options.js';
import {
  ARM64_REGISTER_FILE_BYTES,
  COND_AL,
  CPACR_EL1_FPEN,
  CPACR_EL1_TTA,
  CPACR_EL1_ZEN,
  CPTR_EL2_TAM,
  CPTR_EL2_TFP,
  CPTR_EL2_TTA,
  CPTR_EL2_TZ,
  CPTR_NVHE_EL2_RES1,
  CREG_CPACR_EL1,
  CREG_FPCR,
  describeSyndrome,
  ESR_ELx_EC_DABT_LOW,
  ESR_ELx_EC_FP_ASIMD,
  ESR_ELx_EC_HVC64,
  ESR_ELx_EC_SVE,
  ESR_ELx_EC_SYS64,
  ESR_ELx_EC_WFx,
  FFR_OFFSET,
  FPCR_OFFSET,
  FPEXC32_TRAP_VALUE,
  FPSIMD_TRANSFER_BYTES,
  FPSR_OFFSET,
  HSR_CV,
  hex,
  P_BASE,
  P_STRIDE,
  sveTransferBytes,
  syndrome,
  Z_STRIDE,
} from './regs.js';

const UNIT_SVE = 1;
const FPSIMD_BIT = 1;
const SVE_BIT = 2;

const TRAP_FP = 1;
const TRAP_SVE = 2;
const GUEST_TRAP = -1;

const FP_STATE_FREE = 0;
const FP_STATE_HOST_OWNED = 1;
const FP_STATE_GUEST_OWNED = 2;
const OWNER_NAMES = ['FP_STATE_FREE', 'FP_STATE_HOST_OWNED', 'FP_STATE_GUEST_OWNED'] as const;

/** The FPSIMD view: V(n) is the low 16 bytes of Z(n); FPSR and FPCR follow. */
function copyFpsimd(from: Uint8Array, to: Uint8Array): void {
  copyStrided(to, from, 0, Z_STRIDE, 32, 16);
  copyStrided(to, from, FPSR_OFFSET, 0, 1, 8);
}

/** An FPSIMD write of V(n) zeroes the bits of Z(n) above 128. */
function zeroZUpper(hw: Uint8Array): void {
  for (let n = 0; n < 32; n++) hw.fill(0, n * Z_STRIDE + 16, (n + 1) * Z_STRIDE);
}

/** SVE_SIG_REGS at vector length `vq`: Z0–Z31, P0–P15 and FFR (at the P stride); FPSR, FPCR. */
function copySve(from: Uint8Array, to: Uint8Array, vq: number): void {
  copyStrided(to, from, 0, Z_STRIDE, 32, 16 * vq);
  copyStrided(to, from, P_BASE, P_STRIDE, 17, 2 * vq);
  copyStrided(to, from, FPSR_OFFSET, 0, 1, 8);
}

export class Arm64Machine implements Machine {
  private readonly o: ArmOptions;
  private readonly host: MachineHost;
  private readonly t: Tracer;
  private readonly e4: boolean;
  private readonly units: UnitMask;
  private readonly sveBytes: number;

  /** vcpu->arch.ctxt.fp_regs + sve_state, and each host task's thread.uw.fpsimd_state. */
  private readonly area: Uint8Array[];
  /** TIF_FOREIGN_FPSTATE and thread.fpsimd_cpu of host threads (by context). */
  private readonly foreign: Uint8Array;
  private readonly fpsimdCpu: Int32Array;

  private readonly vcpuCpu: Int32Array;
  private readonly cpacr: Uint32Array;
  private readonly fpexc32: Uint32Array;
  private readonly pendingUndef: Uint8Array;
  private readonly hypReturn: Uint8Array;

  /** *host_data_ptr(fp_owner), per CPU. */
  private readonly owner: Uint8Array;
  private readonly trapFp: Uint8Array;
  private readonly trapSve: Uint8Array;
  /** The last CPTR_EL2 (nVHE) or CPACR_EL1 (VHE) value written. */
  private readonly cptr: Uint32Array;
  /** fpsimd_last_state: the context the registers are bound to, or −1. */
  private readonly lastState: Int32Array;
  private readonly current: Int32Array;
  private readonly vcpuOn: Int32Array;
  private readonly hwFpexc32: Uint32Array;

  private readonly ops: Record<
    'hypSave' | 'hypRestore' | 'hypSveSave' | 'hypSveRestore' | 'save' | 'load' | 'sveSave',
    CounterId
  >;
  private readonly ids: Record<string, CounterId>;
  /** handle_exit / arm_exit_handlers (arch/arm64/kvm/handle_exit.c) by exit reason. */
  private readonly exits: readonly ExitRow[];

  constructor(host: MachineHost, o: ArmOptions) {
    this.o = o;
    this.host = host;
    this.t = host.trace;
    this.e4 = o.generation === 'e4';
    this.units = o.sve ? FPSIMD_BIT | SVE_BIT : FPSIMD_BIT;
    this.sveBytes = sveTransferBytes(o.vq);
    const n = host.contexts;
    this.area = [];
    for (let c = 0; c < n; c++) this.area.push(new Uint8Array(ARM64_REGISTER_FILE_BYTES));
    this.foreign = new Uint8Array(n).fill(1); // a new task: fpsimd_flush_task_state
    this.fpsimdCpu = new Int32Array(n).fill(-1);
    this.vcpuCpu = new Int32Array(host.vcpus).fill(-1);
    this.cpacr = new Uint32Array(host.vcpus).fill(o.guestCpacr);
    // sys_regs.c resets FPEXC32_EL2 to 0x700; the guest kernel then sets EN before using VFP
    // (the AArch32 guest's own FPEXC.EN lazy switching is not modelled)
    this.fpexc32 = new Uint32Array(host.vcpus).fill(0x40000700);
    this.pendingUndef = new Uint8Array(host.vcpus);
    this.hypReturn = new Uint8Array(host.vcpus);
    this.owner = new Uint8Array(host.cpus);
    this.trapFp = new Uint8Array(host.cpus);
    this.trapSve = new Uint8Array(host.cpus);
    this.cptr = new Uint32Array(host.cpus);
    this.lastState = new Int32Array(host.cpus).fill(-1);
    this.current = new Int32Array(host.cpus).fill(-1);
    this.vcpuOn = new Int32Array(host.cpus).fill(-1);
    this.hwFpexc32 = new Uint32Array(host.cpus);
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
    const id = (name: string) => this.id(name);
    const row = (ec: number | null, what: string, c: string[], resume: Resume) =>
      exitRow('ESR_EL2', ec, 0, what, c.map(id), resume);
    this.exits = exitTable({
      mmio: row(
        ESR_ELx_EC_DABT_LOW,
        'kvm_handle_guest_abort → io_mem_abort → KVM_EXIT_MMIO',
        ['abort', 'mmio'],
        RESUME_HOST,
      ),
      irq: row(null, 'ARM_EXCEPTION_IRQ: handle_exit returns 1', ['irq'], RESUME_GUEST),
      hlt: row(ESR_ELx_EC_WFx, 'kvm_handle_wfx', ['wfx'], RESUME_GUEST),
      hypercall: row(ESR_ELx_EC_HVC64, 'handle_hvc', ['hvc'], RESUME_GUEST),
      signal: row(
        null,
        'ARM_EXCEPTION_IRQ, then a pending signal: KVM_EXIT_INTR',
        ['irq', 'intr'],
        RESUME_HOST,
      ),
      other: row(
        ESR_ELx_EC_SYS64,
        'kvm_handle_sys_reg, handled in the kernel',
        ['sysreg'],
        RESUME_GUEST,
      ),
    });
  }

  private hw(cpu: number): Uint8Array {
    return this.host.registerFile[cpu] as Uint8Array;
  }

  private id(name: string): CounterId {
    return this.ids[name] as CounterId;
  }

  // ---- transfers -------------------------------------------------------------------------------

  private isSveVcpu(ctx: number): boolean {
    return this.o.sve && ctx < this.host.vcpus;
  }

  /** Saves the registers into `ctx`'s state: an SVE vCPU at its maximum VL, anything else FPSIMD. */
  private saveTo(cpu: number, ctx: number, hyp: boolean, depth: number): void {
    const area = this.area[ctx] as Uint8Array;
    if (this.isSveVcpu(ctx)) {
      copySve(this.hw(cpu), area, this.o.vq);
      this.host.call(
        hyp ? this.ops.hypSveSave : this.ops.sveSave,
        ctx,
        this.sveBytes,
        this.units,
        depth,
      );
    } else {
      copyFpsimd(this.hw(cpu), area);
      this.host.call(
        hyp ? this.ops.hypSave : this.ops.save,
        ctx,
        FPSIMD_TRANSFER_BYTES,
        FPSIMD_BIT,
        depth,
      );
    }
  }

  // ---- what the guest sees ---------------------------------------------------------------------

  guestEnabled(vi: number): UnitMask {
    const c = this.cpacr[vi] as number;
    if ((c & CPACR_EL1_FPEN) !== CPACR_EL1_FPEN) return 0;
    return this.o.sve && (c & CPACR_EL1_ZEN) === CPACR_EL1_ZEN ? FPSIMD_BIT | SVE_BIT : FPSIMD_BIT;
  }

  live(vi: number): UnitMask {
    const cpu = this.vcpuCpu[vi] as number;
    return cpu >= 0 && this.owner[cpu] === FP_STATE_GUEST_OWNED && this.vcpuOn[cpu] === vi
      ? this.units
      : 0;
  }

  /**
   * The architecture's order: the guest's own CPACR_EL1 (ZEN, then FPEN) traps to guest EL1
   * first; then EL2: TZ (EC 0x19) takes precedence over TFP (EC 0x07) for an SVE instruction.
   */
  guestAccess(vi: number, unit: number): number {
    if (this.pendingUndef[vi]) {
      this.pendingUndef[vi] = 0;
      this.host.count(this.id('guestUndef'));
      if (this.t.on) this.t.line(0, 'guest exception: Undefined Instruction (injected by KVM)');
      return GUEST_TRAP;
    }
    const c = this.cpacr[vi] as number;
    const cpu = this.vcpuCpu[vi] as number;
    if (unit === UNIT_SVE) {
      if ((c & CPACR_EL1_ZEN) !== CPACR_EL1_ZEN) return this.guestTrap('ZEN', ESR_ELx_EC_SVE);
      if ((c & CPACR_EL1_FPEN) !== CPACR_EL1_FPEN)
        return this.guestTrap('FPEN', ESR_ELx_EC_FP_ASIMD);
      if (this.trapSve[cpu]) return TRAP_SVE;
      return this.trapFp[cpu] ? TRAP_FP : 0;
    }
    if ((c & CPACR_EL1_FPEN) !== CPACR_EL1_FPEN) return this.guestTrap('FPEN', ESR_ELx_EC_FP_ASIMD);
    return this.trapFp[cpu] ? TRAP_FP : 0;
  }

  private guestTrap(field: string, ec: number): number {
    this.host.count(this.id('guestCpacr'));
    if (this.t.on)
      this.t.line(
        0,
        `guest exception: CPACR_EL1.${field} traps to guest EL1 (ESR_EL1 EC ${hex(ec, 2)}); KVM sees nothing`,
      );
    return GUEST_TRAP;
  }

  // ---- vcpu_load / put, the run loop -----------------------------------------------------------

  kvmRunBegin(): void {}

  /**
   * fpsimd_save_and_flush_cpu_state: the bound state is saved if the current task's
   * TIF_FOREIGN_FPSTATE is clear (fpsimd_save_user_state), then the CPU binding is dropped.
   */
  private saveAndFlush(cpu: number, who: string, depth: number): void {
    const cur = this.current[cpu] as number;
    const last = this.lastState[cpu] as number;
    if (this.t.on) this.t.fn(depth, who);
    if (cur >= 0 && !this.foreign[cur] && last >= 0) this.saveTo(cpu, last, false, depth + 1);
    this.lastState[cpu] = -1;
    if (cur >= 0) this.foreign[cur] = 1;
  }

  /**
   * fpsimd.c kvm_arch_vcpu_load_fp. E4: fp_owner = HOST_OWNED (the registers may hold the host's
   * state; ctxflush corrects it). E5: fpsimd_save_and_flush_cpu_state, fp_owner = FREE.
   */
  vcpuLoad(vi: number, cpu: number): void {
    this.vcpuCpu[vi] = cpu;
    this.vcpuOn[cpu] = vi;
    if (this.t.on) this.t.fn(0, 'kvm_arch_vcpu_load_fp', `(cpu ${cpu})`);
    if (this.e4) {
      this.owner[cpu] = FP_STATE_HOST_OWNED;
    } else {
      this.saveAndFlush(cpu, 'fpsimd_save_and_flush_cpu_state', 1);
      this.owner[cpu] = FP_STATE_FREE;
    }
  }

  /** fpsimd.c kvm_arch_vcpu_put_fp: if the guest owns the registers, save and flush them. */
  vcpuPut(vi: number): void {
    const cpu = this.vcpuCpu[vi] as number;
    if (this.t.on) this.t.fn(0, 'kvm_arch_vcpu_put_fp');
    if (this.owner[cpu] === FP_STATE_GUEST_OWNED) {
      // E4 with SVE: ZCR_EL1 stored into the vCPU, and on nVHE ZCR reset to the max VL
      if (this.e4 && this.o.sve) this.host.control(this.o.vhe ? 1 : 2);
      this.saveAndFlush(cpu, 'fpsimd_save_and_flush_cpu_state', 1);
    }
    this.vcpuOn[cpu] = -1;
    this.vcpuCpu[vi] = -1;
  }

  /** arm.c run loop: kvm_arch_vcpu_ctxflush_fp, then __activate_traps (E5 __activate_cptr_traps). */
  enter(vi: number, _reentry: boolean): void {
    if (this.hypReturn[vi]) {
      this.hypReturn[vi] = 0; // the ERET at the end of kvm_hyp_handle_fpsimd
      return;
    }
    const t = this.t;
    const cpu = this.vcpuCpu[vi] as number;
    const cur = this.current[cpu] as number;
    if (cur >= 0 && this.foreign[cur] && this.owner[cpu] !== FP_STATE_FREE) {
      if (t.on) t.fn(0, 'kvm_arch_vcpu_ctxflush_fp', '— TIF_FOREIGN_FPSTATE: fp_owner = FREE');
      this.owner[cpu] = FP_STATE_FREE;
    }
    const owned = this.owner[cpu] === FP_STATE_GUEST_OWNED;
    if (!this.e4 && owned && this.o.sve) this.host.control(2); // fpsimd_lazy_switch_to_guest: ZCR_EL2, ZCR_EL1
    // E4 nVHE: a vCPU that owns FP runs with vcpu->arch.cptr_el2 (RES1, TZ clear) even without SVE
    const tzHole = this.e4 && !this.o.vhe && this.o.quirks === 'kernel';
    this.trapFp[cpu] = owned ? 0 : 1;
    this.trapSve[cpu] = !owned || (!this.o.sve && !tzHole) ? 1 : 0;
    this.cptr[cpu] = this.trapValue(cpu);
    this.host.control(1);
    if (!owned && this.o.aarch32) {
      this.hwFpexc32[cpu] = FPEXC32_TRAP_VALUE; // __activate_traps_fpsimd32
      this.host.control(1);
    }
    if (t.on) {
      t.fn(
        0,
        this.e4 ? '__activate_traps' : '__activate_cptr_traps',
        `— ${this.o.vhe ? 'CPACR_EL1' : 'CPTR_EL2'} = ${hex(this.cptr[cpu] as number)} (${OWNER_NAMES[this.owner[cpu] as number]})`,
      );
    }
  }

  /** CPTR_EL2 (nVHE) or CPACR_EL1 (VHE) as __activate_traps writes it. */
  private trapValue(cpu: number): number {
    const fp = this.trapFp[cpu] === 1;
    const sve = this.trapSve[cpu] === 1;
    if (!this.o.vhe)
      return (
        (CPTR_NVHE_EL2_RES1 |
          CPTR_EL2_TAM |
          CPTR_EL2_TTA |
          (fp ? CPTR_EL2_TFP : 0) |
          (sve ? CPTR_EL2_TZ : 0)) >>>
        0
      );
    return (
      (CPACR_EL1_TTA | CPTR_EL2_TAM | (fp ? 0 : CPACR_EL1_FPEN) | (sve ? 0 : CPACR_EL1_ZEN)) >>> 0
    );
  }

  exit(vi: number, reason: number, save: boolean): Resume {
    this.worldExit(vi, save);
    return takeExit(this.host, this.exits, reason);
  }

  /**
   * EL2 exit: FPEXC32_EL2 saved if the guest owns FP (AArch32), traps deactivated (E5: ZCR
   * switched back); then, IRQs still off, kvm_arch_vcpu_ctxsync_fp binds the vCPU's registers to
   * the CPU and clears TIF_FOREIGN_FPSTATE. The guest registers themselves are not saved.
   */
  private worldExit(vi: number, save: boolean): void {
    const t = this.t;
    const cpu = this.vcpuCpu[vi] as number;
    const cur = this.current[cpu] as number;
    let owned = this.owner[cpu] === FP_STATE_GUEST_OWNED;
    if (owned && this.o.aarch32) {
      this.fpexc32[vi] = this.hwFpexc32[cpu] as number;
      if (t.on) t.fn(0, '__fpsimd_save_fpexc32', `— ${hex(this.fpexc32[vi] as number)}`);
    }
    if (save && owned) {
      if (t.on) t.line(0, 'policy saves at exit (the arm64 v4.6 design, not this kernel)');
      this.saveTo(cpu, vi, true, 1);
      this.owner[cpu] = FP_STATE_FREE;
      this.lastState[cpu] = -1;
      if (cur >= 0) this.foreign[cur] = 1;
      owned = false;
    }
    this.trapFp[cpu] = 0;
    this.trapSve[cpu] = 0;
    this.cptr[cpu] = this.o.vhe ? (CPACR_EL1_FPEN | CPACR_EL1_ZEN) >>> 0 : CPTR_NVHE_EL2_RES1;
    this.host.control(1);
    if (!this.e4 && owned && this.o.sve) this.host.control(2); // fpsimd_lazy_switch_to_host
    if (owned && !this.o.faults.has('skip-ctxsync')) {
      if (t.on)
        t.fn(
          0,
          'kvm_arch_vcpu_ctxsync_fp',
          '— fpsimd_bind_state_to_cpu(vcpu); TIF_FOREIGN_FPSTATE cleared',
        );
      this.lastState[cpu] = vi;
      if (cur >= 0) this.foreign[cur] = 0;
    }
  }

  /**
   * switch.h kvm_hyp_handle_fpsimd, at EL2 with no exit: traps disabled, isb; E4 saves the host
   * FPSIMD if HOST_OWNED; the guest loaded (SVE at the max VL with ZCR, or FPSIMD); AArch32:
   * FPEXC32_EL2; fp_owner = GUEST_OWNED. A non-SVE vCPU's EC 0x19 is declined: a full exit.
   */
  handleTrap(vi: number, trap: number, _unit: number, _grant: UnitMask): Resume {
    const t = this.t;
    const cpu = this.vcpuCpu[vi] as number;
    const sve = trap === TRAP_SVE;
    const ec = sve ? ESR_ELx_EC_SVE : ESR_ELx_EC_FP_ASIMD;
    const esr = syndrome(ec, true, sve ? 0 : HSR_CV | (COND_AL << 20));
    this.host.count(this.id(sve ? 'sve' : 'fp'));
    if (sve && !this.o.sve) {
      if (t.on)
        t.line(
          0,
          `EL2 trap ${describeSyndrome('ESR_EL2', esr)}: kvm_hyp_handle_fpsimd declines (no SVE for this vCPU) → full exit`,
        );
      this.worldExit(vi, false);
      if (t.on) t.fn(0, 'handle_sve', '→ kvm_inject_undefined; fp_owner unchanged');
      this.host.count(this.id('handleSve'));
      this.host.count(this.id('undefSve'));
      this.pendingUndef[vi] = 1;
      return RESUME_GUEST;
    }
    if (t.on)
      t.fn(
        0,
        'kvm_hyp_handle_fpsimd',
        `— ${describeSyndrome('ESR_EL2', esr)}; at EL2, no exit; the instruction is retried`,
      );
    this.loadGuest(cpu, vi);
    this.hypReturn[vi] = 1;
    return RESUME_GUEST;
  }

  private loadGuest(cpu: number, vi: number): void {
    // cpacr_clear_set(0, FPEN[|ZEN]): TFP cleared, and TZ only for an SVE vCPU; then isb
    this.trapFp[cpu] = 0;
    if (this.o.sve) this.trapSve[cpu] = 0;
    this.cptr[cpu] = this.trapValue(cpu);
    this.host.control(1);
    const cur = this.current[cpu] as number;
    if (
      this.e4 &&
      this.owner[cpu] === FP_STATE_HOST_OWNED &&
      !this.o.faults.has('skip-host-save')
    ) {
      // kvm_hyp_save_fpsimd_host: into *host_data_ptr(fpsimd_state), the current task's
      if (this.t.on) this.t.fn(1, 'kvm_hyp_save_fpsimd_host');
      copyFpsimd(this.hw(cpu), this.area[cur] as Uint8Array);
      this.host.call(this.ops.hypSave, cur, FPSIMD_TRANSFER_BYTES, FPSIMD_BIT, 2);
    }
    const hw = this.hw(cpu);
    const area = this.area[vi] as Uint8Array;
    if (this.o.sve) {
      if (this.t.on) this.t.fn(1, '__hyp_sve_restore_guest', `— ZCR_EL2.LEN = ${this.o.vq - 1}`);
      this.host.control(2); // sve_cond_update_zcr_vq (ZCR_EL2), then the guest's ZCR_EL1
      copySve(area, hw, this.o.vq);
      this.host.call(this.ops.hypSveRestore, vi, this.sveBytes, this.units, 2);
    } else {
      copyFpsimd(area, hw);
      zeroZUpper(hw);
      this.host.call(this.ops.hypRestore, vi, FPSIMD_TRANSFER_BYTES, FPSIMD_BIT, 1);
    }
    if (this.o.aarch32) {
      this.hwFpexc32[cpu] = this.fpexc32[vi] as number; // HCR_EL2.RW = 0
      this.host.control(1);
    }
    this.owner[cpu] = FP_STATE_GUEST_OWNED;
    this.host.loaded(cpu, vi, this.units);
  }

  /** A policy's preload at entry (not a kernel path): the trap handler's work without the trap. */
  load(vi: number, _units: UnitMask): void {
    const cpu = this.vcpuCpu[vi] as number;
    if (this.owner[cpu] === FP_STATE_GUEST_OWNED) return;
    if (this.t.on) this.t.line(0, 'policy load at entry (not a kernel path)');
    this.loadGuest(cpu, vi);
  }

  guestWrite(
    vi: number,
    reg: number,
    hasValue: boolean,
    value: number,
    set: number,
    clear: number,
  ): Resume | typeof NO_EXIT {
    if (reg === CREG_CPACR_EL1) {
      const old = this.cpacr[vi] as number;
      this.cpacr[vi] = (hasValue ? value : (old | set) & ~clear) >>> 0;
      return NO_EXIT;
    }
    const cpu = this.vcpuCpu[vi] as number;
    writeU32(this.hw(cpu), reg === CREG_FPCR ? FPCR_OFFSET : FPSR_OFFSET, value);
    return NO_EXIT;
  }

  slice(_vi: number, unit: number, reg: number): number {
    if (unit !== UNIT_SVE) return packSlice(reg * Z_STRIDE, 16);
    const vq = this.o.vq;
    if (reg < 32) return packSlice(reg * Z_STRIDE, 16 * vq);
    if (reg < 48) return packSlice(P_BASE + (reg - 32) * P_STRIDE, 2 * vq);
    return packSlice(FFR_OFFSET, 2 * vq);
  }

  controlSlice(reg: number): number {
    if (reg === CREG_FPCR) return packSlice(FPCR_OFFSET, 4);
    return reg === CREG_CPACR_EL1 ? -1 : packSlice(FPSR_OFFSET, 4);
  }

  // ---- the host (arch/arm64/kernel/fpsimd.c) ---------------------------------------------------

  /**
   * fpsimd_thread_switch: the outgoing task's state is saved unless TIF_FOREIGN_FPSTATE; the
   * incoming task's flag is set unless the CPU is still bound to its state.
   */
  hostSwitch(cpu: number, prev: number, next: number): void {
    const last = this.lastState[cpu] as number;
    if (prev >= 0 && !this.foreign[prev] && last >= 0) {
      if (this.t.on) this.t.fn(0, 'fpsimd_thread_switch', '— fpsimd_save_user_state');
      this.saveTo(cpu, last, false, 1);
    }
    if (next >= 0) this.foreign[next] = last !== next || this.fpsimdCpu[next] !== cpu ? 1 : 0;
    this.current[cpu] = next;
  }

  /**
   * The task's state is reloaded on return to userspace (fpsimd_restore_current_state) when
   * TIF_FOREIGN_FPSTATE is set; vfpu performs that at the task's next FP use.
   */
  hostUse(cpu: number, thread: number, unit: number): boolean {
    if (unit === UNIT_SVE) {
      this.host.warn('host-use of sve: host task SVE state is not modelled; ignored');
      return false;
    }
    if (!this.foreign[thread]) return true;
    if (this.t.on)
      this.t.fn(0, 'fpsimd_restore_current_state', `— ${this.host.contextName(thread)}`);
    const hw = this.hw(cpu);
    copyFpsimd(this.area[thread] as Uint8Array, hw);
    zeroZUpper(hw);
    this.host.call(this.ops.load, thread, FPSIMD_TRANSFER_BYTES, FPSIMD_BIT, 1);
    this.host.loaded(cpu, thread, FPSIMD_BIT);
    this.lastState[cpu] = thread;
    this.fpsimdCpu[thread] = cpu;
    this.foreign[thread] = 0;
    return true;
  }

  hostSlice(_thread: number, _unit: number, reg: number): number {
    return packSlice(reg * Z_STRIDE, 16);
  }

  /** kernel_neon_begin: fpsimd_save_user_state, then fpsimd_flush_cpu_state; the kernel uses V0–V31. */
  kernelFpu(cpu: number): boolean {
    this.saveAndFlush(cpu, 'kernel_neon_begin', 0);
    const hw = this.hw(cpu);
    scribble(hw, Z_STRIDE, 32, 16);
    zeroZUpper(hw);
    this.host.loaded(cpu, -1, this.units);
    if (this.t.on) this.t.fn(0, 'kernel_neon_end');
    return true;
  }

  // ---- userspace: KVM_GET_ONE_REG / KVM_SET_ONE_REG (arch/arm64/kvm/guest.c) -------------------

  /** Core vregs are -EINVAL for an SVE vCPU; SVE ZREG/PREG/FFR are -ENOENT without SVE. */
  private userSlice(unit: number, reg: number): number {
    if ((unit === UNIT_SVE) !== this.o.sve) return -1;
    return this.slice(0, unit, reg);
  }

  userRead(vi: number, unit: number, reg: number, out: Uint8Array): number {
    const p = this.userSlice(unit, reg);
    if (p < 0) return -1;
    copyStrided(out, this.area[vi] as Uint8Array, p >>> 16, 0, 1, p & 0xffff);
    return p;
  }

  userWrite(vi: number, unit: number, reg: number, src: Uint8Array): boolean {
    const p = this.userSlice(unit, reg);
    if (p < 0) return false;
    copyStrided(this.area[vi] as Uint8Array, src, p >>> 16, 0, 1, p & 0xffff);
    return true;
  }

  inspect(): Record<string, unknown> {
    const h = this.host;
    const name = (c: number) => (c >= 0 ? h.contextName(c) : null);
    const threads: Record<string, unknown> = {};
    for (let c = h.vcpus; c < h.contexts; c++) {
      const cpu = this.fpsimdCpu[c] as number;
      threads[h.contextName(c)] = {
        TIF_FOREIGN_FPSTATE: this.foreign[c],
        fpsimd_cpu: cpu >= 0 ? cpu : 'NR_CPUS',
      };
    }
    return {
      vcpus: Array.from(this.vcpuCpu, (cpu, v) => ({
        cpu,
        CPACR_EL1: hex(this.cpacr[v] as number),
        ...(this.o.aarch32 ? { FPEXC32_EL2: hex(this.fpexc32[v] as number) } : {}),
      })),
      cpus: Array.from(this.owner, (owner, c) => ({
        fp_owner: OWNER_NAMES[owner],
        [this.o.vhe ? 'CPACR_EL1' : 'CPTR_EL2']: hex(this.cptr[c] as number),
        fpsimd_last_state: name(this.lastState[c] as number),
      })),
      threads,
    };
  }
}
