/**
 * The switch of arch/mips/kvm/mips.c kvm_mips_handle_exit, after the exit stub (entry.ts): the
 * exception as the hardware reports it, the exit counter, then the VZ handler (vz.ts). The
 * non-FP exits are rows of core's exit table, built once per machine.
 */
import type { CounterId, Resume, UnitMask } from '@vfpu/core';
import {
  type ExitRow,
  exitTable,
  RESUME_GUEST,
  RESUME_HOST,
  takeExit,
} from '@vfpu/core/backend-utils';
import { guestExit } from './entry.js';
import { guestEnabled } from './hardware.js';
import { widestGranted } from './policy-paths.js';
import {
  EXCCODE_CPU,
  EXCCODE_LASX,
  EXCCODE_MSADIS,
  GSEXCCODE_LASX_DISABLED,
  ST0_CU2,
} from './regs.js';
import type { MipsVz, Vcpu } from './state.js';
import {
  internalError,
  kvm_trap_vz_handle_cop_unusable,
  kvm_trap_vz_handle_lasx_disabled,
  kvm_trap_vz_handle_msa_disabled,
} from './vz.js';

const CPU = `Coprocessor Unusable — Cause.ExcCode=${EXCCODE_CPU} (EXCCODE_CPU), Cause.CE=`;
const CPU_CE1 = `${CPU}1`;
const CPU_CE2 = `${CPU}2`;
const MSADIS = `MSA Disabled — Cause.ExcCode=${EXCCODE_MSADIS} (EXCCODE_MSADIS)`;
const GSEXC = `Loongson GSExc — Cause.ExcCode=${EXCCODE_LASX} (EXCCODE_LASX), GSCause.GSExcCode`;
const LASXDIS = `${GSEXC}=${GSEXCCODE_LASX_DISABLED} (LASX disabled)`;
const GSEXC_OTHER = `${GSEXC}≠${GSEXCCODE_LASX_DISABLED}`;
const EXCCODE_16 = `Cause.ExcCode=${EXCCODE_LASX}`;

/** A row of the exit table with the exception the hardware reports before the stub runs. */
export interface MipsExitRow extends ExitRow {
  readonly exception: string;
}

/** Rows by exit-reason id; `cop2` and `gsexc` have handlers of their own (nonFpExit). */
export function mipsExitTable(m: MipsVz): readonly MipsExitRow[] {
  const c = m.counters;
  const row = (
    exception: string,
    text: string,
    counters: readonly CounterId[],
    resume: Resume,
  ): MipsExitRow => ({ exception, text, counters, resume });
  const gpsi = 'Guest Exit GPSI (ExcCode 27, GExcCode 0';
  // exitTable places the rows it is given at their ids
  return exitTable(m.ids.reasons, {
    // root TLB load miss on an unmapped GPA → kvm_mips_emulate_load → KVM_EXIT_MMIO
    mmio: row(
      'TLB load miss (ExcCode 2)',
      '++tlbmiss_ld_exits → KVM_EXIT_MMIO',
      [c.tlbmiss_ld_exits, c.KVM_EXIT_MMIO],
      RESUME_HOST,
    ),
    irq: row('Interrupt (ExcCode 0)', '++int_exits', [c.int_exits], RESUME_GUEST),
    hlt: row(
      `${gpsi}: WAIT)`,
      '++vz_gpsi_exits, kvm_mips_emul_wait → ++wait_exits',
      [c.vz_gpsi_exits, c.wait_exits],
      RESUME_GUEST,
    ),
    hypercall: row(
      'Guest Exit HC (ExcCode 27, GExcCode 2)',
      '++vz_hc_exits',
      [c.vz_hc_exits],
      RESUME_GUEST,
    ),
    signal: row(
      'Interrupt (ExcCode 0)',
      '++int_exits; signal pending → ++signal_exits, KVM_EXIT_INTR',
      [c.int_exits, c.signal_exits, c.KVM_EXIT_INTR],
      RESUME_HOST,
    ),
    other: row(`${gpsi})`, '++vz_gpsi_exits', [c.vz_gpsi_exits], RESUME_GUEST),
  });
}

/**
 * The kvm_exit detail of the FP/SIMD trap exits: kvm_mips_handle_exit's trace_kvm_exit(vcpu,
 * exccode) prints "[%s]PC: 0x%08lx" with kvm_trace_symbol_exit_types (arch/mips/kvm/trace.h,
 * mainline and LS-mips @550f8a18): 11 "COP0/1 Unusable", 21 "MSA Disabled". ExcCode 16 has no
 * entry in either table, so __print_symbolic prints the value: "0x10".
 */
const EXIT_COP_UNUSABLE = 'COP0/1 Unusable';
const EXIT_MSA_DISABLED = 'MSA Disabled';
const EXIT_EXCCODE_16 = '0x10';

/**
 * The exit stub, then kvm_mips_handle_exit: trace_kvm_exit(vcpu, exccode) (right after
 * local_irq_enable, before the switch), then the count of `counter` before it calls the handler.
 * `tp`: the exit type the tracepoint prints for an FP/SIMD trap exit, null for the other exits
 * (their kvm_exit is not modelled: `vfpu check` compares the FP ones only).
 */
