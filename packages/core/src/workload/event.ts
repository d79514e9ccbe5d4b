/**
 * A workload event, as a reusable mutable record: parsers and generators fill one instance
 * and the engine reads it, so the hot path allocates nothing per event.
 */

export const OPS = [
  'load',
  'enter',
  'use',
  'guest-write',
  'exit',
  'put',
  'host-use',
  'switch',
  'kernel-fpu',
  'user-get',
  'user-set',
  'work',
  'run',
  'sched-out',
  'syscall',
] as const;
export type OpName = (typeof OPS)[number];

export const Op = {
  load: 0,
  enter: 1,
  use: 2,
  guestWrite: 3,
  exit: 4,
  put: 5,
  hostUse: 6,
  switch: 7,
  kernelFpu: 8,
  userGet: 9,
  userSet: 10,
  work: 11,
  run: 12,
  schedOut: 13,
  syscall: 14,
} as const;

export const ACCESSES = ['read', 'write', 'rw'] as const;
export const Access = { read: 1, write: 2, rw: 3 } as const;

export class WorkloadEvent {
  op = 0;
  vcpu = -1;
  cpu = -1;
  /** Unit index in the backend's lattice (after class mapping). */
  unit = -1;
  /** The unit or class name as written (for traces). */
  unitName = '';
  access: number = Access.rw;
  /** Register number, or −1: the engine picks one with the seeded generator. */
  reg = -1;
  /** A conditional instruction that fails its condition (ARM): it traps but does not execute. */
  conditionFails = false;
  /** `"preempt": "after-trap"`: the vCPU thread is preempted between the trap's handler and the re-entry. */
  preemptAfterTrap = false;
  /** Control-register index (guest-write). */
  controlReg = -1;
  /** A register handle of the variant's userspace interface (user-get / user-set by `id`), or −1. */
  regId = -1;
  /** Index of the variant's system call (`syscall` by `name`), or −1. */
  call = -1;
  hasValue = false;
  value = 0;
  set = 0;
  clear = 0;
  /** Index into EXIT_REASONS, then into the variant's own `exitReasons`. */
  reason = 0;
  /** Context index of a host thread, or −1. */
  thread = -1;
  cycles = 0;
  /** `label` of an exit: the kernel's name for it (per-reason counts), or ''. */
  label = '';
  /** `ts`: when the event happened, in seconds, or −1 (carried through, not simulated). */
  ts = -1;
  /** 1-based line in the input (0 for generated events). */
  line = 0;

  /** Every field of `o` (one generated event fed to several simulators). */
  copyFrom(o: WorkloadEvent): this {
    this.op = o.op;
    this.vcpu = o.vcpu;
    this.cpu = o.cpu;
    this.unit = o.unit;
    this.unitName = o.unitName;
    this.access = o.access;
    this.reg = o.reg;
    this.conditionFails = o.conditionFails;
    this.preemptAfterTrap = o.preemptAfterTrap;
    this.controlReg = o.controlReg;
    this.regId = o.regId;
    this.call = o.call;
    this.hasValue = o.hasValue;
    this.value = o.value;
    this.set = o.set;
    this.clear = o.clear;
    this.reason = o.reason;
    this.thread = o.thread;
    this.cycles = o.cycles;
    this.ts = o.ts;
    this.label = o.label;
    this.line = o.line;
    return this;
  }

  reset(op: number): this {
    this.op = op;
    this.vcpu = -1;
    this.cpu = -1;
    this.unit = -1;
    this.unitName = '';
    this.access = Access.rw;
    this.reg = -1;
    this.conditionFails = false;
    this.preemptAfterTrap = false;
    this.controlReg = -1;
    this.regId = -1;
    this.call = -1;
    this.hasValue = false;
    this.value = 0;
    this.set = 0;
    this.clear = 0;
    this.reason = 0;
    this.thread = -1;
    this.cycles = 0;
    this.ts = -1;
    this.label = '';
    return this;
  }
}
