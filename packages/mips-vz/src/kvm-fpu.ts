/**
 * Guest FPU/MSA ownership, as arch/mips/kvm/mips.c (kvm_own_fpu, kvm_own_msa, kvm_lose_fpu,
 * kvm_drop_fpu) and the save/restore routines of arch/mips/kvm/fpu.S and msa.S, with their
 * exact byte counts. Every routine copies real bytes between the pCPU register file and
 * vcpu->arch.fpu.
 */
import {
  KVM_MIPS_AUX_FPU,
  KVM_MIPS_AUX_MSA,
  MIPS_CONF5_FRE,
  MIPS_CONF5_MSAEN,
  ST0_CU1,
  ST0_FR,
  UNIT_FPU,
  UNIT_MSA,
} from './regs.js';
import { auxName, FPUREG_BYTES, type MipsVz, NUM_FPU_REGS, type Vcpu } from './state.js';

const FPU_BIT = 1 << UNIT_FPU;
const MSA_BIT = 1 << UNIT_MSA;

/** Copies `len` bytes at `byteOff` of every `step`-th register from `src` to `dst`; returns bytes moved. */
export function copyRegs(
  dst: Uint8Array,
  src: Uint8Array,
  first: number,
  step: number,
  byteOff: number,
  len: number,
): number {
  let moved = 0;
  for (let r = first; r < NUM_FPU_REGS; r += step) {
    const base = r * FPUREG_BYTES + byteOff;
    for (let i = 0; i < len; i++) dst[base + i] = src[base + i] as number;
    moved += len;
  }
  return moved;
}

function hw(m: MipsVz, v: Vcpu): Uint8Array {
  return m.host.registerFile[v.cpu] as Uint8Array;
}

function rootFr(m: MipsVz, v: Vcpu): boolean {
  return ((m.cpus[v.cpu]?.status ?? 0) & ST0_FR) !== 0;
}

// ---- fpu.S / msa.S ---------------------------------------------------------------------------

/** fpu.S __kvm_save_fpu: tests root Status.FR; FR=1 moves 32 doubles (256 bytes), FR=0 the 16 even ones (128). */
export function __kvm_save_fpu(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const fr = rootFr(m, v);
  const bytes = copyRegs(v.fpu, hw(m, v), 0, fr ? 1 : 2, 0, 8);
  m.host.call(m.ids.__kvm_save_fpu, ctx, bytes, FPU_BIT, depth);
}

/** fpu.S __kvm_restore_fpu: the same registers, the other way. */
export function __kvm_restore_fpu(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const fr = rootFr(m, v);
  const bytes = copyRegs(hw(m, v), v.fpu, 0, fr ? 1 : 2, 0, 8);
  m.host.call(m.ids.__kvm_restore_fpu, ctx, bytes, FPU_BIT, depth);
  m.host.loaded(v.cpu, ctx, FPU_BIT);
}

/** msa.S __kvm_save_msa: 32 × st_d of 128 bits (512 bytes). */
export function __kvm_save_msa(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = copyRegs(v.fpu, hw(m, v), 0, 1, 0, 16);
  m.host.call(m.ids.__kvm_save_msa, ctx, bytes, FPU_BIT | MSA_BIT, depth);
}

/** msa.S __kvm_restore_msa: 32 × ld_d of 128 bits (512 bytes). */
export function __kvm_restore_msa(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = copyRegs(hw(m, v), v.fpu, 0, 1, 0, 16);
  m.host.call(m.ids.__kvm_restore_msa, ctx, bytes, FPU_BIT | MSA_BIT, depth);
  m.host.loaded(v.cpu, ctx, FPU_BIT | MSA_BIT);
}

/** msa.S __kvm_restore_msa_upper: ld from FPRn+8, insert_d wN[1]: the upper 64 bits (256 bytes). */
export function __kvm_restore_msa_upper(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = copyRegs(hw(m, v), v.fpu, 0, 1, 8, 8);
  m.host.call(m.ids.__kvm_restore_msa_upper, ctx, bytes, MSA_BIT, depth);
  m.host.loaded(v.cpu, ctx, MSA_BIT);
}

// ---- mips.c ----------------------------------------------------------------------------------

/** mips.c kvm_own_fpu: enable the FPU for the guest and restore its state if not live. */
export function kvm_own_fpu(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  if (t.on) t.fn(depth, 'kvm_own_fpu');
  const sr = v.status;
  // cpu_has_msa && CU1 && !FR && MSA live: it is undefined how MSA interacts with FR=0 FPU state, save it first
  if (sr & ST0_CU1 && !(sr & ST0_FR) && v.aux & KVM_MIPS_AUX_MSA) {
    kvm_lose_fpu(m, vi, depth + 1);
  }
  // set FR and FRE according to guest context
  m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, sr, depth + 1);
  if (m.o.cpuHasFre) m.changeConfig5(v.cpu, MIPS_CONF5_FRE, v.config5, depth + 1);
  if (!(v.aux & KVM_MIPS_AUX_FPU)) {
    __kvm_restore_fpu(m, v, vi, depth + 1);
    m.setAux(v, v.aux | KVM_MIPS_AUX_FPU, depth + 1);
    if (t.on) t.line(depth + 1, 'trace_kvm_aux RESTORE FPU');
  } else if (t.on) {
    t.line(depth + 1, 'trace_kvm_aux ENABLE FPU');
  }
}

