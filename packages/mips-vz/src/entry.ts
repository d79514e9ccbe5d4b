/**
 * arch/mips/kvm/entry.c, the parts that touch FP state: kvm_mips_build_vcpu_run writes root
 * Status with a constant at first entry, and the exit stub kvm_mips_build_exit saves and clears
 * FCSR/MSACSR before any handler runs.
 */
import { readU32, writeU32 } from '@vfpu/core/backend-utils';
import { describeFcsr, fcsrOffset, msacsrOffset } from './csr.js';
import { MIPS_CONF5_MSAEN, ST0_CU1, ST0_CU2, ST0_FR } from './regs.js';
import type { MipsVz, Vcpu } from './state.js';

/**
 * entry.c kvm_mips_build_vcpu_run: root Status is written with a constant (EXL|KSU_USER|IE…),
 * so CU1=CU2=FR=0 at the first entry of a KVM_RUN.
 */
export function kvm_mips_build_vcpu_run(m: MipsVz, vi: number): void {
  const v = m.vcpus[vi] as Vcpu;
  const c = m.cpus[v.cpu];
  if (c !== undefined && c.status & (ST0_CU1 | ST0_CU2 | ST0_FR)) {
    if (m.trace.on) m.trace.line(0, 'first entry: root Status rebuilt, CU1=CU2=FR=0');
    c.status &= ~(ST0_CU1 | ST0_CU2 | ST0_FR);
  }
}

/**
 * entry.c kvm_mips_build_exit, after the GPRs and Cause are saved: with root Status.CU1 set,
 * `cfc1` FCSR into vcpu->arch.fpu.fcr31 and `ctc1` 0 into FCSR; with root Config5.MSAEn set,
 * the same for MSACSR. So host FP instructions cannot raise the guest's pending exceptions.
 */
export function kvm_mips_build_exit(m: MipsVz, vi: number): void {
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
 * Every exit to root: the exception as the hardware reports it (`exception`, a constant), then
 * the exit stub.
 */
export function guestExit(m: MipsVz, vi: number, exception: string): void {
  if (m.trace.on) m.trace.line(0, `exception: ${exception} → root (guest exit)`);
  kvm_mips_build_exit(m, vi);
}
