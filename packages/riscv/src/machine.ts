/**
 * The machine (glue): core's hooks mapped onto the kernel functions of vcpu.c, vcpu_fp.c,
 * vcpu_vector.c, vcpu_exit.c and the host's switch_to.h / vector.h, plus the hardware's rules
 * for a guest FP/V instruction (RISC-V priv. spec, H extension, vsstatus: with V=1 both the
 * HS-level sstatus.FS and vsstatus.FS are in effect; either Off → illegal instruction; a write
 * makes both Dirty; the same for VS). What only non-`kvm` policies ask is in policy-paths.ts.
 */
import { type Machine, type MachineInit, type Slice, WRITE_USE_EXITS_SHIFT } from '@vfpu/core';
import {
  EXECUTES,
  type ExitRow,
  idOf,
  NO_EXIT,
  NOT_EXECUTED,
  RESUME_GUEST,
  ROOT_TRAP,
  readU32,
  takeExit,
  writeU32,
} from '@vfpu/core/backend-utils';
import { D_FCSR, D_SLICES, F_SLICES, VCSR } from './layout.js';
import { KIND_FP_D, KIND_FP_F, KIND_VECTOR, VREG0_NUM } from './onereg-ids.js';
import { parkAtExit, parkBeforeLoad, unparkOnLoad, unparkOnTrap } from './policy-paths.js';
import {
  DIRTY,
  FS_SHIFT,
  INITIAL,
  type Isa,
  NOWHERE,
  OFF,
  RiscvState,
  STATUS_NAMES,
  TRAP_PARKED,
  TRAP_REDIRECT,
  VS_SHIFT,
} from './state.js';
import { __switch_to_fpu } from './switch_to.js';
import { kvm_arch_vcpu_load, kvm_arch_vcpu_put, kvm_riscv_reset_vcpu } from './vcpu.js';
import { type IllegalCounters, kvm_riscv_vcpu_exit, riscvExitTable } from './vcpu_exit.js';
import { RiscvUserRegisters } from './vcpu_onereg.js';
import { __switch_to_vector } from './vector.js';

export interface RiscvOptions {
  readonly isa: Isa;
  readonly vlen: number;
  readonly redirectIllegal: boolean;
  readonly skipDirtySave: boolean;
}

const FS_MASK = 3 << FS_SHIFT;
const VS_MASK = 3 << VS_SHIFT;

/** One run's RISC-V machine (`createMachine`): the load/put FP and V switch of arch/riscv/kvm; exported for tests and tools that inspect it. */
export class RiscvMachine implements Machine {
  /** The machine's state: the guest ISA, the save areas, the FS/VS fields (sstatus, vsstatus) and the options and faults in force. */
  readonly m: RiscvState;
  private readonly fpUnit: number;
  private readonly exits: readonly ExitRow[];
  private readonly illegal: IllegalCounters;
  private readonly guestIllegal: number;
  private readonly fsOffTrap: number;
  private readonly vsOffTrap: number;
  private readonly fcsrId: number;
  private readonly vcsrId: number;
  private readonly vsstatusId: number;
  private readonly fpSlices: readonly Slice[];
  readonly userRegisters: RiscvUserRegisters;
  /** Before 6.17 a guest's illegal instruction (a unit it has not enabled) exits to KVM first. */
  private readonly illegalExits: boolean;

