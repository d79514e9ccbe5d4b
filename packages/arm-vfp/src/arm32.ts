/**
 * 32-bit KVM/ARM (ARMv7 with the Virtualization Extensions): the Hyp lazy VFP switch of the
 * world switch, the exit handlers, and the host's own lazy VFP (arch/arm/vfp/vfpmodule.c).
 * Variant armv7-2013 follows interrupts.S / interrupts_head.S (A32-asm), armv7-c follows
 * hyp/switch.c, hyp/entry.S and hyp/vfp.S (A32-C). Names are the kernel's.
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
  readU32,
  type Tracer,
  takeExit,
  type UnitMask,
  writeU32,
} from '@vfpu/core';
import { exitRow } from './exits.js';
import { scribble } from './kernel-neon.js';
import { VFP_REGS } from './one-reg.js';
import type { ArmOptions } from './options.js';
import {
  COND_AL,
  CREG_FPEXC,
  describeSyndrome,
  FPEXC_EN,
  FPEXC_EX,
  FPEXC_FP2V,
  HCPTR_GUEST,
  HCPTR_TCP_VFP,
  HCPTR_TTA,
  HSR_CV,
  HSR_EC_CP_0_13,
  HSR_EC_CP10_ID,
  HSR_EC_DABT,
  HSR_EC_HVC,
  HSR_EC_WFI,
  hex,
  syndrome,
  VFP_FPEXC,
  VFP_FPINST,
  VFP_FPINST2,
  VFP_FPSCR,
  VFP_HARD_BYTES,
  vfpTransferBytes,
} from './regs.js';
import { restoreBank, SAVE_ASM, SAVE_C, SAVE_HOST, saveBank } from './vfp-bank.js';

const UNIT_VFP = 0;
const UNIT_NEON = 2;

/** guestAccess results: the HCPTR trap (> 0); an UNDEF taken in the guest; not executed. */
const TRAP_CP_0_13 = 1;
const GUEST_UNDEF = -1;
const NOT_EXECUTED = -2;

/** The condition code a failing conditional instruction reports (NE, with Z set). */
const COND_NE = 0x1;

export class Arm32Machine implements Machine {
  private readonly o: ArmOptions;
  private readonly host: MachineHost;
  private readonly t: Tracer;
  private readonly asm: boolean;
  /** Units in the bank: everything on D32, d0–d15 on D16. */
  private readonly bank: UnitMask;
  private readonly bytes: number;
  /** The transfers move d16–d31: D32 hardware and a CONFIG_VFPv3 kernel. */
  private readonly d32: boolean;
  /** Does the world switch touch FPEXC? (A32-asm only under CONFIG_VFPv3; A32-C always.) */
  private readonly switchesFpexc: boolean;

  // per vCPU
  private readonly vcpuCpu: Int32Array;
  /** vcpu->arch.vfp_guest (struct vfp_hard_struct). */
  private readonly guestArea: Uint8Array[];
  private readonly pendingUndef: Uint8Array;
  private readonly pendingSkip: Uint8Array;
  /** The last trap was handled in Hyp: the next entry is its `eret`, not a world switch. */
  private readonly hypReturn: Uint8Array;
  private conditionFails = false;

  // per pCPU
  private readonly hcptr: Uint32Array;
  /** The host FPEXC pushed at entry (A32-asm Hyp stack) or kept in `fpexc_host` (A32-C). */
  private readonly pushedFpexc: Uint32Array;
  /** kvm_host_vfp_state (A32-asm) / host_ctxt->vfp (A32-C): the per-CPU host save area. */
  private readonly hostArea: Uint8Array[];
  private readonly hostAreaCtx: Int32Array;
  /** The vCPU whose bank is in the registers (HCPTR.TCP10/11 clear), or −1. */
  private readonly guestBank: Int32Array;
  /** The context whose bank the registers hold, or −1 (for exposure accounting). */
  private readonly hwCtx: Int32Array;
  /** vfp_current_hw_state[cpu]: the host thread whose state is in the registers, or −1. */
  private readonly owner: Int32Array;
  private readonly current: Int32Array;

