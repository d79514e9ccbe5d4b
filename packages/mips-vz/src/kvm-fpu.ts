/**
 * Guest FPU/MSA/LASX ownership, as arch/mips/kvm/mips.c (kvm_own_fpu, kvm_own_msa,
 * kvm_own_lasx, kvm_lose_fpu, kvm_drop_fpu) and the save/restore routines of
 * arch/mips/kvm/fpu.S, msa.S (and Loongson's LASX helpers), with their byte counts. Every
 * routine copies real bytes between the pCPU register file and vcpu->arch.fpu.
 */
import { copyStrided } from '@vfpu/core';
import {
  KVM_MIPS_AUX_FPU,
  KVM_MIPS_AUX_LASX,
  KVM_MIPS_AUX_MSA,
  MIPS_CONF_LASXEN,
  MIPS_CONF5_FRE,
  MIPS_CONF5_MSAEN,
  ST0_CU1,
  ST0_FR,
  UNIT_FPU,
  UNIT_LASX,
  UNIT_MSA,
} from './regs.js';
import { auxName, type MipsVz, NUM_FPU_REGS, type Vcpu } from './state.js';

const FPU_BIT = 1 << UNIT_FPU;
const MSA_BIT = 1 << UNIT_MSA;
const LASX_BIT = 1 << UNIT_LASX;
const AUX_ALL = KVM_MIPS_AUX_FPU | KVM_MIPS_AUX_MSA | KVM_MIPS_AUX_LASX;

/**
 * Copies `len` bytes at `byteOff` of every `step`-th register (slots of `slot` bytes) from
 * `src` to `dst`; returns the bytes moved.
 */
export function copyRegs(
  dst: Uint8Array,
  src: Uint8Array,
  slot: number,
  first: number,
  step: number,
  byteOff: number,
  len: number,
): number {
  const count = Math.ceil((NUM_FPU_REGS - first) / step);
  return copyStrided(dst, src, first * slot + byteOff, step * slot, count, len);
}

function rootFr(m: MipsVz, v: Vcpu): boolean {
  return ((m.cpus[v.cpu]?.status ?? 0) & ST0_FR) !== 0;
}

/** Moves bytes [from, to) of every register between the pCPU and the save area. */
function move(m: MipsVz, v: Vcpu, save: boolean, from: number, to: number): number {
  return save
    ? copyRegs(v.fpu, m.hardware(v), m.o.slot, 0, 1, from, to - from)
    : copyRegs(m.hardware(v), v.fpu, m.o.slot, 0, 1, from, to - from);
}

// ---- fpu.S / msa.S / Loongson LASX helpers -------------------------------------------------

/** fpu.S __kvm_save_fpu: tests root Status.FR; FR=1 moves 32 doubles (256 bytes), FR=0 the 16 even ones (128). */
export function __kvm_save_fpu(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = copyRegs(v.fpu, m.hardware(v), m.o.slot, 0, rootFr(m, v) ? 1 : 2, 0, 8);
  m.host.call(m.ids.__kvm_save_fpu, ctx, bytes, FPU_BIT, depth);
}

/** fpu.S __kvm_restore_fpu: the same registers, the other way. */
export function __kvm_restore_fpu(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = copyRegs(m.hardware(v), v.fpu, m.o.slot, 0, rootFr(m, v) ? 1 : 2, 0, 8);
  m.host.call(m.ids.__kvm_restore_fpu, ctx, bytes, FPU_BIT, depth);
  m.host.loaded(v.cpu, ctx, FPU_BIT);
}

/**
 * msa.S __kvm_save_msa: 32 × st_d of 128 bits (512 bytes); with CONFIG_CPU_LOONGSON3 (LS-msaS)
 * 32 × xvst_b of 256 bits (1024 bytes).
 */
export function __kvm_save_msa(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const wide = m.o.cpuHasLasx;
  const bytes = move(m, v, true, 0, wide ? 32 : 16);
  m.host.call(m.ids.__kvm_save_msa, ctx, bytes, FPU_BIT | MSA_BIT | (wide ? LASX_BIT : 0), depth);
}

/** msa.S __kvm_restore_msa: 32 × ld_d (512 bytes); Loongson: 32 × xvld_b (1024 bytes). */
export function __kvm_restore_msa(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const wide = m.o.cpuHasLasx;
  const bytes = move(m, v, false, 0, wide ? 32 : 16);
  // an MSA restore: on Loongson its 256-bit loads also bring back the LASX upper halves
  m.host.call(m.ids.__kvm_restore_msa, ctx, bytes, FPU_BIT | MSA_BIT, depth);
  m.host.loaded(v.cpu, ctx, FPU_BIT | MSA_BIT | (wide ? LASX_BIT : 0));
}

/**
 * msa.S __kvm_restore_msa_upper: ld from FPRn+8, insert_d wN[1] (256 bytes); Loongson: the
 * doublewords 1..3 of each register, bytes 8..31 of the slot (768 bytes).
 */
export function __kvm_restore_msa_upper(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const wide = m.o.cpuHasLasx;
  const bytes = move(m, v, false, 8, wide ? 32 : 16);
  m.host.call(m.ids.__kvm_restore_msa_upper, ctx, bytes, MSA_BIT, depth);
  m.host.loaded(v.cpu, ctx, MSA_BIT | (wide ? LASX_BIT : 0));
}