  constructor({ host, ids }: MachineInit, o: RiscvOptions) {
    this.fpUnit = idOf(ids.units, 'fp');
    const m = new RiscvState(
      host,
      { fp: this.fpUnit, v: idOf(ids.units, 'v') },
      o.isa,
      o.vlen,
      o.redirectIllegal,
      o.skipDirtySave,
    );
    this.m = m;
    this.illegalExits = o.redirectIllegal;
    this.fpSlices = o.isa.d || !o.isa.f ? D_SLICES : F_SLICES;
    this.exits = riscvExitTable(host, ids.exitReasons);
    this.illegal = {
      exits: host.counter('exits', 'exits'),
      illegal: host.counter('exits', 'instr_illegal_exits'),
    };
    this.guestIllegal = host.trapKind('illegal_instruction', 'guest');
    this.fsOffTrap = host.trapKind('illegal_insn_fs_off', 'root');
    this.vsOffTrap = host.trapKind('illegal_insn_vs_off', 'root');
    this.fcsrId = idOf(ids.controlRegisters, 'fcsr');
    this.vcsrId = idOf(ids.controlRegisters, 'vcsr');
    this.vsstatusId = idOf(ids.controlRegisters, 'vsstatus');
    for (let v = 0; v < host.vcpus; v++) {
      kvm_riscv_reset_vcpu(m, v);
      // the guest kernel has enabled what its ISA has (vsstatus.FS / VS = Initial)
      m.vsstatus[v] =
        (m.fs[v] === OFF ? 0 : INITIAL << FS_SHIFT) | (m.vs[v] === OFF ? 0 : INITIAL << VS_SHIFT);
    }
    // host tasks (VMM threads and others) start with FS / VS Initial (start_thread)
    for (let t = host.vcpus; t < host.contexts; t++) {
      m.fs[t] = INITIAL;
      m.vs[t] = INITIAL;
    }
    this.userRegisters = new RiscvUserRegisters(m);
  }

  private bit(unit: number): number {
    return unit === this.fpUnit ? this.m.FP : this.m.V;
  }

  guestEnabled(v: number): number {
    return this.enabledBy(this.m.vsstatus[v] as number);
  }
  /** The units a vsstatus of value `x` enables: FS and VS not Off, for the ISA the VM has. */
  private enabledBy(x: number): number {
    const m = this.m;
    return (
      (((x >>> FS_SHIFT) & 3) !== OFF && (m.isa.f || m.isa.d) ? m.FP : 0) |
      (((x >>> VS_SHIFT) & 3) !== OFF && m.isa.v ? m.V : 0)
    );
  }
  /**
   * csrw sstatus in VS-mode writes vsstatus without an exit (guestWrite below): only the enables
   * change; whether a disabled use exits first is the variant's (disabledUseExits).
   */
  guestWriteEffect(_v: number, _reg: number, values: Uint32Array): number {
    const exits = this.illegalExits ? (this.m.FP | this.m.V) << WRITE_USE_EXITS_SHIFT : 0;
    return this.enabledBy(values[this.vsstatusId] as number) | exits;
  }
  /** A use that executes marks vsstatus.FS (VS) Dirty (guestAccess below), for the slice model. */
  guestUseEffect(_v: number, unit: number, values: Uint32Array): void {
    const id = this.vsstatusId;
    values[id] = ((values[id] as number) | (unit === this.fpUnit ? FS_MASK : VS_MASK)) >>> 0;
  }
  /**
   * vcpu_load restores by the HS-level FS / VS (kvm_riscv_vcpu_guest_fp_restore,
   * kvm_riscv_vcpu_guest_vector_restore), which kvm_riscv_vcpu_fp_reset / _vector_reset set
   * Initial for what the VM's ISA has and the guest never turns Off (it writes vsstatus): a
   * load reaches those units whatever the guest's vsstatus.
   */
  preloadReach(): number {
    const m = this.m;
    return (m.isa.f || m.isa.d ? m.FP : 0) | (m.isa.v ? m.V : 0);
  }
  live(v: number): number {
    const m = this.m;
    const cpu = m.cpuOf[v] as number;
    if (cpu === NOWHERE) return 0;
    return (
      (m.fs[v] !== OFF && m.fpOwner[cpu] === v ? m.FP : 0) |
      (m.vs[v] !== OFF && m.vOwner[cpu] === v ? m.V : 0)
    );
  }

