/**
 * 32-bit paths only a non-`kvm` policy takes (neither kernel generation has them): a guest bank
 * kept live across exits, switched back outside the guest, and a load at entry without the trap.
 */
import { readU32, writeU32 } from '@vfpu/core/backend-utils';
import { HCPTR_TTA, VFP_FPEXC } from '../regs.js';
import { set_hcptr, switchToHost } from './hyp-switch.js';
import { switch_to_guest_vfp } from './interrupts.js';
import type { Arm32, Cpu, Vcpu } from './state.js';

/** At exit (`save` false): the guest bank stays in the registers; its FPEXC is kept aside. */
export function keepBankAtExit(a: Arm32, cpu: number, vi: number): void {
  writeU32((a.vcpus[vi] as Vcpu).vfp_guest, VFP_FPEXC, a.fpexc(cpu));
  if (a.t.on)
    a.t.line(1, 'policy: the guest bank stays live across the exit (its FPEXC kept aside)');
}

/** At entry with the bank still live: the guest gets its FPEXC back, no trap armed (TTA only). */
export function reenterWithLiveBank(a: Arm32, cpu: number, vi: number): void {
  a.writeFpexc(cpu, readU32((a.vcpus[vi] as Vcpu).vfp_guest, VFP_FPEXC));
  if (a.t.on)
    a.t.line(1, 'policy: the guest bank is still live; guest FPEXC rewritten, TCP10/11 left clear');
  set_hcptr(a, cpu, HCPTR_TTA);
}

/**
 * Outside the guest, a bank a policy kept across exits goes back: the guest's FPEXC (kept aside
 * at the exit) is put back for the save, then the host's.
 */
export function giveBack(a: Arm32, cpu: number, vi: number): void {
  if (a.t.on)
    a.t.line(0, 'policy kept the guest bank across exits: switch it back now (not a kernel path)');
  a.writeFpexc(cpu, readU32((a.vcpus[vi] as Vcpu).vfp_guest, VFP_FPEXC));
  switchToHost(a, cpu, vi, 1);
  a.writeFpexc(cpu, (a.cpus[cpu] as Cpu).fpexcHost);
}

/** A policy's preload at entry: the Hyp switch without the trap. */
export function policyLoad(a: Arm32, vi: number): void {
  const cpu = (a.vcpus[vi] as Vcpu).cpu;
  if ((a.cpus[cpu] as Cpu).guestBank === vi || !a.o.vfpv3) return;
  if (a.t.on) a.t.line(0, 'policy load at entry (not a kernel path): TCP10/11 cleared');
  switch_to_guest_vfp(a, cpu, vi, 1);
}
