/**
 * The ids core gave the variant's names (`MachineInit.ids`), read once at machine creation into
 * numbers and per-unit tables indexed by unit id: nothing depends on a declaration's order.
 */
import type { Slice } from '@vfpu/core';
import { UNIT_LAYOUT, type UnitName } from './layout.js';

const NONE = -1;

function idOf(table: Readonly<Record<string, number>>, name: string): number {
  return table[name] ?? NONE;
}

/** Unit ids (amx −1 on 4.8) and, by unit id, what layout.ts says of each unit. */
export class UnitIds {
  readonly x87: number;
  readonly sse: number;
  readonly avx: number;
  readonly avx512: number;
  /** The `amx-tile` unit, or −1 (4.8 has no AMX). */
  readonly amx: number;
  readonly count: number;
  /** By unit id: the XCR0 bits it needs. */
  readonly xcr0: Int32Array;
  /** By unit id: the components an instruction of the unit marks in use and modified. */
  readonly components: Int32Array;
  /** By unit id: the unit's own part of the state. */
  readonly own: Int32Array;
  /** By unit id: its registers' slices. */
  readonly slices: readonly (readonly Slice[])[];

  constructor(units: Readonly<Record<string, number>>) {
    this.x87 = idOf(units, 'x87');
    this.sse = idOf(units, 'sse');
    this.avx = idOf(units, 'avx');
    this.avx512 = idOf(units, 'avx512');
    this.amx = idOf(units, 'amx-tile');
    const names = Object.keys(units) as UnitName[];
    this.count = names.length;
    this.xcr0 = new Int32Array(this.count);
    this.components = new Int32Array(this.count);
    this.own = new Int32Array(this.count);
    const slices: (readonly Slice[])[] = [];
    for (const name of names) {
      const id = units[name] as number;
      const u = UNIT_LAYOUT[name];
      this.xcr0[id] = u.xcr0;
      this.components[id] = u.components;
      this.own[id] = u.own;
      slices[id] = u.slices;
    }
    this.slices = slices;
  }

  slice(unit: number, reg: number): Slice {
    return (this.slices[unit] as readonly Slice[])[reg] as Slice;
  }
}

/** Guest control-register ids (−1 for the AMX ones on 4.8). */
export class RegisterIds {
  readonly xcr0: number;
  readonly cr0: number;
  readonly cpl: number;
  readonly mxcsr: number;
  readonly xfd: number;
  readonly xfdErr: number;
  readonly tilecfg: number;
  constructor(regs: Readonly<Record<string, number>>) {
    this.xcr0 = idOf(regs, 'XCR0');
    this.cr0 = idOf(regs, 'CR0');
    this.cpl = idOf(regs, 'CPL');
    this.mxcsr = idOf(regs, 'MXCSR');
    this.xfd = idOf(regs, 'IA32_XFD');
    this.xfdErr = idOf(regs, 'IA32_XFD_ERR');
    this.tilecfg = idOf(regs, 'TILECFG');
  }
}

/** System-call ids (−1 where the variant has none). */
export class SyscallIds {
  readonly reqGuestPerm: number;
  readonly setCpuid2: number;
  readonly createVcpu: number;
  readonly setXfd: number;
  readonly setXfdErr: number;
  readonly getXfd: number;
  readonly getXfdErr: number;
  readonly setXcrs: number;
  readonly setXsave: number;
  constructor(calls: Readonly<Record<string, number>>) {
    this.reqGuestPerm = idOf(calls, 'ARCH_REQ_XCOMP_GUEST_PERM');
    this.setCpuid2 = idOf(calls, 'KVM_SET_CPUID2');
    this.createVcpu = idOf(calls, 'KVM_CREATE_VCPU');
    this.setXfd = idOf(calls, 'KVM_SET_MSRS(IA32_XFD)');
    this.setXfdErr = idOf(calls, 'KVM_SET_MSRS(IA32_XFD_ERR)');
    this.getXfd = idOf(calls, 'KVM_GET_MSRS(IA32_XFD)');
    this.getXfdErr = idOf(calls, 'KVM_GET_MSRS(IA32_XFD_ERR)');
    this.setXcrs = idOf(calls, 'KVM_SET_XCRS');
    this.setXsave = idOf(calls, 'KVM_SET_XSAVE');
  }
}
