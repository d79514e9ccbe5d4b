/**
 * The MIPS VZ machine state: root CP0 per pCPU, guest CP0 (gc0) and `vcpu->arch` per vCPU,
 * and the host threads' `thread.fpu` with their TIF flags. All allocated once per run.
 */
import type { CounterId, MachineHost, MachineIds, OpDirection } from '@vfpu/core';
import { MipsIds } from './ids.js';
import {
  KVM_MIPS_AUX_FPU,
  KVM_MIPS_AUX_LASX,
  KVM_MIPS_AUX_MSA,
  MIPS_CONF_LASXEN,
  MIPS_CONF1_FP,
  MIPS_CONF3_MSA,
  MIPS_CONF5_FRE,
  MIPS_CONF5_MSAEN,
  ST0_CU1,
  ST0_CU2,
  ST0_FR,
} from './regs.js';
import { MipsSlices } from './slices.js';

/** Deliberately broken mechanisms, to show that the state oracle catches them. */
export const FAULTS = {
  /** kvm_own_msa leaves MSA's upper halves stale when the FPU is live. */
  'skip-msa-upper-restore': 'kvm_own_msa with the FPU live does not call __kvm_restore_msa_upper',
  /** kvm_lose_fpu saves only the scalar FPU. */
  'save-fpu-only':
    'kvm_lose_fpu saves only the scalar FPU (__kvm_save_fpu) even when MSA or LASX is live',
  /** KVM_RUN skips the VMM thread's lose_fpu(1). */
  'skip-vmm-lose-fpu': "KVM_RUN forgets lose_fpu(1): the VMM thread's live FP state is not saved",
  /** The re-entry tail skips __kvm_restore_fcsr. */
  'skip-fcsr-restore':
    'the re-entry tail skips __kvm_restore_fcsr: the guest resumes with the FCSR the exit stub zeroed',
} as const;
export type Fault = keyof typeof FAULTS;

export interface MipsOptions {
  /** KVM_CAP_MIPS_FPU enabled by userspace. */
  readonly fpu: boolean;
  /** KVM_CAP_MIPS_MSA enabled by userspace. */
  readonly msa: boolean;
  /** Initial guest CP0 values (after userspace set them through ONE_REG). */
  readonly guestStatus: number;
  readonly guestConfig1: number;
  readonly guestConfig3: number;
  readonly guestConfig5: number;
  /** Host FIR.F64 (`boot_cpu_data.fpu_id & MIPS_FPIR_F64`). */
  readonly hostF64: boolean;
  /** cpu_has_fre, cpu_has_ufr. */
  readonly cpuHasFre: boolean;
  readonly cpuHasUfr: boolean;
  readonly quirks: 'kernel' | 'fixed';
  /** kvm_vz_num_regs(): the VZ CP0 ids in KVM_GET_REG_LIST. */
  readonly vzRegs: number;
  readonly faults: Readonly<Record<Fault, boolean>>;
  /** Bytes of one `union fpureg`: 16 (CONFIG_CPU_HAS_MSA), 32 (Loongson CONFIG_CPU_HAS_LASX). */
  readonly slot: number;
  /** cpu_has_lasx: the Loongson kernel with the LASX paths (LS-mips, LS-vz). */
  readonly cpuHasLasx: boolean;
  /** kvm->arch.cpucfg_lasx (CPUCFG word 1 bit 12, read at VM creation). */
  readonly cpucfgLasx: boolean;
  /** Initial gc0 Config (16.0): LASXEn as the hardware holds it at vcpu setup. */
  readonly guestConfig: number;
}

export const NUM_FPU_REGS = 32;
/** `struct mips_fpu_struct`: fpr[32] of `slot` bytes, then fcr31, then msacsr. */
export function fpuStructBytes(slot: number): number {
  return NUM_FPU_REGS * slot + 8;
}

export class Vcpu {
  // guest CP0 (gc0): live hardware registers while loaded; the kernel reads them with read_gc0_*
  status: number;
  config: number;
  config1: number;
  config3: number;
  config5: number;
  /** vcpu->arch.aux_inuse */
  aux = 0;
  /** vcpu->cpu */
  cpu = -1;
  /**
   * vcpu->arch.host_cp0_cause, the part the handlers read: Cause.ExcCode of the last root trap
   * guestAccess reported (EXCCODE_CPU, EXCCODE_MSADIS, or Loongson EXCCODE_LASX with GSCause
   * LASX disabled), latched for handleTrap.
   */
  hostCp0Cause = 0;
  /** The last KVM_GET_REG_LIST: the count reported (−1: none yet) and the ids written. */
  readonly regList = { n: -1, written: 0 };
  /** vcpu->arch.fpu: the save area, laid out as struct mips_fpu_struct */
  readonly fpu: Uint8Array;
  constructor(o: MipsOptions) {
    this.fpu = new Uint8Array(fpuStructBytes(o.slot));
    this.status = o.guestStatus;
    this.config = o.guestConfig;
    this.config1 = o.guestConfig1;
    this.config3 = o.guestConfig3;
    this.config5 = o.guestConfig5;
  }
}

