/**
 * The Hyp world switch around each guest run. A32-asm: arch/arm/kvm/interrupts.S __kvm_vcpu_run /
 * __kvm_vcpu_return with the interrupts_head.S macros (set_hcptr, store_vfp_state,
 * restore_vfp_state). A32-C: arch/arm/kvm/hyp/switch.c __kvm_vcpu_run, __activate_traps,
 * __deactivate_traps, __vfp_enabled, with hyp/vfp.S __vfp_save_state / __vfp_restore_state.
 */
import { FPEXC_EN, HCPTR_GUEST, HCPTR_TCP_VFP, hex } from '../regs.js';
import { keepBankAtExit, reenterWithLiveBank } from './policy-paths.js';
import type { Arm32, Cpu, Vcpu } from './state.js';
import { instTransferred, restoreBank, SAVE_ASM, SAVE_C, saveBank } from './vfp-bank.js';

/**
 * interrupts.S __kvm_vcpu_run (A32-asm): push the host FPEXC and force EN, then
 * `set_hcptr vmentry` ORs TTA|TCP10|TCP11. hyp/switch.c __activate_traps (A32-C): FPEXC|EN
 * written only when EN was clear, HCPTR written as exactly TTA|TCP10|TCP11.
 */
export function __kvm_vcpu_run(a: Arm32, vi: number): void {
  const t = a.t;
  const cpu = (a.vcpus[vi] as Vcpu).cpu;
  const c = a.cpus[cpu] as Cpu;
  if (t.on) t.fn(0, '__kvm_vcpu_run', a.asm ? '(interrupts.S)' : '(hyp/switch.c)');
  if (a.switchesFpexc) {
    const fpexc = a.fpexc(cpu);
    c.fpexcHost = fpexc;
    if (a.asm || !(fpexc & FPEXC_EN)) {
      a.writeFpexc(cpu, fpexc | FPEXC_EN);
      if (t.on) t.line(1, `host FPEXC ${hex(fpexc)} ${a.asm ? 'pushed' : 'kept'}; FPEXC |= EN`);
    } else if (t.on) t.line(1, `host FPEXC ${hex(fpexc)} kept; EN already set, not written`);
  }
  if (c.guestBank === vi) reenterWithLiveBank(a, cpu, vi);
  else set_hcptr(a, cpu, HCPTR_GUEST);
}

/** interrupts_head.S `set_hcptr vmentry` (HCPTR |= set) / __activate_traps (HCPTR = set). */
export function set_hcptr(a: Arm32, cpu: number, set: number): void {
  const c = a.cpus[cpu] as Cpu;
  c.hcptr = a.asm ? c.hcptr | set : set;
  a.host.control(1);
  if (a.t.on) a.t.line(1, `HCPTR ${a.asm ? '|=' : '='} ${hex(set)} → ${hex(c.hcptr)}`);
}

/**
 * interrupts.S __kvm_vcpu_return (A32-asm): `set_hcptr vmexit` clears TTA|TCP10|TCP11; if the
 * old value had TCP10/11 clear, store the guest bank and restore the host's; always pop FPEXC.
 * hyp/switch.c (A32-C): fp_enabled = __vfp_enabled(); __deactivate_traps writes HCPTR = 0; if
 * fp_enabled, __vfp_save_state(guest) then __vfp_restore_state(host); FPEXC rewritten last.
 * `save` false: a policy that keeps the bank live across exits (not what either kernel does).
 */
export function __kvm_vcpu_return(a: Arm32, vi: number, save: boolean): void {
  const t = a.t;
  const cpu = (a.vcpus[vi] as Vcpu).cpu;
  const c = a.cpus[cpu] as Cpu;
  const old = c.hcptr;
  const fpEnabled = (old & HCPTR_TCP_VFP) === 0;
  c.hcptr = a.asm ? old & ~HCPTR_GUEST : 0;
  a.host.control(1);
  if (t.on) {
    t.fn(0, a.asm ? '__kvm_vcpu_return' : '__deactivate_traps', `HCPTR → ${hex(c.hcptr)}`);
  }
  if (c.guestBank === vi && fpEnabled) {
    if (!save) {
      keepBankAtExit(a, cpu, vi);
    } else if (a.o.faults['no-switch-back']) {
      c.guestBank = -1; // fault: the guest bank is left in the registers
    } else {
      switchToHost(a, cpu, vi, 1);
    }
  } else if (t.on && a.switchesFpexc) {
    t.line(1, 'TCP10/TCP11 were still set: the guest did not use VFP in this run');
  }
  if (a.switchesFpexc) {
    a.writeFpexc(cpu, c.fpexcHost);
    if (t.on)
      t.line(1, `FPEXC = ${hex(c.fpexcHost)} (the host's, ${a.asm ? 'popped' : 'fpexc_host'})`);
  }
}

/**
 * The exit half of the switch: the guest bank stored (store_vfp_state / __vfp_save_state), the
 * host area restored (restore_vfp_state / __vfp_restore_state; FPEXC written last by the restore).
 */
export function switchToHost(a: Arm32, cpu: number, vi: number, depth: number): void {
  const hw = a.hw(cpu);
  const c = a.cpus[cpu] as Cpu;
  const v = a.vcpus[vi] as Vcpu;
  // FPINST/FPINST2 not read: vfp_guest gets whatever r4/r5 held
  v.inst &= instTransferred(a.fpexc(cpu));
  const r = saveBank(
    hw,
    v.vfp_guest,
    a.d32,
    a.asm ? SAVE_ASM : SAVE_C,
    a.o.faults['skip-fpinst-save'],
  );
  if (r.hazard && a.asm) {
    a.host.warn(
      'store_vfp_state: the guest FPEXC has EX = 1 and EN = 0; the A32-asm save clears EX from the original value and stores the bank with VFP disabled (a Hyp UNDEF on hardware)',
    );
  }
  a.host.control(r.writes);
  a.host.call(a.ops.save, vi, a.bytes, a.bank, depth);
  restoreBank(hw, c.vfp_host, a.d32);
  a.host.control(1);
  const hostCtx = c.vfpHostCtx;
  a.host.call(a.ops.restore, hostCtx >= 0 ? hostCtx : a.host.vmmThread(vi), a.bytes, 0, depth);
  c.hwCtx = hostCtx;
  a.host.loaded(cpu, hostCtx >= 0 ? hostCtx : null, a.bank);
  c.guestBank = -1;
}
