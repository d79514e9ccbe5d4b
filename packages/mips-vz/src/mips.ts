/**
 * arch/mips/kvm/mips.c, its FP/MSA/LASX parts: guest FPU/MSA/LASX ownership (kvm_own_fpu,
 * kvm_own_msa, Loongson's kvm_own_lasx, kvm_lose_fpu, kvm_drop_fpu), the lose_fpu(1) of
 * kvm_arch_vcpu_ioctl_run, and kvm_mips_handle_exit's re-entry tail with the die notifier that
 * swallows the host FPE a pending guest cause raises there (kvm_mips_csr_die_notify). The switch
 * of kvm_mips_handle_exit itself is exits.ts.
 */
import { __kvm_restore_fcsr, __kvm_restore_fpu, __kvm_save_fpu } from './fpu.js';
import { lose_fpu_inatomic } from './host-fpu.js';
import {
  __kvm_restore_lasx,
  __kvm_restore_lasx_upper,
  __kvm_restore_lasx_uppest,
  __kvm_save_lasx,
} from './lasx.js';
import {
  __kvm_restore_msa,
  __kvm_restore_msa_upper,
  __kvm_restore_msacsr,
  __kvm_save_msa,
} from './msa.js';
import {
  KVM_MIPS_AUX_FPU,
  KVM_MIPS_AUX_LASX,
  KVM_MIPS_AUX_MSA,
  MIPS_CONF_LASXEN,
  MIPS_CONF5_FRE,
  MIPS_CONF5_MSAEN,
  ST0_CU1,
  ST0_FR,
} from './regs.js';
import { auxName, type MipsVz, type Vcpu } from './state.js';

const AUX_ALL = KVM_MIPS_AUX_FPU | KVM_MIPS_AUX_MSA | KVM_MIPS_AUX_LASX;

/**
 * trace_kvm_aux(vcpu, op, state) (arch/mips/kvm/trace.h): the detail is "%s %s" of
 * kvm_trace_symbol_aux_op ("restore", "save", "enable", "disable", "discard") and
 * kvm_trace_symbol_aux_state ("FPU", "MSA", "FPU & MSA"; LS-mips trace.h @550f8a18 adds "LASX"
 * and "FPU & MSA & LASX"). Each call sits where mips.c fires it relative to the save/restore
 * and the aux_inuse update (mainline v5.7–v6.x; LS-mips @9fc00afa).
 */
const KVM_AUX = 'kvm_aux';

/** Loongson (LS-mips) masks include LASX where mainline has FPU|MSA. */
function auxMask(m: MipsVz): number {
  return m.o.cpuHasLasx ? AUX_ALL : KVM_MIPS_AUX_FPU | KVM_MIPS_AUX_MSA;
}

/** mips.c kvm_own_fpu: enable the FPU for the guest and restore its state if not live. */
export function kvm_own_fpu(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  if (t.on) t.fn(depth, 'kvm_own_fpu');
  const sr = v.status;
  // cpu_has_msa && CU1 && !FR && vector state live [LS: MSA or LASX]: it is undefined how it
  // interacts with FR=0 FPU state, so save it first
  const vector = KVM_MIPS_AUX_MSA | (m.o.cpuHasLasx ? KVM_MIPS_AUX_LASX : 0);
  if (sr & ST0_CU1 && !(sr & ST0_FR) && v.aux & vector) kvm_lose_fpu(m, vi, depth + 1);
  // set FR and FRE according to guest context
  m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, sr, depth + 1);
  if (m.o.cpuHasFre) m.changeConfig5(v.cpu, MIPS_CONF5_FRE, v.config5, depth + 1);
  // (LS-mips skips the restore for CPU_LOONGSON3, the 3A2000/3A3000 path: never a 3A4000)
  if (!(v.aux & KVM_MIPS_AUX_FPU)) {
    __kvm_restore_fpu(m, v, vi, depth + 1);
    m.setAux(v, v.aux | KVM_MIPS_AUX_FPU, depth + 1);
    if (t.on) t.tracepoint(vi, KVM_AUX, 'restore FPU');
  } else if (t.on) {
    t.tracepoint(vi, KVM_AUX, 'enable FPU');
  }
}

