/**
 * The machine (glue): the hardware's check of a guest FP/SIMD instruction against the guest's
 * and the root's CSR.EUEN, the hooks core calls, and their mapping onto the kernel routines of
 * vcpu.c, exit.c, switch.S and kernel/fpu.S.
 */
import {
  type GuestWriteResult,
  type Machine,
  type MachineInit,
  type Resume,
  type Slice,
  WRITE_USE_EXITS_SHIFT,
} from '@vfpu/core';
import {
  EXECUTES,
  type ExitRow,
  exitTable,
  idOf,
  NO_EXIT,
  NOT_EXECUTED,
  RESUME_GUEST,
  RESUME_HOST,
  ROOT_TRAP,
  readU32,
  takeExit,
  writeU32,
} from '@vfpu/core/backend-utils';
import { lose_fpu_inatomic } from './asm-fpu.js';
import { lose_lbt_inatomic } from './asm-lbt.js';
import { kvm_handle_fault } from './exit.js';
import {
  CSR_EUEN_FPEN,
  CSR_EUEN_LASXEN,
  CSR_EUEN_LBTEN,
  CSR_EUEN_LSXEN,
  EXCCODE_BTDIS,
  EXCCODE_FPDIS,
  EXCCODE_LASXDIS,
  EXCCODE_LSXDIS,
  FCSR_OFFSET,
  FPR_SLICES,
  FPU_CSR_TM,
  LBT_SLICES,
  UAPI_SLICES,
  VR_SLICES,
  XR_SLICES,
} from './layout.js';
import { policyLoad, policySaveAtExit, policyTrap } from './policy-paths.js';
import { type GuestFeatures, LoongState, NOWHERE } from './state.js';
import { do_fpu, do_lasx, do_lbt, do_lsx } from './traps.js';
import {
  kvm_arch_vcpu_ioctl_get_fpu,
  kvm_arch_vcpu_ioctl_set_fpu,
  kvm_arch_vcpu_load,
  kvm_arch_vcpu_put,
  kvm_get_one_reg_lbt,
  kvm_handle_exit,
  kvm_late_check_requests,
  kvm_set_one_reg_lbt,
} from './vcpu.js';

export interface LoongOptions {
  readonly has: GuestFeatures;
  readonly guestEuen: number;
  readonly auxLoad: boolean;
  readonly quirks: 'kernel' | 'fixed';
  readonly faults: readonly string[];
}

/** One run's LoongArch machine (`createMachine`): EUEN, `aux_inuse`, the own/lose routines and the exits of arch/loongarch/kvm; exported for tests and tools that inspect it. */
export class LoongMachine implements Machine {
  private readonly s: LoongState;
  /** Per unit id: the root EUEN bit, the guest EUEN bit, the Ecode, the closure mask, slices. */
  private readonly rootBit: Uint8Array;
  private readonly ecodeOf: Uint8Array;
  private readonly closure: Int32Array;
  private readonly slices: (readonly Slice[])[];
  private readonly traps: Int32Array;
  private readonly euenReg: number;
  private readonly lbt: number;
  private readonly hostTraps: Int32Array;
  private readonly exits: readonly ExitRow[];
  /** Fault `fpdis-while-live`: per vCPU, where the one spurious FPDIS stands (0 = done). */
  private readonly spuriousFpdis: Uint8Array;
  private readonly fpu: number;