  // per host thread (context index)
  /** thread->vfpstate.hard */
  private readonly threadArea: Uint8Array[];
  /** thread->vfpstate.hard.cpu; −1 is NR_CPUS. */
  private readonly hardCpu: Int32Array;

  private readonly ops: {
    save: CounterId;
    restore: CounterId;
    hostSave: CounterId;
    hostLoad: CounterId;
  };
  private readonly ids: Record<string, CounterId>;
  /** handle_exit (arch/arm/kvm/handle_exit.c; arm.c in v3.9) by exit reason. */
  private readonly exits: readonly ExitRow[];

  constructor(host: MachineHost, o: ArmOptions) {
    this.o = o;
    this.host = host;
    this.t = host.trace;
    this.asm = o.generation === 'a32-asm';
    this.bank = o.d32 ? 0b111 : 0b001;
    // without CONFIG_VFPv3, vfp_hard_struct has fpregs[16] and VFPFSTMIA moves d0–d15 only
    this.d32 = o.d32 && o.vfpv3;
    this.bytes = vfpTransferBytes(this.d32);
    this.switchesFpexc = !this.asm || o.vfpv3;
    const n = host.contexts;
    this.vcpuCpu = new Int32Array(host.vcpus).fill(-1);
    this.guestArea = [];
    for (let v = 0; v < host.vcpus; v++) {
      const a = new Uint8Array(VFP_HARD_BYTES);
      writeU32(a, VFP_FPEXC, o.guestFpexc);
      this.guestArea.push(a);
    }
    this.pendingUndef = new Uint8Array(host.vcpus);
    this.pendingSkip = new Uint8Array(host.vcpus);
    this.hypReturn = new Uint8Array(host.vcpus);
    this.hcptr = new Uint32Array(host.cpus);
    this.pushedFpexc = new Uint32Array(host.cpus);
    this.hostArea = [];
    for (let c = 0; c < host.cpus; c++) this.hostArea.push(new Uint8Array(VFP_HARD_BYTES));
    this.hostAreaCtx = new Int32Array(host.cpus).fill(-1);
    this.guestBank = new Int32Array(host.cpus).fill(-1);
    this.hwCtx = new Int32Array(host.cpus).fill(-1);
    this.owner = new Int32Array(host.cpus).fill(-1);
    this.current = new Int32Array(host.cpus).fill(-1);
    this.threadArea = [];
    for (let c = 0; c < n; c++) {
      // vfp_thread_flush: fpexc = FPEXC_EN, fpscr = FPSCR_ROUND_NEAREST (0), hard.cpu = NR_CPUS
      const a = new Uint8Array(VFP_HARD_BYTES);
      writeU32(a, VFP_FPEXC, FPEXC_EN);
      this.threadArea.push(a);
    }
    this.hardCpu = new Int32Array(n).fill(-1);
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
    const id = (name: string) => this.id(name);
    const row = (ec: number | null, iss: number, what: string, c: string[], resume: Resume) =>
      exitRow('HSR', ec, iss, what, c.map(id), resume);
    this.exits = exitTable(
      {
        mmio: row(
          HSR_EC_DABT,
          0,
          'kvm_handle_guest_abort → io_mem_abort → KVM_EXIT_MMIO',
          ['abort', 'mmio'],
          RESUME_HOST,
        ),
        irq: row(null, 0, 'ARM_EXCEPTION_IRQ: handle_exit returns 1', ['irq'], RESUME_GUEST),
        hlt: row(HSR_EC_WFI, 0, 'kvm_handle_wfx', ['wfx'], RESUME_GUEST),
        hypercall: row(HSR_EC_HVC, 0, 'handle_hvc', ['hvc'], RESUME_GUEST),
        signal: row(
          null,
          0,
          'ARM_EXCEPTION_IRQ, then signal_pending: KVM_EXIT_INTR',
          ['irq', 'intr'],
          RESUME_HOST,
        ),
        other: row(
          null,
          0,
          'HSR EC 0x03 (CP15_32): kvm_handle_cp15_32, handled in the kernel',
          ['cp15'],
          RESUME_GUEST,
        ),
      },
      // cp10-id: VMRS r0, MVFR0 (AL): Opc1 7, CRn 7, Dir 1 (kernel-check.md §7: 0x23E1DC01)
      [
        row(
          HSR_EC_CP10_ID,
          0x1e1dc01,
          'kvm_handle_cp10_id → kvm_inject_undefined',
          ['cp10id', 'undefCp10'],
          RESUME_GUEST,
        ),
      ],
    );
  }