  kvm_arch_vcpu_load(v: number, cpu: number, preload: number): void {
    // what the guest enabled and the policy does not preload is left to a first-use trap (not Linux)
    const park = this.guestEnabled(v) & ~preload;
    if (park !== 0) parkBeforeLoad(this.m, v, park);
    kvm_arch_vcpu_load(this.m, v, cpu);
  }
  kvm_arch_vcpu_put(v: number): void {
    kvm_arch_vcpu_put(this.m, v);
  }
  /** kvm_arch_vcpu_ioctl_run does no FP work on RISC-V (the state was restored at load). */
  kvmRunBegin(): void {}
  kvmRunEnd(): void {}
  enter(v: number): void {
    const m = this.m;
    m.seen[v] = (m.seen[v] as number) | this.guestEnabled(v);
  }
  exit(v: number, reason: number, save: boolean) {
    if (save) parkAtExit(this.m, v);
    return takeExit(this.m.h, this.exits, reason);
  }

  disabledUseExits(): boolean {
    return this.illegalExits;
  }

  guestAccess(v: number, unit: number) {
    const m = this.m;
    if (m.redirected[v] === 1) {
      // kvm_riscv_vcpu_trap_redirect: the guest's own handler takes the illegal instruction
      m.redirected[v] = 0;
      m.h.count(this.guestIllegal);
      return NOT_EXECUTED;
    }
    const fp = unit === this.fpUnit;
    const hs = fp ? (m.fs[v] as number) : (m.vs[v] as number);
    const vs = fp ? m.vsFs(v) : m.vsVs(v);
    const bit = fp ? m.FP : m.V;
    if (vs !== OFF && hs === OFF && ((m.parked[v] as number) & bit) !== 0) {
      m.pendingTrap[v] = TRAP_PARKED;
      return ROOT_TRAP;
    }
    if (vs === OFF || hs === OFF) {
      // EXC_INST_ILLEGAL: delegated to VS-mode from 6.17, an exit to KVM before
      if (m.redirectIllegal) {
        m.pendingTrap[v] = TRAP_REDIRECT;
        return ROOT_TRAP;
      }
      m.h.count(this.guestIllegal);
      return NOT_EXECUTED;
    }
    // the instruction executes; the hardware marks FS (VS) Dirty at both levels (the spec lets
    // an implementation mark Dirty on any access: core does not say whether this one writes)
    if (fp) {
      m.fs[v] = DIRTY;
      m.vsstatus[v] = ((m.vsstatus[v] as number) | FS_MASK) >>> 0;
    } else {
      m.vs[v] = DIRTY;
      m.vsstatus[v] = ((m.vsstatus[v] as number) | VS_MASK) >>> 0;
    }
    return EXECUTES;
  }
  handleTrap(v: number, unit: number, grant: number) {
    const m = this.m;
    const kind = m.pendingTrap[v] as number;
    m.pendingTrap[v] = 0;
    if (kind === TRAP_REDIRECT) return kvm_riscv_vcpu_exit(m, v, this.illegal);
    const bit = this.bit(unit);
    m.h.count(bit === m.FP ? this.fsOffTrap : this.vsOffTrap);
    unparkOnTrap(m, v, bit, grant);
    return RESUME_GUEST;
  }
  load(v: number, units: number): void {
    unparkOnLoad(this.m, v, units);
  }
  slice(_v: number, unit: number, reg: number): Slice {
    return (unit === this.fpUnit ? this.fpSlices[reg] : this.m.vRegs[reg]) as Slice;
  }
  guestRead(v: number, reg: number): number {
    const m = this.m;
    if (reg === this.vsstatusId) return m.vsstatus[v] as number;
    const cpu = m.cpuOf[v] as number;
    if (cpu === NOWHERE) return 0;
    return readU32(m.h.registerFile[cpu] as Uint8Array, reg === this.fcsrId ? D_FCSR : VCSR);
  }
  guestWrite(v: number, reg: number, value: number) {
    const m = this.m;
    if (reg === this.vsstatusId) {
      // csrw sstatus in VS-mode writes vsstatus: no exit; the HS-level copy is untouched
      m.vsstatus[v] = value >>> 0;
      return NO_EXIT;
    }
    const cpu = m.cpuOf[v] as number;
    // fscsr / csrw vcsr executed (core ran the instruction's check): the register takes the value
    if (cpu !== NOWHERE)
      writeU32(m.h.registerFile[cpu] as Uint8Array, reg === this.vcsrId ? VCSR : D_FCSR, value);
    return NO_EXIT;
  }