export class Cpu {
  /** Root CP0 Status, Config (LASXEn) and Config5 (only the FPU-relevant bits are modelled). */
  status = 0;
  config = 0;
  config5 = 0;
  /** Context whose KVM_RUN is on this pCPU (vcpu index), or −1. */
  vcpu = -1;
}

export class HostThread {
  /** TIF_USEDFPU: the FP registers of the pCPU it runs on hold its state. */
  usedFpu = false;
  /** TIF_USEDMSA */
  usedMsa = false;
  /** TIF_MSA_CTX_LIVE */
  msaCtxLive = false;
  /** used_math(): the FP context has been initialised (init_fp_ctx ran). */
  usedMath = false;
  /** thread.fpu */
  readonly fpu: Uint8Array;
  constructor(slot: number) {
    this.fpu = new Uint8Array(fpuStructBytes(slot));
  }
}

/** Everything the kernel routines work on. */
export class MipsVz {
  readonly o: MipsOptions;
  readonly host: MachineHost;
  readonly vcpus: Vcpu[];
  readonly cpus: Cpu[];
  /** Host threads by context index (vCPU contexts have no entry). */
  readonly threads: Array<HostThread | undefined>;
  /** Counters, trap kinds and routines registered with core. */
  readonly counters: Counters;
  /** The ids core gave the variant's names (units, control registers, exit reasons). */
  readonly ids: MipsIds;
  /** Where every register lives (register file and save areas). */
  readonly slices: MipsSlices;

  constructor(host: MachineHost, o: MipsOptions, ids: MachineIds) {
    this.o = o;
    this.host = host;
    this.vcpus = Array.from({ length: host.vcpus }, () => new Vcpu(o));
    this.cpus = Array.from({ length: host.cpus }, () => new Cpu());
    this.threads = Array.from({ length: host.contexts }, (_, c) =>
      host.isVcpu(c) ? undefined : new HostThread(o.slot),
    );
    this.counters = registerCounters(host, o.cpuHasLasx);
    this.ids = new MipsIds(ids);
    this.slices = new MipsSlices(o.slot, this.ids);
  }

  /** The register file of the pCPU vCPU `v` is loaded on. */
  hardware(v: Vcpu): Uint8Array {
    return this.host.registerFile[v.cpu] as Uint8Array;
  }

  get trace(): MachineHost['trace'] {
    return this.host.trace;
  }

  /** kvm_mips_guest_has_fpu: capability enabled, host FPU, and live gc0 Config1.FP. */
  guestHasFpu(v: Vcpu): boolean {
    return this.o.fpu && (v.config1 & MIPS_CONF1_FP) !== 0;
  }

  /** kvm_mips_guest_has_msa: capability enabled, host MSA, and live gc0 Config3.MSAP. */
  guestHasMsa(v: Vcpu): boolean {
    return this.o.msa && (v.config3 & MIPS_CONF3_MSA) !== 0;
  }

  /** change_c0_status(mask, value) on pCPU `cpu`: one mtc0 when the value changes. */
  changeStatus(cpu: number, mask: number, value: number, depth: number): void {
    const c = this.cpus[cpu] as Cpu;
    const next = ((c.status & ~mask) | (value & mask)) >>> 0;
    if (next === c.status) return;
    if (this.trace.on)
      this.trace.line(
        depth,
        `root Status ${bits(c.status, STATUS_NAMES)} → ${bits(next, STATUS_NAMES)}`,
      );
    c.status = next;
    this.host.control(1);
  }

  /** LS-vz kvm_mips_guest_has_lasx: cpu_has_lasx && msa_enabled && cpucfg_lasx (not Config3.MSAP). */
  guestHasLasx(_v: Vcpu): boolean {
    return this.o.cpuHasLasx && this.o.msa && this.o.cpucfgLasx;
  }