  private hw(cpu: number): Uint8Array {
    return this.host.registerFile[cpu] as Uint8Array;
  }

  private fpexc(cpu: number): number {
    return readU32(this.hw(cpu), VFP_FPEXC);
  }

  private writeFpexc(cpu: number, value: number): void {
    writeU32(this.hw(cpu), VFP_FPEXC, value >>> 0);
    this.host.control(1);
  }

  private id(name: string): CounterId {
    return this.ids[name] as CounterId;
  }

  // ---- what the guest sees ---------------------------------------------------------------------

  guestEnabled(vi: number): UnitMask {
    const cpu = this.vcpuCpu[vi] as number;
    const fpexc =
      cpu >= 0 && this.guestBank[cpu] === vi
        ? this.fpexc(cpu)
        : readU32(this.guestArea[vi] as Uint8Array, VFP_FPEXC);
    return fpexc & FPEXC_EN ? this.bank : 0;
  }

  live(vi: number): UnitMask {
    const cpu = this.vcpuCpu[vi] as number;
    return cpu >= 0 && this.guestBank[cpu] === vi ? this.bank : 0;
  }

  /**
   * The hardware's checks for a guest VFP/NEON instruction: D16 has no d16–d31 and no NEON; with
   * TCP10/TCP11 set the access traps to Hyp (EC 0x07), because KVM forced the hardware FPEXC.EN on;
   * with the guest's bank loaded its own FPEXC.EN decides (the guest kernel's lazy VFP).
   */
  guestAccess(vi: number, unit: number, control: number, conditionFails: boolean): number {
    const t = this.t;
    if (this.pendingUndef[vi]) {
      this.pendingUndef[vi] = 0;
      return this.guestUndef('UNDEF injected by KVM: the guest enters UND mode at its vector + 4');
    }
    if (this.pendingSkip[vi]) {
      this.pendingSkip[vi] = 0;
      if (t.on) t.line(0, 'the instruction was skipped (PC advanced): it does not execute');
      return NOT_EXECUTED;
    }
    if (!this.o.d32 && unit !== UNIT_VFP)
      return this.guestUndef('D16 hardware (MVFR0.A_SIMD = 1): no d16–d31, no Advanced SIMD');
    const cpu = this.vcpuCpu[vi] as number;
    const enabled = control === CREG_FPEXC || (this.fpexc(cpu) & FPEXC_EN) !== 0;
    if (this.guestBank[cpu] === vi) {
      if (!enabled) return this.guestUndef("the guest's FPEXC.EN = 0: its own lazy VFP trap");
      if (conditionFails) {
        if (t.on) t.line(0, 'the condition fails: the instruction executes as a NOP');
        return NOT_EXECUTED;
      }
      return 0;
    }
    if (!this.switchesFpexc && !enabled) {
      // no CONFIG_VFPv3: the host FPEXC is left as it was; with EN = 0 the instruction is
      // UNDEFINED at guest PL1 before any Hyp trap
      return this.guestUndef('the host FPEXC.EN = 0 (not forced without CONFIG_VFPv3)');
    }
    this.conditionFails = conditionFails;
    return TRAP_CP_0_13;
  }

  private guestUndef(why: string): number {
    this.host.count(this.id('guestUndef'));
    if (this.t.on) this.t.line(0, `guest exception: Undefined Instruction (${why}); no exit`);
    return GUEST_UNDEF;
  }

  /** HSR of a trapped VFP (coproc 0xA) or Advanced SIMD (TA = 1) instruction, ARM state (IL = 1). */
  private hsr(unit: number): number {
    const cond = this.conditionFails ? COND_NE : COND_AL;
    const iss = HSR_CV | (cond << 20) | (unit === UNIT_NEON ? 1 << 5 : 0xa);
    return syndrome(HSR_EC_CP_0_13, true, iss);
  }

