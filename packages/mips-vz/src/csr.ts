/**
 * FCSR and MSACSR: the exit stub that saves and clears them (entry.c kvm_mips_build_exit), the
 * re-entry restores (fpu.S __kvm_restore_fcsr, msa.S __kvm_restore_msacsr) and the die notifier
 * that swallows the host FPE a pending guest cause raises there (mips.c kvm_mips_csr_die_notify).
 * Both registers live after fpr[32] in the register file, as in struct mips_fpu_struct.
 */
import { readU32, writeU32 } from '@vfpu/core';
import {
  FPU_CSR_ALL_E,
  FPU_CSR_ALL_S,
  FPU_CSR_ALL_X,
  FPU_CSR_COND,
  FPU_CSR_CONDX,
  FPU_CSR_FLUSH,
  FPU_CSR_RM,
  FPU_CSR_UNI_X,
  MIPS_CONF5_MSAEN,
  ST0_CU1,
} from './regs.js';
import { type MipsVz, NUM_FPU_REGS, type Vcpu } from './state.js';

/** Byte offset of fcr31 (and of the hardware FCSR) in a save area or register file. */
export function fcsrOffset(slot: number): number {
  return NUM_FPU_REGS * slot;
}
/** Byte offset of msacsr: right after fcr31. */
export function msacsrOffset(slot: number): number {
  return NUM_FPU_REGS * slot + 4;
}

/**
 * fpu_emulator.h mask_fcr31_x: the cause bits that raise an exception: those whose enable is
 * set, plus Unimplemented (always enabled). MSACSR has the same cause/enable layout (msa.h).
 */
export function pendingCause(csr: number): number {
  return (csr & (FPU_CSR_UNI_X | ((csr & FPU_CSR_ALL_E) << 5))) >>> 0;
}

const RM_NAMES = ['RN', 'RZ', 'RU', 'RD'] as const;
const CAUSE_NAMES = ['I', 'U', 'O', 'Z', 'V', 'E'] as const;

function fieldNames(bits: number, names: readonly string[]): string {
  let out = '';
  for (let i = 0; i < names.length; i++) if (bits & (1 << i)) out += names[i];
  return out === '' ? '-' : out;
}

/** FCSR decoded field by field (reference §1.3), for traces. */
export function describeFcsr(x: number): string {
  const fcc = ((x & FPU_CSR_COND ? 1 : 0) | (((x & FPU_CSR_CONDX) >>> 25) << 1)) >>> 0;
  return (
    `0x${x.toString(16).padStart(8, '0')} {RM=${RM_NAMES[x & FPU_CSR_RM]}` +
    ` flags=${fieldNames((x & FPU_CSR_ALL_S) >>> 2, CAUSE_NAMES)}` +
    ` enables=${fieldNames((x & FPU_CSR_ALL_E) >>> 7, CAUSE_NAMES)}` +
    ` cause=${fieldNames((x & FPU_CSR_ALL_X) >>> 12, CAUSE_NAMES)}` +
    ` FS=${x & FPU_CSR_FLUSH ? 1 : 0} FCC=0x${fcc.toString(16)}}`
  );
}

/**
 * entry.c kvm_mips_build_exit, after the GPRs and Cause are saved: with root Status.CU1 set,
 * `cfc1` FCSR into vcpu->arch.fpu.fcr31 and `ctc1` 0 into FCSR; with root Config5.MSAEn set,
 * the same for MSACSR. So host FP instructions cannot raise the guest's pending exceptions.
 */
export function kvm_mips_build_exit_csrs(m: MipsVz, vi: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const c = m.cpus[v.cpu];
  if (c === undefined) return;
  const t = m.trace;
  const regs = m.hardware(v);
  if (c.status & ST0_CU1) {
    const off = fcsrOffset(m.o.slot);
    const x = readU32(regs, off);
    writeU32(v.fpu, off, x);
    writeU32(regs, off, 0);
    m.host.control(1);
    if (t.on) t.line(0, `exit stub: cfc1 FCSR ${describeFcsr(x)} → fpu.fcr31; ctc1 0 → FCSR`);
  }
  if (m.o.msa && c.config5 & MIPS_CONF5_MSAEN) {
    const off = msacsrOffset(m.o.slot);
    const x = readU32(regs, off);
    writeU32(v.fpu, off, x);
    writeU32(regs, off, 0);
    m.host.control(1);
    if (t.on)
      t.line(0, `exit stub: cfcmsa MSACSR 0x${x.toString(16)} → fpu.msacsr; ctcmsa 0 → MSACSR`);
  }
}