/** LS __kvm_save_lasx: the full 256 bits (1024 bytes; body not in the cited sources). */
export function __kvm_save_lasx(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = move(m, v, true, 0, 32);
  m.host.call(m.ids.__kvm_save_lasx, ctx, bytes, FPU_BIT | MSA_BIT | LASX_BIT, depth);
}

/** LS __kvm_restore_lasx: the full 256 bits (1024 bytes). */
export function __kvm_restore_lasx(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = move(m, v, false, 0, 32);
  m.host.call(m.ids.__kvm_restore_lasx, ctx, bytes, FPU_BIT | MSA_BIT | LASX_BIT, depth);
  m.host.loaded(v.cpu, ctx, FPU_BIT | MSA_BIT | LASX_BIT);
}

/** LS __kvm_restore_lasx_upper: "MSA state already loaded": bits 128..255 (512 bytes). */
export function __kvm_restore_lasx_upper(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = move(m, v, false, 16, 32);
  m.host.call(m.ids.__kvm_restore_lasx_upper, ctx, bytes, LASX_BIT, depth);
  m.host.loaded(v.cpu, ctx, LASX_BIT);
}

/** LS __kvm_restore_lasx_uppest: "restore 64~256": bits 64..255 (768 bytes). */
export function __kvm_restore_lasx_uppest(m: MipsVz, v: Vcpu, ctx: number, depth: number): void {
  const bytes = move(m, v, false, 8, 32);
  m.host.call(m.ids.__kvm_restore_lasx_uppest, ctx, bytes, MSA_BIT | LASX_BIT, depth);
  m.host.loaded(v.cpu, ctx, MSA_BIT | LASX_BIT);
}

// ---- mips.c ----------------------------------------------------------------------------------

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
    if (t.on) t.line(depth + 1, 'trace_kvm_aux ENABLE LASX');
  } else if (aux === KVM_MIPS_AUX_MSA || aux === (KVM_MIPS_AUX_MSA | KVM_MIPS_AUX_FPU)) {
    // MSA state already loaded, restore only the upper LASX part
    __kvm_restore_lasx_upper(m, v, vi, depth + 1);
    m.setAux(v, v.aux | KVM_MIPS_AUX_LASX, depth + 1);
    if (t.on) t.line(depth + 1, 'trace_kvm_aux RESTORE LASX');
  } else if (aux === KVM_MIPS_AUX_FPU) {
    // restore 64~256
    __kvm_restore_lasx_uppest(m, v, vi, depth + 1);
    m.setAux(v, v.aux | KVM_MIPS_AUX_LASX | (m.guestHasMsa(v) ? KVM_MIPS_AUX_MSA : 0), depth + 1);
    if (t.on) t.line(depth + 1, 'trace_kvm_aux RESTORE LASX');
  } else {
    __kvm_restore_lasx(m, v, vi, depth + 1);
    const more =
      (m.guestHasMsa(v) ? KVM_MIPS_AUX_MSA : 0) | (m.guestHasFpu(v) ? KVM_MIPS_AUX_FPU : 0);
    m.setAux(v, v.aux | KVM_MIPS_AUX_LASX | more, depth + 1);
    if (t.on) t.line(depth + 1, 'trace_kvm_aux RESTORE FPU_MSA_LASX');
  }
}

/** mips.c kvm_lose_fpu: save whatever is live and disable it (VZ: no re-enable before the save). */
export function kvm_lose_fpu(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const t = m.trace;
  if (t.on) t.fn(depth, 'kvm_lose_fpu', `(aux_inuse ${auxName(v.aux)})`);
  if (m.o.cpuHasLasx && v.aux & KVM_MIPS_AUX_LASX) {
    // LS-mips: one 256-bit save covers FPU and MSA too
    if (m.o.faults.has('save-fpu-only')) __kvm_save_fpu(m, v, vi, depth + 1);
    else __kvm_save_lasx(m, v, vi, depth + 1);
    if (t.on) t.line(depth + 1, 'trace_kvm_aux SAVE FPU_MSA_LASX');
    m.changeConfig(v.cpu, MIPS_CONF_LASXEN, 0, depth + 1); // disable_lasx
    m.changeConfig5(v.cpu, MIPS_CONF5_MSAEN, 0, depth + 1); // disable_msa
    if (v.aux & KVM_MIPS_AUX_FPU) m.changeStatus(v.cpu, ST0_CU1 | ST0_FR, 0, depth + 1);
    m.setAux(v, v.aux & ~AUX_ALL, depth + 1);
  } else if (v.aux & KVM_MIPS_AUX_MSA) {
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
  if (m.o.cpuHasLasx && v.aux & KVM_MIPS_AUX_LASX) {
    m.changeConfig(v.cpu, MIPS_CONF_LASXEN, 0, depth + 1); // disable_lasx
    if (t.on) t.line(depth + 1, 'trace_kvm_aux DISCARD LASX');
    m.setAux(v, v.aux & ~KVM_MIPS_AUX_LASX, depth + 1);
  }
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