  // ---- the world switch ------------------------------------------------------------------------

  kvmRunBegin(): void {}

  /** arm.c kvm_arch_vcpu_load: vcpu->arch.vfp_host = this CPU's host save area; no VFP work. */
  vcpuLoad(vi: number, cpu: number): void {
    this.vcpuCpu[vi] = cpu;
    if (this.t.on)
      this.t.fn(0, 'kvm_arch_vcpu_load', `(cpu ${cpu}: vfp_host = this CPU's host area)`);
  }

  /** arm.c kvm_arch_vcpu_put: nothing for VFP (the bank is never live here under the kernel's policy). */
  vcpuPut(vi: number): void {
    const cpu = this.vcpuCpu[vi] as number;
    if (this.t.on) this.t.fn(0, 'kvm_arch_vcpu_put');
    if (this.guestBank[cpu] === vi) this.giveBack(cpu, vi);
    this.vcpuCpu[vi] = -1;
  }

  /**
   * interrupts.S __kvm_vcpu_run (A32-asm): push the host FPEXC and force EN, then
   * `set_hcptr vmentry` ORs TTA|TCP10|TCP11. hyp/switch.c __activate_traps (A32-C): FPEXC|EN
   * written only when EN was clear, HCPTR written as exactly TTA|TCP10|TCP11.
   */
  enter(vi: number, _reentry: boolean): void {
    if (this.hypReturn[vi]) {
      this.hypReturn[vi] = 0; // the eret at the end of the Hyp trap handler
      return;
    }
    const t = this.t;
    const cpu = this.vcpuCpu[vi] as number;
    if (t.on) t.fn(0, '__kvm_vcpu_run', this.asm ? '(interrupts.S)' : '(hyp/switch.c)');
    if (this.switchesFpexc) {
      const fpexc = this.fpexc(cpu);
      this.pushedFpexc[cpu] = fpexc;
      if (this.asm || !(fpexc & FPEXC_EN)) {
        this.writeFpexc(cpu, fpexc | FPEXC_EN);
        if (t.on)
          t.line(1, `host FPEXC ${hex(fpexc)} ${this.asm ? 'pushed' : 'kept'}; FPEXC |= EN`);
      } else if (t.on) t.line(1, `host FPEXC ${hex(fpexc)} kept; EN already set, not written`);
    }
    const kept = this.guestBank[cpu] === vi;
    if (kept) {
      // a policy kept the bank live across the exit: the guest gets its FPEXC back, no trap armed
      this.writeFpexc(cpu, readU32(this.guestArea[vi] as Uint8Array, VFP_FPEXC));
      if (t.on)
        t.line(
          1,
          'policy: the guest bank is still live; guest FPEXC rewritten, TCP10/11 left clear',
        );
    }
    const set = kept ? HCPTR_TTA : HCPTR_GUEST;
    this.hcptr[cpu] = this.asm ? (this.hcptr[cpu] as number) | set : set;
    this.host.control(1);
    if (t.on)
      t.line(1, `HCPTR ${this.asm ? '|=' : '='} ${hex(set)} → ${hex(this.hcptr[cpu] as number)}`);
  }

  exit(vi: number, reason: number, save: boolean): Resume {
    this.worldExit(vi, save);
    return takeExit(this.host, this.exits, reason);
  }