  /** change_c0_config(mask, value) on pCPU `cpu` (Loongson LASXEn). */
  changeConfig(cpu: number, mask: number, value: number, depth: number): void {
    const c = this.cpus[cpu] as Cpu;
    const next = ((c.config & ~mask) | (value & mask)) >>> 0;
    if (next === c.config) return;
    if (this.trace.on) {
      const bit = (x: number) => (x & MIPS_CONF_LASXEN ? 1 : 0);
      this.trace.line(depth, `root Config {LASXEn=${bit(c.config)}} → {LASXEn=${bit(next)}}`);
    }
    c.config = next;
    this.host.control(1);
  }

  /** change_c0_config5(mask, value) on pCPU `cpu`. */
  changeConfig5(cpu: number, mask: number, value: number, depth: number): void {
    const c = this.cpus[cpu] as Cpu;
    // without FIR.FREP (cpu_has_fre) Config5.FRE is not implemented and stays 0
    if (!this.o.cpuHasFre) value &= ~MIPS_CONF5_FRE;
    const next = ((c.config5 & ~mask) | (value & mask)) >>> 0;
    if (next === c.config5) return;
    if (this.trace.on)
      this.trace.line(
        depth,
        `root Config5 ${bits(c.config5, CONFIG5_NAMES)} → ${bits(next, CONFIG5_NAMES)}`,
      );
    c.config5 = next;
    this.host.control(1);
  }

  setAux(v: Vcpu, next: number, depth: number): void {
    if (next === v.aux) return;
    if (this.trace.on) this.trace.line(depth, `aux_inuse ${auxName(v.aux)} → ${auxName(next)}`);
    v.aux = next;
  }
}

/** Counter, trap and routine ids registered with core; order fixes the report's key order. */
export interface Counters {
  readonly cop_unusable_exits: CounterId;
  readonly msa_disabled_exits: CounterId;
  readonly lasx_disabled_exits: CounterId;
  readonly vz_gsfc_exits: CounterId;
  readonly int_exits: CounterId;
  readonly wait_exits: CounterId;
  readonly vz_gpsi_exits: CounterId;
  readonly tlbmiss_ld_exits: CounterId;
  readonly vz_hc_exits: CounterId;
  readonly signal_exits: CounterId;
  readonly trapCpu: CounterId;
  readonly trapMsaDis: CounterId;
  readonly trapLasxDis: CounterId;
  readonly guestLasxDis: CounterId;
  readonly guestCpu: CounterId;
  readonly guestMsaDis: CounterId;
  readonly guestRi: CounterId;
  readonly hostCpu: CounterId;
  readonly hostMsaDis: CounterId;
  readonly KVM_EXIT_MMIO: CounterId;
  readonly KVM_EXIT_INTR: CounterId;
  readonly KVM_EXIT_INTERNAL_ERROR: CounterId;
  readonly KVM_EXIT_UNKNOWN: CounterId;
  readonly oneRegEinval: CounterId;
  readonly gsexcUnhandled: CounterId;
  readonly dieFp: CounterId;
  readonly dieMsaFp: CounterId;
  readonly guestFpe: CounterId;
  readonly guestMsaFpe: CounterId;
  readonly __kvm_save_fpu: CounterId;
  readonly __kvm_restore_fpu: CounterId;
  readonly __kvm_save_msa: CounterId;
  readonly __kvm_restore_msa: CounterId;
  readonly __kvm_restore_msa_upper: CounterId;
  readonly __kvm_save_lasx: CounterId;
  readonly __kvm_restore_lasx: CounterId;
  readonly __kvm_restore_lasx_upper: CounterId;
  readonly __kvm_restore_lasx_uppest: CounterId;
  readonly __kvm_restore_fcsr: CounterId;
  readonly __kvm_restore_msacsr: CounterId;
  readonly _save_fp: CounterId;
  readonly _restore_fp: CounterId;
  readonly _save_msa: CounterId;
  readonly restore_msa: CounterId;
  readonly init_fp_ctx: CounterId;
  readonly init_msa_upper: CounterId;
}

