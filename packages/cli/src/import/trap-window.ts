/**
 * The window between an FP trap's handler and the guest's re-entry (mapper.ts). On MIPS and
 * LoongArch the trace shows it: the FP `kvm_exit`, then the `kvm_aux` of the unit's load, then
 * `kvm_reenter`. A `sched_switch` of the vCPU thread inside it is the workload's
 * `"preempt": "after-trap"` on that `use` (core then runs the put and the load on the same pCPU,
 * and the kernel decides whether the instruction traps again: LoongArch Gen-1 owned the unit in
 * the handler and loses it at the put, the 2026 delayed load owns it after the preemption). The
 * same instruction's second trap, after the re-entry at the same guest PC, is part of that `use`,
 * not a new instruction: an executed instruction moves the PC on, a re-executed one does not.
 */
import type { Slot } from './queue.js';

export class TrapWindow {
  /** Per vCPU: the `use` decided but held until the re-entry says whether it was preempted. */
  private readonly slot: (Slot | undefined)[] = [];
  private readonly unit: string[] = [];
  private readonly heldPc: string[] = [];
  /** Per vCPU: its thread left the pCPU inside the window. */
  private readonly preempted: boolean[] = [];
  /** Per vCPU: the PC whose next FP trap is the re-executed instruction, and its load to skip. */
  private readonly absorbPc: string[] = [];
  readonly absorbing: boolean[] = [];
  /** Per vCPU: the guest PC of its open FP trap. */
  readonly trapPc: string[] = [];

  held(v: number): boolean {
    return this.slot[v] !== undefined;
  }
  isPreempted(v: number): boolean {
    return this.preempted[v] === true;
  }
  preempt(v: number): void {
    this.preempted[v] = true;
  }

  /** The trap at `pc` loaded `unit`: its `use` waits for the re-entry. */
  hold(v: number, s: Slot, unit: string): void {
    this.slot[v] = s;
    this.unit[v] = unit;
    this.heldPc[v] = this.trapPc[v] ?? '';
  }

  /** Writes the held `use` (with the preemption when `preempt`); true if there was one. */
  settle(v: number, preempt: boolean, keep: boolean): boolean {
    const s = this.slot[v];
    this.preempted[v] = false;
    if (s === undefined) return false;
    const flag = preempt ? ',"preempt":"after-trap"' : '';
    s.text = keep ? `{"op":"use","vcpu":${v},"unit":"${this.unit[v]}"${flag},"ts":${s.ts}}` : '';
    this.slot[v] = undefined;
    this.absorbPc[v] = preempt ? (this.heldPc[v] ?? '') : '';
    return true;
  }

  /** An FP trap at `pc` right after a preempted window: the same instruction again. */
  reexecuted(v: number, pc: string): boolean {
    const again = pc !== '' && this.absorbPc[v] === pc;
    this.absorbPc[v] = '';
    if (again) this.absorbing[v] = true;
    return again;
  }

  /** Any other exit: the window is over. */
  clearAbsorb(v: number): void {
    this.absorbPc[v] = '';
  }
}
