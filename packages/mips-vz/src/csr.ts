/**
 * FCSR and MSACSR: where they live (after fpr[32] in the register file, as in struct
 * mips_fpu_struct), which cause bits are pending, their trace decoding, and the guest's own
 * ctc1/ctcmsa. The kernel's handling is in entry.ts (the exit stub that saves and clears them),
 * fpu.ts/msa.ts (__kvm_restore_fcsr, __kvm_restore_msacsr) and mips.ts (the re-entry tail and
 * kvm_mips_csr_die_notify).
 */
import { writeU32 } from '@vfpu/core/backend-utils';
import {
  FPU_CSR_ALL_E,
  FPU_CSR_ALL_S,
  FPU_CSR_ALL_X,
  FPU_CSR_COND,
  FPU_CSR_CONDX,
  FPU_CSR_FLUSH,
  FPU_CSR_RM,
  FPU_CSR_UNI_X,
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
    m.host.count(msa ? m.counters.guestMsaFpe : m.counters.guestFpe);
    if (m.trace.on)
      m.trace.line(
        0,
        `guest exception: ${msa ? 'MSA Floating Point (ExcCode 14)' : 'Floating Point (ExcCode 15)'} in guest context (pending enabled cause; the guest kernel handles it)`,
      );
  }
}