function registerCounters(h: MachineHost, lasx: boolean): Counters {
  const op = (n: string, d: OpDirection) => h.op(n, d);
  // Loongson-only counters and routines exist only on a kernel that has them (−1: never used)
  const lasxOp = (n: string, d: OpDirection) => (lasx ? h.op(n, d) : -1);
  return {
    cop_unusable_exits: h.counter('exits', 'cop_unusable_exits'),
    msa_disabled_exits: h.counter('exits', 'msa_disabled_exits'),
    lasx_disabled_exits: lasx ? h.counter('exits', 'lasx_disabled_exits') : -1,
    vz_gsfc_exits: h.counter('exits', 'vz_gsfc_exits'),
    int_exits: h.counter('exits', 'int_exits'),
    wait_exits: h.counter('exits', 'wait_exits'),
    vz_gpsi_exits: h.counter('exits', 'vz_gpsi_exits'),
    tlbmiss_ld_exits: h.counter('exits', 'tlbmiss_ld_exits'),
    vz_hc_exits: h.counter('exits', 'vz_hc_exits'),
    signal_exits: h.counter('exits', 'signal_exits'),
    trapCpu: h.trapKind('cop_unusable', 'root'),
    trapMsaDis: h.trapKind('msa_disabled', 'root'),
    trapLasxDis: lasx ? h.trapKind('lasx_disabled', 'root') : -1,
    guestLasxDis: lasx ? h.trapKind('lasx_disabled', 'guest') : -1,
    guestCpu: h.trapKind('cop_unusable', 'guest'),
    guestMsaDis: h.trapKind('msa_disabled', 'guest'),
    guestRi: h.trapKind('reserved_instruction', 'guest'),
    hostCpu: h.trapKind('cop_unusable', 'host'),
    hostMsaDis: h.trapKind('msa_disabled', 'host'),
    KVM_EXIT_MMIO: h.counter('outcomes', 'KVM_EXIT_MMIO'),
    KVM_EXIT_INTR: h.counter('outcomes', 'KVM_EXIT_INTR'),
    KVM_EXIT_INTERNAL_ERROR: h.counter('outcomes', 'KVM_EXIT_INTERNAL_ERROR'),
    KVM_EXIT_UNKNOWN: h.counter('outcomes', 'KVM_EXIT_UNKNOWN'),
    oneRegEinval: h.counter('outcomes', 'ONE_REG -EINVAL'),
    gsexcUnhandled: lasx ? h.counter('outcomes', 'Unhandled GSEXC (guest re-entered)') : -1,
    dieFp: h.counter('outcomes', 'kvm_mips_csr_die_notify DIE_FP'),
    dieMsaFp: h.counter('outcomes', 'kvm_mips_csr_die_notify DIE_MSAFP'),
    guestFpe: h.trapKind('fpe', 'guest'),
    guestMsaFpe: h.trapKind('msa_fpe', 'guest'),
    __kvm_save_fpu: op('__kvm_save_fpu', 'save'),
    __kvm_restore_fpu: op('__kvm_restore_fpu', 'restore'),
    __kvm_save_msa: op('__kvm_save_msa', 'save'),
    __kvm_restore_msa: op('__kvm_restore_msa', 'restore'),
    __kvm_restore_msa_upper: op('__kvm_restore_msa_upper', 'restore'),
    __kvm_save_lasx: lasxOp('__kvm_save_lasx', 'save'),
    __kvm_restore_lasx: lasxOp('__kvm_restore_lasx', 'restore'),
    __kvm_restore_lasx_upper: lasxOp('__kvm_restore_lasx_upper', 'restore'),
    __kvm_restore_lasx_uppest: lasxOp('__kvm_restore_lasx_uppest', 'restore'),
    __kvm_restore_fcsr: op('__kvm_restore_fcsr', 'restore'),
    __kvm_restore_msacsr: op('__kvm_restore_msacsr', 'restore'),
    _save_fp: op('_save_fp', 'save'),
    _restore_fp: op('_restore_fp', 'restore'),
    _save_msa: op('_save_msa', 'save'),
    restore_msa: op('restore_msa', 'restore'),
    init_fp_ctx: op('init_fp_ctx', 'other'),
    init_msa_upper: op('init_msa_upper', 'other'),
  };
}

const STATUS_NAMES: ReadonlyArray<[number, string]> = [
  [ST0_CU1, 'CU1'],
  [ST0_CU2, 'CU2'],
  [ST0_FR, 'FR'],
];
const CONFIG5_NAMES: ReadonlyArray<[number, string]> = [
  [MIPS_CONF5_MSAEN, 'MSAEn'],
  [MIPS_CONF5_FRE, 'FRE'],
];

function bits(value: number, names: ReadonlyArray<[number, string]>): string {
  return `{${names.map(([m, n]) => `${n}=${value & m ? 1 : 0}`).join(',')}}`;
}

export function auxName(aux: number): string {
  if (aux === 0) return '0';
  const out: string[] = [];
  if (aux & KVM_MIPS_AUX_FPU) out.push('FPU');
  if (aux & KVM_MIPS_AUX_MSA) out.push('MSA');
  if (aux & KVM_MIPS_AUX_LASX) out.push('LASX');
  return out.join('|');
}