/**
 * fpu.S __kvm_restore_fcsr: lw fcr31, then ctc1 (at offset +4). A pending enabled cause raises
 * a host FPE at that ctc1; kvm_mips_csr_die_notify recognises the PC, skips the instruction and
 * returns NOTIFY_STOP, so FCSR keeps the full value for the guest.
 */
export function __kvm_restore_fcsr(m: MipsVz, v: Vcpu, vi: number, depth: number): void {
  const off = fcsrOffset(m.o.slot);
  const x = readU32(v.fpu, off);
  writeU32(m.hardware(v), off, x);
  m.host.call(m.ids.__kvm_restore_fcsr, vi, 4, 0, depth);
  if (m.trace.on) m.trace.line(depth + 1, `FCSR ← ${describeFcsr(x)}`);
  if (pendingCause(x) !== 0) dieNotify(m, 'DIE_FP', '__kvm_restore_fcsr + 4', depth + 1);
}

/** msa.S __kvm_restore_msacsr: lw msacsr, then _ctcmsa (offset +4..+8 may fault the same way). */
export function __kvm_restore_msacsr(m: MipsVz, v: Vcpu, vi: number, depth: number): void {
  const off = msacsrOffset(m.o.slot);
  const x = readU32(v.fpu, off);
  writeU32(m.hardware(v), off, x);
  m.host.call(m.ids.__kvm_restore_msacsr, vi, 4, 0, depth);
  if (m.trace.on) m.trace.line(depth + 1, `MSACSR ← 0x${x.toString(16)}`);
  if (pendingCause(x) !== 0) dieNotify(m, 'DIE_MSAFP', '__kvm_restore_msacsr + 4', depth + 1);
}

/** mips.c kvm_mips_csr_die_notify: the host (MSA)FPE at the restore's ctc is skipped (NOTIFY_STOP). */
function dieNotify(m: MipsVz, what: 'DIE_FP' | 'DIE_MSAFP', pc: string, depth: number): void {
  m.host.count(what === 'DIE_FP' ? m.ids.dieFp : m.ids.dieMsaFp);
  if (m.trace.on) {
    m.trace.line(
      depth,
      `pending enabled cause: host ${what === 'DIE_FP' ? 'FPE' : 'MSAFPE'} at ${pc} → kvm_mips_csr_die_notify: PC += 4, NOTIFY_STOP (the cause stays for the guest)`,
    );
  }
}

/** mips.c kvm_mips_handle_exit, re-entry tail: restore FCSR / MSACSR when the unit is enabled in root. */
export function restoreCsrsForEntry(m: MipsVz, vi: number, depth: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const c = m.cpus[v.cpu];
  if (c === undefined) return;
  if (m.guestHasFpu(v) && c.status & ST0_CU1 && !m.o.faults.has('skip-fcsr-restore'))
    __kvm_restore_fcsr(m, v, vi, depth);
  if (m.guestHasMsa(v) && c.config5 & MIPS_CONF5_MSAEN) __kvm_restore_msacsr(m, v, vi, depth);
}

/**
 * The guest's own ctc1 / ctcmsa (no exit): the hardware register takes the value. A pending
 * enabled cause raises the (MSA) FP exception in guest context, which the guest kernel handles
 * (architectural; not in the KVM source).
 */
export function guestWriteCsr(m: MipsVz, vi: number, msa: boolean, value: number): void {
  const v = m.vcpus[vi] as Vcpu;
  writeU32(m.hardware(v), msa ? msacsrOffset(m.o.slot) : fcsrOffset(m.o.slot), value);
  const name = msa ? 'MSACSR' : 'FCSR';
  if (m.trace.on)
    m.trace.line(
      0,
      `guest ${msa ? 'ctcmsa' : 'ctc1'} ${name} ← ${msa ? `0x${value.toString(16)}` : describeFcsr(value)} (in guest context, no exit)`,
    );
  if (pendingCause(value) !== 0) {
    m.host.count(msa ? m.ids.guestMsaFpe : m.ids.guestFpe);
    if (m.trace.on)
      m.trace.line(
        0,
        `guest exception: ${msa ? 'MSA Floating Point (ExcCode 14)' : 'Floating Point (ExcCode 15)'} in guest context (pending enabled cause; the guest kernel handles it)`,
      );
  }
}