  /**
   * interrupts.S __kvm_vcpu_return (A32-asm): `set_hcptr vmexit` clears TTA|TCP10|TCP11; if the
   * old value had TCP10/11 clear, store the guest bank and restore the host's; always pop FPEXC.
   * hyp/switch.c (A32-C): fp_enabled = __vfp_enabled(); __deactivate_traps writes HCPTR = 0; if
   * fp_enabled, __vfp_save_state(guest) then __vfp_restore_state(host); FPEXC rewritten last.
   * `save` false: a policy that keeps the bank live across exits (not what either kernel does).
   */
  private worldExit(vi: number, save: boolean): void {
    const t = this.t;
    const cpu = this.vcpuCpu[vi] as number;
    const old = this.hcptr[cpu] as number;
    const fpEnabled = (old & HCPTR_TCP_VFP) === 0;
    this.hcptr[cpu] = this.asm ? old & ~HCPTR_GUEST : 0;
    this.host.control(1);
    if (t.on) {
      t.fn(
        0,
        this.asm ? '__kvm_vcpu_return' : '__deactivate_traps',
        `HCPTR → ${hex(this.hcptr[cpu] as number)}`,
      );
    }
    if (this.guestBank[cpu] === vi && fpEnabled) {
      if (!save) {
        writeU32(this.guestArea[vi] as Uint8Array, VFP_FPEXC, this.fpexc(cpu));
        if (t.on)
          t.line(1, 'policy: the guest bank stays live across the exit (its FPEXC kept aside)');
      } else if (this.o.faults.has('no-switch-back')) {
        this.guestBank[cpu] = -1; // fault: the guest bank is left in the registers
      } else {
        this.switchToHost(cpu, vi, 1);
      }
    } else if (t.on && this.switchesFpexc) {
      t.line(1, 'TCP10/TCP11 were still set: the guest did not use VFP in this run');
    }
    if (this.switchesFpexc) {
      this.writeFpexc(cpu, this.pushedFpexc[cpu] as number);
      if (t.on)
        t.line(
          1,
          `FPEXC = ${hex(this.pushedFpexc[cpu] as number)} (the host's, ${this.asm ? 'popped' : 'fpexc_host'})`,
        );
    }
  }

  /** switch_to_guest_vfp / __vfp_guest_restore: HCPTR.TCP10/11 cleared, host bank saved, guest loaded. */
  private switchToGuest(cpu: number, vi: number, depth: number): void {
    const hw = this.hw(cpu);
    this.hcptr[cpu] = (this.hcptr[cpu] as number) & ~HCPTR_TCP_VFP;
    this.host.control(1);
    const hostCtx = this.hwCtx[cpu] as number;
    this.hostAreaCtx[cpu] = hostCtx;
    const r = saveBank(
      hw,
      this.hostArea[cpu] as Uint8Array,
      this.d32,
      this.asm ? SAVE_ASM : SAVE_C,
      this.o.faults.has('skip-fpinst-save'),
    );
    this.host.control(r.writes);
    this.host.call(
      this.ops.save,
      hostCtx >= 0 ? hostCtx : this.host.vmmThread(vi),
      this.bytes,
      0,
      depth,
    );
    restoreBank(hw, this.guestArea[vi] as Uint8Array, this.d32);
    this.host.control(1);
    this.host.call(this.ops.restore, vi, this.bytes, this.bank, depth);
    this.host.loaded(cpu, vi, this.bank);
    this.hwCtx[cpu] = vi;
    this.guestBank[cpu] = vi;
  }

  /** The exit half: guest bank stored, host area restored (FPEXC written last by the restore). */
  private switchToHost(cpu: number, vi: number, depth: number): void {
    const hw = this.hw(cpu);
    const r = saveBank(
      hw,
      this.guestArea[vi] as Uint8Array,
      this.d32,
      this.asm ? SAVE_ASM : SAVE_C,
      this.o.faults.has('skip-fpinst-save'),
    );
    if (r.hazard && this.asm) {
      this.host.warn(
        'store_vfp_state: the guest FPEXC has EX = 1 and EN = 0; the A32-asm save clears EX from the original value and stores the bank with VFP disabled (a Hyp UNDEF on hardware)',
      );
    }
    this.host.control(r.writes);
    this.host.call(this.ops.save, vi, this.bytes, this.bank, depth);
    restoreBank(hw, this.hostArea[cpu] as Uint8Array, this.d32);
    this.host.control(1);
    const hostCtx = this.hostAreaCtx[cpu] as number;
    this.host.call(
      this.ops.restore,
      hostCtx >= 0 ? hostCtx : this.host.vmmThread(vi),
      this.bytes,
      0,
      depth,
    );
    this.hwCtx[cpu] = hostCtx;
    this.host.loaded(cpu, hostCtx, this.bank);
    this.guestBank[cpu] = -1;
  }

