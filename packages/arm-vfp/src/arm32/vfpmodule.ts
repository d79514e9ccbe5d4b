/**
 * The host's own lazy VFP (arch/arm/vfp/vfpmodule.c): FPEXC.EN cleared at every context switch,
 * the state loaded by the Undefined Instruction handler, kernel-mode NEON.
 */
import { FPEXC_EN, FPEXC_EX } from '../regs.js';
import type { Arm32, Cpu, Thread } from './state.js';
import { restoreBank, SAVE_HOST, saveBank } from './vfp-bank.js';

/** vfp_state_in_hw: the owner pointer, and on SMP hard.cpu (a migrated thread is not in hw). */
function vfp_state_in_hw(a: Arm32, cpu: number, thread: number): boolean {
  return (
    (a.cpus[cpu] as Cpu).vfp_current_hw_state === thread &&
    (!a.o.smp || (a.threads[thread] as Thread).cpu === cpu)
  );
}

/** vfphw.S vfp_save_state(owner's vfpstate, fpexc): into the thread's own struct. */
function vfp_save_state(a: Arm32, cpu: number, thread: number, depth: number): void {
  saveBank(a.hw(cpu), (a.threads[thread] as Thread).hard, a.d32, SAVE_HOST, false);
  a.host.call(a.ops.hostSave, thread, a.bytes, a.bank, depth);
  // without CONFIG_VFPv3 (fpregs[16]) the thread's d16–d31 stay behind in the registers
  if (a.d16Unsaved) a.host.undefine(thread, a.d16Mask);
}

/** Why a host thread's d16–d31 are not kept without CONFIG_VFPv3 (warned at its first use). */
const D16_UNSAVED =
  "host-use of d16-d31 or neon without CONFIG_VFPv3: the hardware executes it, but the kernel has no d16–d31 (vfp_hard_struct fpregs[16]; vfp_init sets neither HWCAP_VFPD32 nor HWCAP_NEON, CONFIG_NEON depends on VFPv3) and vfp_save_state moves d0–d15 only: the thread's d16–d31 are not preserved and not checked after its next save";

/**
 * vfp_notifier THREAD_NOTIFY_SWITCH: on SMP save the owner if EN is set; always clear EN.
 * `next`: the incoming thread, or −1 (idle).
 */
export function vfp_notifier(a: Arm32, cpu: number, next: number): void {
  const c = a.cpus[cpu] as Cpu;
  const fpexc = a.fpexc(cpu);
  const owner = c.vfp_current_hw_state;
  if (a.o.smp && fpexc & FPEXC_EN && owner >= 0) {
    if (a.t.on) a.t.fn(0, 'vfp_notifier', '— THREAD_NOTIFY_SWITCH: save the owner (SMP)');
    vfp_save_state(a, cpu, owner, 1);
  }
  a.writeFpexc(cpu, fpexc & ~FPEXC_EN);
  c.current = next;
}

/**
 * A host thread's VFP instruction: with FPEXC.EN = 0 it is UNDEFINED and vfp_support_entry
 * runs: EN set; unless the state is in hw (the last-owner fast path), UP saves the other
 * owner, then vfp_load_state; the instruction is retried.
 */
export function vfp_support_entry(a: Arm32, cpu: number, thread: number, unit: number): boolean {
  if (!a.o.d32 && unit !== a.unitVfp) {
    a.host.warn('host-use of d16-d31 or neon on D16 hardware: the host has neither; ignored');
    return false;
  }
  if (a.d16Unsaved && unit !== a.unitVfp) a.host.warn(D16_UNSAVED);
  const fpexc = a.fpexc(cpu);
  if (fpexc & FPEXC_EN) return true;
  const t = a.t;
  const c = a.cpus[cpu] as Cpu;
  a.host.count(a.ids.hostUndef);
  a.writeFpexc(cpu, (fpexc | FPEXC_EN) & ~FPEXC_EX);
  if (vfp_state_in_hw(a, cpu, thread)) {
    if (t.on) t.fn(0, 'vfp_support_entry', '— state already in hw (last owner): only FPEXC.EN set');
    return true;
  }
  if (t.on) t.fn(0, 'vfp_support_entry', `— load ${a.host.contextName(thread)}`);
  const owner = c.vfp_current_hw_state;
  if (!a.o.smp && owner >= 0) vfp_save_state(a, cpu, owner, 1);
  const th = a.threads[thread] as Thread;
  restoreBank(a.hw(cpu), th.hard, a.d32);
  a.host.call(a.ops.hostLoad, thread, a.bytes, a.bank, 1);
  a.host.loaded(cpu, thread, a.bank);
  c.hwCtx = thread;
  c.vfp_current_hw_state = thread;
  if (a.o.smp) th.cpu = cpu;
  return true;
}

/**
 * kernel_neon_begin: EN set; the current thread's state saved if in hw (UP: else the owner's);
 * vfp_current_hw_state = NULL; the kernel's NEON code then uses the registers.
 */
export function kernel_neon_begin(a: Arm32, cpu: number): void {
  const c = a.cpus[cpu] as Cpu;
  if (a.t.on) a.t.fn(0, 'kernel_neon_begin');
  a.writeFpexc(cpu, a.fpexc(cpu) | FPEXC_EN);
  const cur = c.current;
  const owner = c.vfp_current_hw_state;
  if (cur >= 0 && vfp_state_in_hw(a, cpu, cur)) vfp_save_state(a, cpu, cur, 1);
  else if (!a.o.smp && owner >= 0) vfp_save_state(a, cpu, owner, 1);
  c.vfp_current_hw_state = -1;
}

/** kernel_neon_end: FPEXC.EN cleared. */
export function kernel_neon_end(a: Arm32, cpu: number): void {
  if (a.t.on) a.t.fn(0, 'kernel_neon_end', '— FPEXC.EN cleared');
  a.writeFpexc(cpu, a.fpexc(cpu) & ~FPEXC_EN);
}