/** mips.c kvm_own_msa: enable MSA (and the FPU if the guest has one) and restore what is not live. */
export function kvm_own_msa(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  if (t.on) t.fn(depth, 'kvm_own_msa');
  const mask = auxMask(m);
  if (m.guestHasFpu(v)) {
    const sr = v.status;
    // If FR=0 FPU state is already live, it is undefined how it interacts with MSA state: save it first
    if (!(sr & ST0_FR) && (v.aux & mask) === KVM_MIPS_AUX_FPU) kvm_lose_fpu(m, vi, depth + 1);
    m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, sr, depth + 1);
    if (sr & ST0_CU1 && m.o.cpuHasFre) m.changeConfig5(v.cpu, MIPS_CONF5_FRE, v.config5, depth + 1);
  }
  m.changeConfig5(v.cpu, MIPS_CONF5_MSAEN, MIPS_CONF5_MSAEN, depth + 1);
  switch (v.aux & mask) {
    case KVM_MIPS_AUX_FPU:
      // Guest FPU state already loaded, only restore upper MSA state
      if (!m.o.faults['skip-msa-upper-restore']) __kvm_restore_msa_upper(m, v, vi, depth + 1);
      m.setAux(v, v.aux | KVM_MIPS_AUX_MSA, depth + 1);
      if (t.on) t.tracepoint(vi, KVM_AUX, 'restore MSA');
      break;
    case 0:
      // Neither FPU or MSA already active, restore full MSA state
      __kvm_restore_msa(m, v, vi, depth + 1);
      m.setAux(v, v.aux | KVM_MIPS_AUX_MSA | (m.guestHasFpu(v) ? KVM_MIPS_AUX_FPU : 0), depth + 1);
      if (t.on) t.tracepoint(vi, KVM_AUX, 'restore FPU & MSA');
      break;
    default:
      if (t.on) t.tracepoint(vi, KVM_AUX, 'enable MSA');
  }
  // LS-mips tail, whichever case ran: if gc0 Config.LASXEn, enable LASX and restore its upper part
  // (not gated on kvm_mips_guest_has_lasx)
  if (m.o.cpuHasLasx && v.config & MIPS_CONF_LASXEN) {
    m.changeConfig(v.cpu, MIPS_CONF_LASXEN, MIPS_CONF_LASXEN, depth + 1);
    __kvm_restore_lasx_upper(m, v, vi, depth + 1);
    m.setAux(v, v.aux | KVM_MIPS_AUX_LASX, depth + 1); // (no trace_kvm_aux in the tail)
  }
}