  constructor({ host, ids, options }: MachineInit) {
    const o = options as unknown as LoongOptions;
    const fpu = idOf(ids.units, 'fpu');
    const lsx = idOf(ids.units, 'lsx');
    const lasx = idOf(ids.units, 'lasx');
    const lbt = idOf(ids.units, 'lbt');
    this.lbt = lbt;
    this.fpu = fpu;
    this.spuriousFpdis = new Uint8Array(host.vcpus).fill(
      o.faults.includes('fpdis-while-live') ? 1 : 0,
    );
    this.s = new LoongState(
      host,
      { fpu, lsx, lasx, lbt },
      {
        has: o.has,
        auxLoad: o.auxLoad,
        uapiBytes: o.quirks === 'fixed' ? 32 : 4,
        faultLasxSave: o.faults.includes('lasx-save-low-half'),
        loseLbtAtRun: o.quirks === 'fixed',
      },
      o.guestEuen,
    );
    const n = Object.keys(ids.units).length;
    this.rootBit = new Uint8Array(n);
    this.ecodeOf = new Uint8Array(n);
    this.closure = new Int32Array(n);
    this.slices = [];
    this.rootBit[fpu] = CSR_EUEN_FPEN;
    this.rootBit[lsx] = CSR_EUEN_LSXEN;
    this.rootBit[lasx] = CSR_EUEN_LASXEN;
    this.rootBit[lbt] = CSR_EUEN_LBTEN;
    this.ecodeOf[lbt] = EXCCODE_BTDIS;
    this.closure[lbt] = 1 << lbt;
    this.slices[lbt] = LBT_SLICES;
    this.ecodeOf[fpu] = EXCCODE_FPDIS;
    this.ecodeOf[lsx] = EXCCODE_LSXDIS;
    this.ecodeOf[lasx] = EXCCODE_LASXDIS;
    this.closure[fpu] = 1 << fpu;
    this.closure[lsx] = (1 << fpu) | (1 << lsx);
    this.closure[lasx] = (1 << fpu) | (1 << lsx) | (1 << lasx);
    this.slices[fpu] = FPR_SLICES;
    this.slices[lsx] = VR_SLICES;
    this.slices[lasx] = XR_SLICES;
    this.traps = new Int32Array(32);
    this.traps[EXCCODE_FPDIS] = host.trapKind('EXCCODE_FPDIS', 'root');
    this.traps[EXCCODE_LSXDIS] = host.trapKind('EXCCODE_LSXDIS', 'root');
    this.traps[EXCCODE_LASXDIS] = host.trapKind('EXCCODE_LASXDIS', 'root');
    this.traps[EXCCODE_BTDIS] = host.trapKind('EXCCODE_BTDIS', 'root');
    this.hostTraps = new Int32Array(n);
    this.hostTraps[fpu] = host.trapKind('do_fpu', 'host');
    this.hostTraps[lsx] = host.trapKind('do_lsx', 'host');
    this.hostTraps[lasx] = host.trapKind('do_lasx', 'host');
    this.hostTraps[lbt] = host.trapKind('do_lbt', 'host');
    this.euenReg = idOf(ids.controlRegisters, 'EUEN');
    const row = (text: string, counter: string, resume: Resume = RESUME_GUEST): ExitRow => ({
      text,
      counters: [host.counter('exits', counter)],
      resume,
    });
    this.exits = exitTable(ids.exitReasons, {
      mmio: row('exit: MMIO for userspace (KVM_EXIT_MMIO)', 'mmio_exits', RESUME_HOST),
      irq: row('exit: interrupt (Ecode 0, int_exits)', 'int_exits'),
      hlt: row('exit: idle (kvm_emu_idle, idle_exits)', 'idle_exits'),
      hypercall: row('exit: hypercall (kvm_handle_hypercall)', 'hypercall_exits'),
      signal: row('exit: a signal is pending (KVM_EXIT_INTR)', 'signal_exits', RESUME_HOST),
      other: row('exit: handled in the kernel (e.g. GSPR)', 'other_exits'),
    });
  }

  // ---- state ----
  guestEnabled(v: number): number {
    return this.enabledBy(this.s.guestEuen[v] as number);
  }
  /** The units a guest EUEN of value `g` enables, of those the VM has. */
  private enabledBy(g: number): number {
    const s = this.s;
    return (
      (g & CSR_EUEN_FPEN && s.has.fp ? s.fpuBit : 0) |
      (g & CSR_EUEN_LSXEN && s.has.lsx ? s.lsxBit : 0) |
      (g & CSR_EUEN_LASXEN && s.has.lasx ? s.lasxBit : 0) |
      (g & CSR_EUEN_LBTEN && s.has.lbt ? s.lbtBit : 0)
    );
  }
  /**
   * kvm_own_fpu / _lsx / _lasx begin with kvm_check_fcsr on the saved FCSR0: with TM set the FTOP
   * save needs LBT, owned first (kvm_own_lbt). Read at a slice's start, for a plan.
   */
  alsoLoads(v: number, unit: number): number {
    const s = this.s;
    if (!((s.fpuBit | s.lsxBit | s.lasxBit) & (1 << unit))) return 0;
    return readU32(s.fpu[v] as Uint8Array, FCSR_OFFSET) & FPU_CSR_TM ? s.lbtBit : 0;
  }
  /** kvm_check_fcsr reads FCSR0.TM alone: LBT along whatever the VM's LBT and the guest's EUEN. */
  alsoLoadsAlways(): number {
    return this.s.lbtBit;
  }
  live(v: number): number {
    const s = this.s;
    return s.cpuOf[v] === NOWHERE ? 0 : s.unitsOf(s.aux[v] as number);
  }