function handleExitHead(
  m: MipsVz,
  vi: number,
  exception: string,
  counter: CounterId,
  what: string,
  tp: string | null,
): void {
  guestExit(m, vi, exception);
  if (m.trace.on) {
    m.trace.fn(0, 'kvm_mips_handle_exit', what);
    if (tp !== null) m.trace.tracepoint(vi, 'kvm_exit', tp);
  }
  m.host.count(counter);
}

/**
 * A root trap hardware.ts guestAccess latched (vcpu->arch.host_cp0_cause), as
 * kvm_mips_handle_exit dispatches it; `grant`: the policy's grant (policy-paths.ts).
 */
export function trapExit(m: MipsVz, vi: number, grant: UnitMask): Resume {
  const c = m.counters;
  const v = m.vcpus[vi] as Vcpu;
  const g = grant & guestEnabled(m, v);
  const exccode = v.hostCp0Cause;
  if (exccode === EXCCODE_CPU) {
    m.host.count(c.trapCpu);
    const unit = widestGranted(m, g, 'fpu');
    handleExitHead(
      m,
      vi,
      CPU_CE1,
      c.cop_unusable_exits,
      '— ++cop_unusable_exits',
      EXIT_COP_UNUSABLE,
    );
    return kvm_trap_vz_handle_cop_unusable(m, vi, 1, unit);
  }
  if (exccode === EXCCODE_LASX) {
    m.host.count(c.trapLasxDis);
    // LS-mips: ExcCode 16 decoded through GSCause.GSExcCode 7
    handleExitHead(
      m,
      vi,
      LASXDIS,
      c.lasx_disabled_exits,
      '— ++lasx_disabled_exits',
      EXIT_EXCCODE_16,
    );
    return kvm_trap_vz_handle_lasx_disabled(m, vi);
  }
  m.host.count(c.trapMsaDis);
  const unit = widestGranted(m, g, 'msa') === 'lasx' ? 'lasx' : 'msa';
  handleExitHead(m, vi, MSADIS, c.msa_disabled_exits, '— ++msa_disabled_exits', EXIT_MSA_DISABLED);
  return kvm_trap_vz_handle_msa_disabled(m, vi, unit);
}

/** A non-FP exit: `cop2` and `gsexc` by their handlers, everything else by its table row. */
export function nonFpExit(
  m: MipsVz,
  table: readonly MipsExitRow[],
  vi: number,
  reason: number,
): Resume {
  if (reason === m.ids.cop2) return cop2Exit(m, vi);
  if (reason === m.ids.gsexc) return gsexcExit(m, vi);
  guestExit(m, vi, (table[reason] as MipsExitRow).exception);
  return takeExit(m.host, table, reason);
}

/** A guest coprocessor 2 instruction with root CU2=0: a CpU exit with Cause.CE=2. */
function cop2Exit(m: MipsVz, vi: number): Resume {
  const v = m.vcpus[vi] as Vcpu;
  if ((m.cpus[v.cpu]?.status ?? 0) & ST0_CU2) {
    // not an input error: whether CU2 is still set depends on whether KVM_RUN began again
    // (kvm_mips_build_vcpu_run clears it), which a policy's return to userspace can change
    m.host.warn(
      'cop2 exit ignored: root Status.CU2 is already set, so the hardware raises no CE=2 exit (the instruction runs)',
    );
    if (m.trace.on) m.trace.line(0, 'root Status.CU2 is set: no exit, the instruction runs');
    return RESUME_GUEST;
  }
  // not an FP/SIMD trap: its kvm_exit ("COP0/1 Unusable" too: the trace cannot tell CE=2 from
  // CE=1) is left out, as every non-FP exit's
  handleExitHead(m, vi, CPU_CE2, m.counters.cop_unusable_exits, '— ++cop_unusable_exits', null);
  return kvm_trap_vz_handle_cop_unusable(m, vi, 2, 'fpu');
}

/**
 * Cause.ExcCode 16 with a GSCause.GSExcCode other than 7. LS-mips kvm_mips_handle_exit: only
 * kvm_err("Unhandled GSEXC"), no counter, ret stays RESUME_GUEST, so the guest is re-entered
 * (and may take the same exception again). Mainline has no case for 16: the default branch
 * ("not yet handled") gives KVM_EXIT_INTERNAL_ERROR, RESUME_HOST.
 */
function gsexcExit(m: MipsVz, vi: number): Resume {
  const t = m.trace;
  if (!m.o.cpuHasLasx) {
    guestExit(m, vi, EXCCODE_16);
    if (t.on) t.fn(0, 'kvm_mips_handle_exit', '— default: "Exception Code: 16, not yet handled"');
    return internalError(m, 'unhandled exception code');
  }
  guestExit(m, vi, GSEXC_OTHER);
  if (t.on) {
    t.fn(
      0,
      'kvm_mips_handle_exit',
      '— kvm_err("Unhandled GSEXC"); no counter; RESUME_GUEST: the guest is re-entered unhandled',
    );
  }
  m.host.count(m.counters.gsexcUnhandled);
  return RESUME_GUEST;
}