/** LS-mips kvm_own_lasx: enable LASX (and MSA/FPU as the guest has them) and restore what is not live. */
export function kvm_own_lasx(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  if (t.on) t.fn(depth, 'kvm_own_lasx');
  const sr = v.status;
  if (m.guestHasMsa(v)) {
    if (!(sr & ST0_FR) && (v.aux & AUX_ALL) === KVM_MIPS_AUX_MSA) kvm_lose_fpu(m, vi, depth + 1);
    m.changeConfig5(v.cpu, MIPS_CONF5_MSAEN, MIPS_CONF5_MSAEN, depth + 1);
  }
  if (m.guestHasFpu(v)) {
    if (!(sr & ST0_FR) && (v.aux & AUX_ALL) === KVM_MIPS_AUX_FPU) kvm_lose_fpu(m, vi, depth + 1);
    m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, sr, depth + 1);
  }
  m.changeConfig(v.cpu, MIPS_CONF_LASXEN, MIPS_CONF_LASXEN, depth + 1);
  const aux = v.aux & AUX_ALL;
  if (aux & KVM_MIPS_AUX_LASX) {
    if (t.on) t.tracepoint(vi, KVM_AUX, 'enable LASX');
  } else if (aux === KVM_MIPS_AUX_MSA || aux === (KVM_MIPS_AUX_MSA | KVM_MIPS_AUX_FPU)) {
    // MSA state already loaded, restore only the upper LASX part
    __kvm_restore_lasx_upper(m, v, vi, depth + 1);
    m.setAux(v, v.aux | KVM_MIPS_AUX_LASX, depth + 1);
    if (t.on) t.tracepoint(vi, KVM_AUX, 'restore LASX');
  } else if (aux === KVM_MIPS_AUX_FPU) {
    // restore 64~256
    __kvm_restore_lasx_uppest(m, v, vi, depth + 1);
    m.setAux(v, v.aux | KVM_MIPS_AUX_LASX | (m.guestHasMsa(v) ? KVM_MIPS_AUX_MSA : 0), depth + 1);
    if (t.on) t.tracepoint(vi, KVM_AUX, 'restore LASX');
  } else {
    __kvm_restore_lasx(m, v, vi, depth + 1);
    const more =
      (m.guestHasMsa(v) ? KVM_MIPS_AUX_MSA : 0) | (m.guestHasFpu(v) ? KVM_MIPS_AUX_FPU : 0);
    m.setAux(v, v.aux | KVM_MIPS_AUX_LASX | more, depth + 1);
    if (t.on) t.tracepoint(vi, KVM_AUX, 'restore FPU & MSA & LASX');
  }
}

/** mips.c kvm_lose_fpu: save whatever is live and disable it (VZ: no re-enable before the save). */
export function kvm_lose_fpu(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  if (t.on) t.fn(depth, 'kvm_lose_fpu', `(aux_inuse ${auxName(v.aux)})`);
  if (m.o.cpuHasLasx && v.aux & KVM_MIPS_AUX_LASX) {
    // LS-mips: one 256-bit save covers FPU and MSA too
    if (m.o.faults['save-fpu-only']) __kvm_save_fpu(m, v, vi, depth + 1);
    else __kvm_save_lasx(m, v, vi, depth + 1);
    if (t.on) t.tracepoint(vi, KVM_AUX, 'save FPU & MSA & LASX');
    m.changeConfig(v.cpu, MIPS_CONF_LASXEN, 0, depth + 1); // disable_lasx
    m.changeConfig5(v.cpu, MIPS_CONF5_MSAEN, 0, depth + 1); // disable_msa
    if (v.aux & KVM_MIPS_AUX_FPU) m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, 0, depth + 1);
    m.setAux(v, v.aux & ~AUX_ALL, depth + 1);
  } else if (v.aux & KVM_MIPS_AUX_MSA) {
    if (m.o.faults['save-fpu-only']) __kvm_save_fpu(m, v, vi, depth + 1);
    else __kvm_save_msa(m, v, vi, depth + 1);
    if (t.on) t.tracepoint(vi, KVM_AUX, 'save FPU & MSA');
    // Disable MSA & FPU
    m.changeConfig5(v.cpu, MIPS_CONF5_MSAEN, 0, depth + 1);
    if (v.aux & KVM_MIPS_AUX_FPU) m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, 0, depth + 1);
    m.setAux(v, v.aux & ~(KVM_MIPS_AUX_FPU | KVM_MIPS_AUX_MSA), depth + 1);
  } else if (v.aux & KVM_MIPS_AUX_FPU) {
    __kvm_save_fpu(m, v, vi, depth + 1);
    m.setAux(v, v.aux & ~KVM_MIPS_AUX_FPU, depth + 1);
    if (t.on) t.tracepoint(vi, KVM_AUX, 'save FPU');
    m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, 0, depth + 1);
  }
}