  // ---- lifecycle ----
  kvm_arch_vcpu_load(v: number, cpu: number): void {
    kvm_arch_vcpu_load(this.s, v, cpu);
  }
  kvm_arch_vcpu_put(v: number): void {
    kvm_arch_vcpu_put(this.s, v);
  }
  /**
   * kvm_arch_vcpu_ioctl_run: lose_fpu(1) saves the VMM thread's FP/SIMD and disables it. The
   * kernel has no lose_lbt(1) here: a VMM thread's live LBT stays enabled (quirks "fixed" adds it).
   */
  kvmRunBegin(v: number): void {
    const s = this.s;
    const t = s.h.vmmThread(v);
    if (s.usedFpu[t] === 1) {
      if (s.h.trace.on) s.h.trace.fn(0, 'lose_fpu', '(1): kvm_arch_vcpu_ioctl_run');
      lose_fpu_inatomic(s, true, t);
    }
    if (s.loseLbtAtRun && s.usedLbt[t] === 1) {
      if (s.h.trace.on) s.h.trace.fn(0, 'lose_lbt', '(1): not Linux (quirks "fixed")');
      lose_lbt_inatomic(s, true, t);
    }
  }
  kvmRunEnd(): void {}
  /** kvm_pre_enter_guest: kvm_deliver_exception, then kvm_late_check_requests (IRQs off). */
  enter(v: number): void {
    const s = this.s;
    if (s.ineQueued[v] === 1) {
      s.ineQueued[v] = 0;
      s.ineTaken[v] = 1;
    }
    if (s.auxLoad) kvm_late_check_requests(s, v);
  }
  exit(v: number, reason: number, save: boolean): Resume {
    if (save) policySaveAtExit(this.s, v);
    return takeExit(this.s.h, this.exits, reason);
  }

  // ---- guest FP/SIMD ----
  /** A unit the VM lacks but the guest's EUEN enables: the disabled exception reaches KVM. */
  disabledUseExits(v: number, unit: number): boolean {
    return ((this.s.guestEuen[v] as number) & (this.rootBit[unit] as number)) !== 0;
  }

  /**
   * LBT: with the root EUEN.LBTEN set (kvm_own_lbt, which kvm_check_fcsr calls whatever the VM's
   * LBT) the guest's instruction executes (guestAccess) instead of exiting to
   * kvm_handle_lbt_disabled. A unit of FPU / LSX / LASX the VM lacks is never live (the
   * handlers check the CPUCFG before any kvm_own_*; policy-paths.ts clamps to it).
   */
  disabledUseRunsLive(): number {
    return this.s.lbtBit;
  }

  /**
   * EUEN is a GCSR the guest writes without an exit (guestWrite below; kvm_arch_vcpu_load
   * restores it with kvm_restore_hw_gcsr): only the enables change, and which units the VM lacks
   * that a disabled use of exits for (disabledUseExits).
   */
  guestWriteEffect(_v: number, _reg: number, values: Uint32Array): number {
    const g = values[this.euenReg] as number;
    let exits = 0;
    for (let u = 0; u < this.rootBit.length; u++)
      if ((g & (this.rootBit[u] as number)) !== 0) exits |= 1 << u;
    return this.enabledBy(g) | (exits << WRITE_USE_EXITS_SHIFT);
  }

  guestAccess(v: number, unit: number): 0 | 1 | 2 {
    const s = this.s;
    if (s.ineTaken[v] === 1) {
      s.ineTaken[v] = 0; // the guest takes the injected INE instead of the instruction
      return NOT_EXECUTED;
    }
    const bit = this.rootBit[unit] as number;
    // the guest's own EUEN (FPE / SXE / ASXE use the same bit positions): its own exception
    if (((s.guestEuen[v] as number) & bit) === 0) return NOT_EXECUTED;
    if (((s.euen[s.cpuOf[v] as number] as number) & bit) !== 0) {
      // fault fpdis-while-live: 1 = armed by the next FP instruction that executes, 2 = the
      // following one takes FPDIS although EUEN.FPE is set (never the re-executed instruction)
      const spurious = unit === this.fpu ? (this.spuriousFpdis[v] as number) : 0;
      if (spurious !== 2) {
        if (spurious === 1) this.spuriousFpdis[v] = 2;
        return EXECUTES;
      }
      this.spuriousFpdis[v] = 0;
    }
    s.ecode[v] = this.ecodeOf[unit] as number; // ESTAT.Ecode, read from host_estat
    return ROOT_TRAP;
  }
  handleTrap(v: number, unit: number, grant: number): Resume {
    const s = this.s;
    const ecode = s.ecode[v] as number;
    s.h.count(this.traps[ecode] as number);
    kvm_handle_exit(s, v, ecode);
    if ((grant & ~(this.closure[unit] as number)) !== 0) return policyTrap(s, v, ecode, grant);
    return kvm_handle_fault(s, v, ecode);
  }
  load(v: number, units: number): void {
    policyLoad(this.s, v, units);
  }
  slice(_v: number, unit: number, reg: number): Slice {
    return this.slices[unit]?.[reg] as Slice;
  }
  guestRead(v: number, reg: number): number {
    const s = this.s;
    if (reg === this.euenReg) return s.guestEuen[v] as number;
    const cpu = s.cpuOf[v] as number;
    return readU32(cpu === NOWHERE ? (s.fpu[v] as Uint8Array) : s.hw(v), FCSR_OFFSET);
  }
  guestWrite(v: number, reg: number, value: number): GuestWriteResult {
    const s = this.s;
    if (reg === this.euenReg)
      s.guestEuen[v] = value >>> 0; // a GCSR: no exit
    else writeU32(s.hw(v), FCSR_OFFSET, value); // movgr2fcsr (core ran its FPDIS trap first)
    return NO_EXIT;
  }
  inspect(): Record<string, unknown> {
    const s = this.s;
    return {
      aux_inuse: Array.from(s.aux),
      aux_ldtype: Array.from(s.auxLdtype),
      euen: Array.from(s.euen),
      guestEuen: Array.from(s.guestEuen),
    };
  }