  inspect(): Record<string, unknown> {
    const m = this.m;
    const vcpus = Array.from({ length: m.h.vcpus }, (_, v) => ({
      sstatusFS: STATUS_NAMES[m.fs[v] as number],
      sstatusVS: STATUS_NAMES[m.vs[v] as number],
      vsstatusFS: STATUS_NAMES[m.vsFs(v)],
      vsstatusVS: STATUS_NAMES[m.vsVs(v)],
      parked: m.parked[v],
      cpu: m.cpuOf[v],
    }));
    const tasks = Array.from({ length: m.h.contexts - m.h.vcpus }, (_, i) => ({
      name: m.h.contextName(m.h.vcpus + i),
      FS: STATUS_NAMES[m.fs[m.h.vcpus + i] as number],
      VS: STATUS_NAMES[m.vs[m.h.vcpus + i] as number],
    }));
    return {
      vcpus,
      tasks,
      fpOwner: Array.from(m.fpOwner),
      vOwner: Array.from(m.vOwner),
    };
  }

  /** Userspace by unit: the ONE_REG id of register `reg` (FP_D with D, else FP_F; VECTOR). */
  private handle(unit: number, reg: number): number {
    if (unit !== this.fpUnit) return (KIND_VECTOR << 8) | (VREG0_NUM + reg);
    return ((this.m.isa.d ? KIND_FP_D : KIND_FP_F) << 8) | reg;
  }
  /** Capability group `uapi`: userspace access by unit and register, through ONE_REG. */
  readonly uapi = {
    /** ONE_REG KVM_GET_ONE_REG of register `reg` of `unit` (FP_F/FP_D or VECTOR). */
    userRead: (v: number, unit: number, reg: number, out: Uint8Array): Slice | null =>
      this.userRegisters.getRegister(v, this.handle(unit, reg), out),
    /** ONE_REG KVM_SET_ONE_REG of register `reg` of `unit`. */
    userWrite: (v: number, unit: number, reg: number, src: Uint8Array): boolean =>
      this.userRegisters.setRegister(v, this.handle(unit, reg), src),
  };

  /** hostThreads.kernelFpu below: a `kernel-fpu` does nothing here. */
  readonly kernelFpuIgnored = true;
  /** Capability group `hostThreads`: host threads using F/D and V, and the host's sstatus.FS/VS. */
  readonly hostThreads = {
    /** The host scheduler's switch on `cpu` from `prev` to `next` (null: idle): the host's lazy FPU handling of the outgoing and incoming threads. */
    hostSwitch: (cpu: number, prev: number | null, next: number | null): void => {
      const m = this.m;
      const p = prev !== null && m.h.isVcpu(prev) ? null : prev;
      const n = next !== null && m.h.isVcpu(next) ? null : next;
      __switch_to_fpu(m, p, n, cpu);
      __switch_to_vector(m, p, n, cpu);
    },
    /** A host thread's FP/SIMD instruction: its trap and restore when the unit is not live; true when it executes. */
    hostUse: (cpu: number, thread: number, unit: number): boolean => {
      const m = this.m;
      const fp = unit === this.fpUnit;
      // a running task's state is in the registers (restored at its switch_to)
      if (fp && m.fpOwner[cpu] !== thread) __switch_to_fpu(m, null, thread, cpu);
      if (!fp && m.vOwner[cpu] !== thread) __switch_to_vector(m, null, thread, cpu);
      if (fp) m.fs[thread] = DIRTY;
      else m.vs[thread] = DIRTY;
      return true;
    },
    /** Where register `reg` of `unit` lives in a host thread's saved image. */
    hostSlice: (_thread: number, unit: number, reg: number): Slice =>
      (unit === this.fpUnit ? D_SLICES[reg] : this.m.vRegs[reg]) as Slice,
    /** Deviation: kernel_vector_begin (and the FP-in-kernel API) are not modelled. */
    kernelFpu: (): boolean => false,
  };
}