  /**
   * Outside the guest, a bank a policy kept across exits goes back (not a kernel path): the
   * guest's FPEXC (kept aside at the exit) is put back for the save, then the host's.
   */
  private giveBack(cpu: number, vi: number): void {
    if (this.t.on)
      this.t.line(
        0,
        'policy kept the guest bank across exits: switch it back now (not a kernel path)',
      );
    this.writeFpexc(cpu, readU32(this.guestArea[vi] as Uint8Array, VFP_FPEXC));
    this.switchToHost(cpu, vi, 1);
    this.writeFpexc(cpu, this.pushedFpexc[cpu] as number);
  }

  /** The HCPTR trap (EC 0x07): in Hyp with CONFIG_VFPv3, else a full exit into handle_exit. */
  handleTrap(vi: number, _trap: number, unit: number, _grant: UnitMask): Resume {
    const t = this.t;
    const cpu = this.vcpuCpu[vi] as number;
    const hsr = this.hsr(unit);
    this.host.count(this.id('trap'));
    if (!this.o.vfpv3) {
      // hyp_hvc / guest_trap without the CONFIG_VFPv3 check: HSR stored, ARM_EXCEPTION_HVC
      if (t.on)
        t.line(0, `Hyp trap: ${describeSyndrome('HSR', hsr)} → guest_trap, ARM_EXCEPTION_HVC`);
      this.worldExit(vi, false);
      // handle_exit: kvm_condition_valid first, then arm_exit_handlers[HSR_EC_CP_0_13]
      if (this.conditionFails) {
        if (t.on) t.fn(0, 'kvm_condition_valid', '— false: kvm_skip_instr, PC += 4');
        this.host.count(this.id('condition'));
        this.host.count(this.id('skipped'));
        this.pendingSkip[vi] = 1;
      } else {
        if (t.on) t.fn(0, 'kvm_handle_cp_0_13_access', '→ kvm_inject_undefined');
        this.host.count(this.id('cp013'));
        this.host.count(this.id('undefCp013'));
        this.pendingUndef[vi] = 1;
      }
      return RESUME_GUEST;
    }
    if (t.on) {
      t.fn(
        0,
        this.asm ? 'switch_to_guest_vfp' : '__vfp_guest_restore',
        `— Hyp trap ${describeSyndrome('HSR', hsr)}; handled in Hyp, no exit, the instruction is retried`,
      );
    }
    this.switchToGuest(cpu, vi, 1);
    this.hypReturn[vi] = 1;
    return RESUME_GUEST;
  }

  /** A policy's preload at entry (not a kernel path): the Hyp switch without the trap. */
  load(vi: number, _units: UnitMask): void {
    const cpu = this.vcpuCpu[vi] as number;
    if (this.guestBank[cpu] === vi || !this.o.vfpv3) return;
    if (this.t.on) this.t.line(0, 'policy load at entry (not a kernel path): TCP10/11 cleared');
    this.switchToGuest(cpu, vi, 1);
  }

  guestWrite(vi: number, reg: number, _hasValue: boolean, value: number): Resume | typeof NO_EXIT {
    // a VMSR: the engine ran the HCPTR trap and resolved the value
    const cpu = this.vcpuCpu[vi] as number;
    writeU32(this.hw(cpu), VFP_FPEXC + 4 * reg, value);
    return NO_EXIT;
  }

  slice(_vi: number, unit: number, reg: number): number {
    return this.hostSlice(-1, unit, reg);
  }

  /** fpexc, fpscr, fpinst, fpinst2 follow fpregs[32] in struct vfp_hard_struct. */
  controlSlice(reg: number): number {
    return packSlice(VFP_FPEXC + 4 * reg, 4);
  }

  // ---- the host's lazy VFP (vfpmodule.c) --------------------------------------------------------

  private inHw(cpu: number, thread: number): boolean {
    // vfp_state_in_hw: the owner pointer, and on SMP hard.cpu (a migrated thread is not in hw)
    return this.owner[cpu] === thread && (!this.o.smp || this.hardCpu[thread] === cpu);
  }

