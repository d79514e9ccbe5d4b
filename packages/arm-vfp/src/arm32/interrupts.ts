/**
 * The Hyp trap of a guest VFP/NEON instruction (HSR EC 0x07, HCPTR.TCP10/11 set):
 * arch/arm/kvm/interrupts.S guest_trap → switch_to_guest_vfp (A32-asm), hyp/hyp-entry.S →
 * hyp/entry.S __vfp_guest_restore (A32-C). Without CONFIG_VFPv3 neither exists and the trap is
 * a full exit (ARM_EXCEPTION_HVC) into handle_exit.
 */
import type { Resume } from '@vfpu/core';
import { RESUME_GUEST, readU32 } from '@vfpu/core/backend-utils';
import { describeSyndrome, HCPTR_TCP_VFP, VFP_FPEXC } from '../regs.js';
import { handle_exit } from './handle-exit.js';
import { __kvm_vcpu_return } from './hyp-switch.js';
import type { Arm32, Cpu, Vcpu } from './state.js';
import { instTransferred, restoreBank, SAVE_ASM, SAVE_C, saveBank } from './vfp-bank.js';

/**
 * The HCPTR trap (EC 0x07, its HSR latched by the hardware check): in Hyp with CONFIG_VFPv3,
 * else a full exit into handle_exit.
 */
export function guest_trap(a: Arm32, vi: number): Resume {
  const t = a.t;
  const v = a.vcpus[vi] as Vcpu;
  const hsr = v.hsr;
  a.host.count(a.ids.trap);
  if (!a.o.vfpv3) {
    // hyp_hvc / guest_trap without the CONFIG_VFPv3 check: HSR stored, ARM_EXCEPTION_HVC
    if (t.on)
      t.line(0, `Hyp trap: ${describeSyndrome('HSR', hsr)} → guest_trap, ARM_EXCEPTION_HVC`);
    __kvm_vcpu_return(a, vi, false);
    return handle_exit(a, vi);
  }
  if (t.on) {
    t.fn(
      0,
      a.asm ? 'switch_to_guest_vfp' : '__vfp_guest_restore',
      `— Hyp trap ${describeSyndrome('HSR', hsr)}; handled in Hyp, no exit, the instruction is retried`,
    );
  }
  switch_to_guest_vfp(a, v.cpu, vi, 1);
  v.hypReturn = true;
  return RESUME_GUEST;
}

/**
 * interrupts.S switch_to_guest_vfp (A32-asm) / hyp/entry.S __vfp_guest_restore (A32-C, the same
 * routine): HCPTR.TCP10/11 cleared, the host bank saved into this CPU's area, the guest's loaded.
 */
export function switch_to_guest_vfp(a: Arm32, cpu: number, vi: number, depth: number): void {
  const hw = a.hw(cpu);
  const c = a.cpus[cpu] as Cpu;
  c.hcptr = c.hcptr & ~HCPTR_TCP_VFP;
  a.host.control(1);
  const hostCtx = c.hwCtx;
  c.vfpHostCtx = hostCtx;
  const r = saveBank(
    hw,
    c.vfp_host,
    a.d32,
    a.asm ? SAVE_ASM : SAVE_C,
    a.o.faults['skip-fpinst-save'],
  );
  a.host.control(r.writes);
  a.host.call(a.ops.save, hostCtx >= 0 ? hostCtx : a.host.vmmThread(vi), a.bytes, 0, depth);
  const v = a.vcpus[vi] as Vcpu;
  restoreBank(hw, v.vfp_guest, a.d32);
  // FPINST/FPINST2 not loaded: the guest now sees another context's word
  v.inst &= instTransferred(readU32(v.vfp_guest, VFP_FPEXC));
  a.host.control(1);
  a.host.call(a.ops.restore, vi, a.bytes, a.bank, depth);
  a.host.loaded(cpu, vi, a.bank);
  c.hwCtx = vi;
  c.guestBank = vi;
}