/** mips.c kvm_own_msa: enable MSA (and the FPU if the guest has one) and restore what is not live. */
export function kvm_own_msa(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  if (t.on) t.fn(depth, 'kvm_own_msa');
  if (m.guestHasFpu(v)) {
    const sr = v.status;
    // If FR=0 FPU state is already live, it is undefined how it interacts with MSA state: save it first
    if (!(sr & ST0_FR) && (v.aux & (KVM_MIPS_AUX_FPU | KVM_MIPS_AUX_MSA)) === KVM_MIPS_AUX_FPU) {
      kvm_lose_fpu(m, vi, depth + 1);
    }
    m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, sr, depth + 1);
    if (sr & ST0_CU1 && m.o.cpuHasFre) m.changeConfig5(v.cpu, MIPS_CONF5_FRE, v.config5, depth + 1);
  }
  m.changeConfig5(v.cpu, MIPS_CONF5_MSAEN, MIPS_CONF5_MSAEN, depth + 1);
  switch (v.aux & (KVM_MIPS_AUX_FPU | KVM_MIPS_AUX_MSA)) {
    case KVM_MIPS_AUX_FPU:
      // Guest FPU state already loaded, only restore upper MSA state
      if (!m.o.faults.has('skip-msa-upper-restore')) __kvm_restore_msa_upper(m, v, vi, depth + 1);
      m.setAux(v, v.aux | KVM_MIPS_AUX_MSA, depth + 1);
      if (t.on) t.line(depth + 1, 'trace_kvm_aux RESTORE MSA');
      break;
    case 0:
      // Neither FPU or MSA already active, restore full MSA state
      __kvm_restore_msa(m, v, vi, depth + 1);
      m.setAux(v, v.aux | KVM_MIPS_AUX_MSA | (m.guestHasFpu(v) ? KVM_MIPS_AUX_FPU : 0), depth + 1);
      if (t.on) t.line(depth + 1, 'trace_kvm_aux RESTORE FPU_MSA');
      break;
    default:
      if (t.on) t.line(depth + 1, 'trace_kvm_aux ENABLE MSA');
  }
}

/** mips.c kvm_lose_fpu: save whatever is live and disable it (VZ: no re-enable before the save). */
export function kvm_lose_fpu(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  if (t.on) t.fn(depth, 'kvm_lose_fpu', `(aux_inuse ${auxName(v.aux)})`);
  if (v.aux & KVM_MIPS_AUX_MSA) {
    if (m.o.faults.has('save-fpu-only')) __kvm_save_fpu(m, v, vi, depth + 1);
    else __kvm_save_msa(m, v, vi, depth + 1);
    if (t.on) t.line(depth + 1, 'trace_kvm_aux SAVE FPU_MSA');
    // Disable MSA & FPU
    m.changeConfig5(v.cpu, MIPS_CONF5_MSAEN, 0, depth + 1);
    if (v.aux & KVM_MIPS_AUX_FPU) m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, 0, depth + 1);
    m.setAux(v, v.aux & ~(KVM_MIPS_AUX_FPU | KVM_MIPS_AUX_MSA), depth + 1);
  } else if (v.aux & KVM_MIPS_AUX_FPU) {
    __kvm_save_fpu(m, v, vi, depth + 1);
    m.setAux(v, v.aux & ~KVM_MIPS_AUX_FPU, depth + 1);
    if (t.on) t.line(depth + 1, 'trace_kvm_aux SAVE FPU');
    m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, 0, depth + 1);
  }
}

/** mips.c kvm_drop_fpu: disable without saving (the state is being discarded). */
export function kvm_drop_fpu(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  if (t.on) t.fn(depth, 'kvm_drop_fpu', `(aux_inuse ${auxName(v.aux)})`);
  if (v.aux & KVM_MIPS_AUX_MSA) {
    m.changeConfig5(v.cpu, MIPS_CONF5_MSAEN, 0, depth + 1);
    if (t.on) t.line(depth + 1, 'trace_kvm_aux DISCARD MSA');
    m.setAux(v, v.aux & ~KVM_MIPS_AUX_MSA, depth + 1);
  }
  if (v.aux & KVM_MIPS_AUX_FPU) {
    m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, 0, depth + 1);
    if (t.on) t.line(depth + 1, 'trace_kvm_aux DISCARD FPU');
    m.setAux(v, v.aux & ~KVM_MIPS_AUX_FPU, depth + 1);
  }
}

/** mips.c kvm_mips_handle_exit, re-entry tail: restore FCSR / MSACSR when the unit is enabled in root. */
export function restoreCsrsForEntry(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const c = m.cpus[v.cpu];
  if (c === undefined) return;
  if (m.guestHasFpu(v) && c.status & ST0_CU1) {
    m.host.call(m.ids.__kvm_restore_fcsr, vi, 4, 0, depth);
  }
  if (m.guestHasMsa(v) && c.config5 & MIPS_CONF5_MSAEN) {
    m.host.call(m.ids.__kvm_restore_msacsr, vi, 4, 0, depth);
  }
}