  /** vfp_save_state(owner's vfpstate, fpexc) into the thread's own struct. */
  private hostSave(cpu: number, thread: number, depth: number): void {
    saveBank(this.hw(cpu), this.threadArea[thread] as Uint8Array, this.d32, SAVE_HOST, false);
    this.host.call(this.ops.hostSave, thread, this.bytes, this.bank, depth);
  }

  /** vfp_notifier THREAD_NOTIFY_SWITCH: on SMP save the owner if EN is set; always clear EN. */
  hostSwitch(cpu: number, _prev: number, next: number): void {
    const fpexc = this.fpexc(cpu);
    const owner = this.owner[cpu] as number;
    if (this.o.smp && fpexc & FPEXC_EN && owner >= 0) {
      if (this.t.on) this.t.fn(0, 'vfp_notifier', '— THREAD_NOTIFY_SWITCH: save the owner (SMP)');
      this.hostSave(cpu, owner, 1);
    }
    this.writeFpexc(cpu, fpexc & ~FPEXC_EN);
    this.current[cpu] = next;
  }

  /**
   * A host thread's VFP instruction: with FPEXC.EN = 0 it is UNDEFINED and vfp_support_entry
   * runs: EN set; unless the state is in hw (the last-owner fast path), UP saves the other
   * owner, then vfp_load_state; the instruction is retried.
   */
  hostUse(cpu: number, thread: number, unit: number): boolean {
    if (!this.o.d32 && unit !== UNIT_VFP) {
      this.host.warn('host-use of d16-d31 or neon on D16 hardware: the host has neither; ignored');
      return false;
    }
    const fpexc = this.fpexc(cpu);
    if (fpexc & FPEXC_EN) return true;
    const t = this.t;
    this.host.count(this.id('hostUndef'));
    this.writeFpexc(cpu, (fpexc | FPEXC_EN) & ~FPEXC_EX);
    if (this.inHw(cpu, thread)) {
      if (t.on)
        t.fn(0, 'vfp_support_entry', '— state already in hw (last owner): only FPEXC.EN set');
      return true;
    }
    if (t.on) t.fn(0, 'vfp_support_entry', `— load ${this.host.contextName(thread)}`);
    const owner = this.owner[cpu] as number;
    if (!this.o.smp && owner >= 0) this.hostSave(cpu, owner, 1);
    restoreBank(this.hw(cpu), this.threadArea[thread] as Uint8Array, this.d32);
    this.host.call(this.ops.hostLoad, thread, this.bytes, this.bank, 1);
    this.host.loaded(cpu, thread, this.bank);
    this.hwCtx[cpu] = thread;
    this.owner[cpu] = thread;
    if (this.o.smp) this.hardCpu[thread] = cpu;
    return true;
  }

  hostSlice(_thread: number, unit: number, reg: number): number {
    if (unit === UNIT_VFP) return packSlice(8 * reg, 8);
    if (unit === UNIT_NEON) return packSlice(16 * reg, 16);
    return packSlice(128 + 8 * reg, 8);
  }

  /**
   * kernel_neon_begin: EN set; the current thread's state saved if in hw (UP: else the owner's);
   * owner = NULL; the kernel's NEON code then uses the registers. kernel_neon_end: EN cleared.
   */
  kernelFpu(cpu: number): boolean {
    const t = this.t;
    const v = this.guestBank[cpu] as number;
    if (v >= 0) this.giveBack(cpu, v);
    if (t.on) t.fn(0, 'kernel_neon_begin');
    this.writeFpexc(cpu, this.fpexc(cpu) | FPEXC_EN);
    const cur = this.current[cpu] as number;
    const owner = this.owner[cpu] as number;
    if (cur >= 0 && this.inHw(cpu, cur)) this.hostSave(cpu, cur, 1);
    else if (!this.o.smp && owner >= 0) this.hostSave(cpu, owner, 1);
    this.owner[cpu] = -1;
    const used = this.o.d32 ? 256 : 128;
    scribble(this.hw(cpu), used, 1, used);
    this.hwCtx[cpu] = -1;
    this.host.loaded(cpu, -1, this.bank);
    if (t.on) t.fn(0, 'kernel_neon_end', '— FPEXC.EN cleared');
    this.writeFpexc(cpu, this.fpexc(cpu) & ~FPEXC_EN);
    return true;
  }