  // ---- host threads: asm/fpu.h and kernel/traps.c ----
  /** Capability group `hostThreads`: host threads, the host's lazy FPU (asm/fpu.h, kernel/traps.c). */
  readonly hostThreads = {
    /** The host scheduler's switch on `cpu` from `prev` to `next` (null: idle): the host's lazy FPU handling of the outgoing and incoming threads. */
    hostSwitch: (cpu: number, prev: number | null, next: number | null): void => {
      const s = this.s;
      // switch_to(prev, next): lose_fpu_inatomic(1, prev); lose_lbt_inatomic(1, prev)
      if (prev !== null && !s.h.isVcpu(prev) && s.cpuOf[prev] === cpu) {
        lose_fpu_inatomic(s, true, prev);
        lose_lbt_inatomic(s, true, prev);
        s.cpuOf[prev] = NOWHERE;
      }
      if (next !== null && !s.h.isVcpu(next)) {
        if (s.cpuOf[next] !== cpu) {
          lose_fpu_inatomic(s, true, next);
          lose_lbt_inatomic(s, true, next);
        }
        s.cpuOf[next] = cpu;
      }
    },
    /** A host thread's FP/SIMD instruction: its trap and restore when the unit is not live; true when it executes. */
    hostUse: (cpu: number, thread: number, unit: number): boolean => {
      const s = this.s;
      if (s.cpuOf[thread] !== cpu) {
        lose_fpu_inatomic(s, true, thread); // switch_to on the pCPU it left
        lose_lbt_inatomic(s, true, thread);
        s.cpuOf[thread] = cpu;
      }
      const bit = this.rootBit[unit] as number;
      const owner = bit === CSR_EUEN_LBTEN ? s.usedLbt[thread] : s.usedFpu[thread];
      if (owner === 1 && ((s.euen[cpu] as number) & bit) !== 0) return true;
      s.h.count(this.hostTraps[unit] as number);
      if (bit === CSR_EUEN_FPEN) do_fpu(s, thread);
      else if (bit === CSR_EUEN_LSXEN) do_lsx(s, thread);
      else if (bit === CSR_EUEN_LASXEN) do_lasx(s, thread);
      else do_lbt(s, thread);
      return true;
    },
    /** Where register `reg` of `unit` lives in a host thread's saved image. */
    hostSlice: (_t: number, unit: number, reg: number): Slice => this.slices[unit]?.[reg] as Slice,
    /** kernel_fpu_begin / kernel_fpu_end (kernel/kfpu.c) are not modelled. */
    kernelFpu: (): boolean => false,
  };
  /** hostThreads.kernelFpu above: a `kernel-fpu` does nothing here. */
  readonly kernelFpuIgnored = true;

  // ---- by register: KVM_GET_FPU / KVM_SET_FPU (fpu, lsx, lasx), ONE_REG LBT (lbt) ----
  /** Capability group `uapi`: userspace access by unit and register. */
  readonly uapi = {
    /** KVM_GET_FPU (fpu, lsx, lasx) or ONE_REG (lbt) for register `reg` of `unit`. */
    userRead: (v: number, unit: number, reg: number, out: Uint8Array): Slice | null => {
      const s = this.s;
      if (unit === this.lbt) return kvm_get_one_reg_lbt(s, v, reg, out);
      const n = kvm_arch_vcpu_ioctl_get_fpu(s, v, reg, out);
      // the register's bytes when all were copied, else the 4 the kernel returns
      return (n === 32 ? this.slices[unit]?.[reg] : UAPI_SLICES[reg]) as Slice;
    },
    /** KVM_SET_FPU (fpu, lsx, lasx) or ONE_REG (lbt) for register `reg` of `unit`. */
    userWrite: (v: number, unit: number, reg: number, src: Uint8Array): boolean => {
      const s = this.s;
      if (unit === this.lbt) return kvm_set_one_reg_lbt(s, v, reg, src);
      const p = this.slices[unit]?.[reg] as Slice;
      kvm_arch_vcpu_ioctl_set_fpu(s, v, reg, src, p.length);
      return true;
    },
  };
}