/** mips.c kvm_drop_fpu: disable without saving (the state is being discarded). */
export function kvm_drop_fpu(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  if (t.on) t.fn(depth, 'kvm_drop_fpu', `(aux_inuse ${auxName(v.aux)})`);
  if (m.o.cpuHasLasx && v.aux & KVM_MIPS_AUX_LASX) {
    m.changeConfig(v.cpu, MIPS_CONF_LASXEN, 0, depth + 1); // disable_lasx
    if (t.on) t.tracepoint(vi, KVM_AUX, 'discard LASX');
    m.setAux(v, v.aux & ~KVM_MIPS_AUX_LASX, depth + 1);
  }
  if (v.aux & KVM_MIPS_AUX_MSA) {
    m.changeConfig5(v.cpu, MIPS_CONF5_MSAEN, 0, depth + 1);
    if (t.on) t.tracepoint(vi, KVM_AUX, 'discard MSA');
    m.setAux(v, v.aux & ~KVM_MIPS_AUX_MSA, depth + 1);
  }
  if (v.aux & KVM_MIPS_AUX_FPU) {
    m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, 0, depth + 1);
    if (t.on) t.tracepoint(vi, KVM_AUX, 'discard FPU');
    m.setAux(v, v.aux & ~KVM_MIPS_AUX_FPU, depth + 1);
  }
}

/**
 * mips.c kvm_arch_vcpu_ioctl_run: after vcpu_load (and the MMIO completion), lose_fpu(1) saves the
 * VMM thread's own FP state before entering. Once per KVM_RUN: kvm_sched_in of a preempted vCPU
 * runs only kvm_arch_vcpu_load. Nothing FP follows the run loop (trace_kvm_out,
 * guest_timing_exit_irqoff, kvm_sigset_deactivate, vcpu_put).
 */
export function kvm_arch_vcpu_ioctl_run(m: MipsVz, vi: number, cpu: number): void {
  if (m.o.faults['skip-vmm-lose-fpu']) return;
  if (m.trace.on) m.trace.fn(0, 'kvm_arch_vcpu_ioctl_run', '— lose_fpu(1) of the VMM thread');
  lose_fpu_inatomic(m, cpu, m.host.vmmThread(vi), 1);
}

/** mips.c kvm_mips_handle_exit, re-entry tail: restore FCSR / MSACSR when the unit is enabled in root. */
export function restoreCsrsForEntry(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const c = m.cpus[v.cpu];
  if (c === undefined) return;
  if (m.guestHasFpu(v) && c.status & ST0_CU1 && !m.o.faults['skip-fcsr-restore']) {
    if (__kvm_restore_fcsr(m, v, vi, depth))
      kvm_mips_csr_die_notify(m, 'DIE_FP', '__kvm_restore_fcsr + 4', depth + 1);
  }
  if (m.guestHasMsa(v) && c.config5 & MIPS_CONF5_MSAEN) {
    if (__kvm_restore_msacsr(m, v, vi, depth))
      kvm_mips_csr_die_notify(m, 'DIE_MSAFP', '__kvm_restore_msacsr + 4', depth + 1);
  }
}

/** mips.c kvm_mips_csr_die_notify: the host (MSA)FPE at the restore's ctc is skipped (NOTIFY_STOP). */
function kvm_mips_csr_die_notify(
  m: MipsVz,
  what: 'DIE_FP' | 'DIE_MSAFP',
  pc: string,
  depth: number,
): void {
  m.host.count(what === 'DIE_FP' ? m.counters.dieFp : m.counters.dieMsaFp);
  if (m.trace.on) {
    m.trace.line(
      depth,
      `pending enabled cause: host ${what === 'DIE_FP' ? 'FPE' : 'MSAFPE'} at ${pc} → kvm_mips_csr_die_notify: PC += 4, NOTIFY_STOP (the cause stays for the guest)`,
    );
  }
}