  // ---- userspace: KVM_GET_ONE_REG / KVM_SET_ONE_REG (coproc.c vfp_get_reg / vfp_set_reg) ----------

  /**
   * KVM_REG_ARM_VFP_BASE_REG + n: d(n) of vfp_guest; -ENOENT beyond num_fp_regs() (16 on D16),
   * and for every VFP id without CONFIG_VFPv3 (the table is under #ifdef CONFIG_VFPv3).
   */
  private unitSlice(unit: number, reg: number): number {
    if (!this.o.vfpv3 || (!this.o.d32 && unit !== UNIT_VFP)) return -1;
    return this.hostSlice(-1, unit, reg);
  }

  userRead(vi: number, unit: number, reg: number, out: Uint8Array): number {
    const p = this.unitSlice(unit, reg);
    if (p >= 0) copySlice(this.guestArea[vi] as Uint8Array, out, p);
    return p;
  }

  userWrite(vi: number, unit: number, reg: number, src: Uint8Array): boolean {
    const p = this.unitSlice(unit, reg);
    if (p < 0) return false;
    copySlice(src, this.guestArea[vi] as Uint8Array, p);
    return true;
  }

  /** The control words of vfp_guest; FPSID/MVFR0/MVFR1 read the hardware (not vCPU state). */
  userGetRegister(vi: number, handle: number, out: Uint8Array): number {
    const p = this.userRegisterSlice(vi, handle);
    if (p < 0) return -1;
    const area = this.guestArea[vi] as Uint8Array;
    copySlice(area, out, p);
    // FPINST is meaningful only with EX, FPINST2 only with EX and FP2V: the stored word is
    // whatever the save left there, so it is not checked
    const fpexc = readU32(area, VFP_FPEXC);
    const off = p >>> 16;
    if (off === VFP_FPINST && !(fpexc & FPEXC_EX)) return -1;
    if (off === VFP_FPINST2 && (fpexc & (FPEXC_EX | FPEXC_FP2V)) !== (FPEXC_EX | FPEXC_FP2V))
      return -1;
    return p;
  }

  userRegisterSlice(_vi: number, handle: number): number {
    const off = this.o.vfpv3 ? (VFP_REGS[handle]?.[2] ?? -1) : -1;
    return off < 0 ? -1 : packSlice(off, 4);
  }

  /** vfp_set_reg: an ID register only accepts the hardware's value (-EINVAL otherwise). */
  userSetRegister(vi: number, handle: number, src: Uint8Array): boolean {
    const p = this.userRegisterSlice(vi, handle);
    if (p < 0) return false;
    copySlice(src, this.guestArea[vi] as Uint8Array, p);
    return true;
  }

  inspect(): Record<string, unknown> {
    const h = this.host;
    const name = (c: number) => (c >= 0 ? h.contextName(c) : null);
    const threads: Record<string, unknown> = {};
    for (let c = h.vcpus; c < h.contexts; c++) {
      const cpu = this.hardCpu[c] as number;
      // vfp_hard_struct.cpu exists under CONFIG_SMP only
      threads[h.contextName(c)] = this.o.smp ? { 'hard.cpu': cpu >= 0 ? cpu : 'NR_CPUS' } : {};
    }
    return {
      vcpus: this.guestArea.map((a, v) => ({
        cpu: this.vcpuCpu[v],
        'vfp_guest.fpexc': hex(readU32(a, VFP_FPEXC)),
        'vfp_guest.fpscr': hex(readU32(a, VFP_FPSCR)),
      })),
      cpus: Array.from(this.hcptr, (hcptr, c) => ({
        HCPTR: hex(hcptr),
        FPEXC: hex(this.fpexc(c)),
        guest_bank: name(this.guestBank[c] as number),
        vfp_current_hw_state: name(this.owner[c] as number),
      })),
      threads,
    };
  }
}

function copySlice(from: Uint8Array, to: Uint8Array, p: number): void {
  copyStrided(to, from, p >>> 16, 0, 1, p & 0xffff);
}
