/**
 * §C.2 R14, vcpu_switch.S: KVM's FP routines leave the hardware sstatus.FS as they found it
 * (csrr t2 … csrs SR_FS … csrw t2), while the host's fpu.S routines end with csrc SR_FS (Off).
 * Derivation, written before the model kept the hardware FS: the kernel runs with FS Off (entry.S
 * clears SR_FS); each routine must open FS for its fsd/fld (else an illegal instruction in the
 * kernel) and then restores the value read at entry: Off → Off, Initial → Initial, Clean → Clean,
 * Dirty → Dirty; __fstate_save/__fstate_restore leave Off whatever they found.
 */
import type { MachineHost } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { __fstate_restore, __fstate_save } from '../src/fpu.js';
import { REGISTER_FILE_BYTES } from '../src/layout.js';
import { CLEAN, DIRTY, INITIAL, OFF, RiscvState } from '../src/state.js';
import {
  __kvm_riscv_fp_d_restore,
  __kvm_riscv_fp_d_save,
  __kvm_riscv_fp_f_restore,
  __kvm_riscv_fp_f_save,
} from '../src/vcpu_switch.js';

function state(): RiscvState {
  const host = {
    vcpus: 1,
    cpus: 1,
    contexts: 2,
    registerFile: [new Uint8Array(REGISTER_FILE_BYTES).map((_, i) => i & 0xff)],
    op: () => 0,
    call: () => {},
  } as unknown as MachineHost;
  const isa = { f: true, d: true, v: false };
  return new RiscvState(host, { fp: 0, v: 1 }, isa, 128, false, false);
}

const KVM = {
  __kvm_riscv_fp_d_save,
  __kvm_riscv_fp_d_restore,
  __kvm_riscv_fp_f_save,
  __kvm_riscv_fp_f_restore,
};

describe('R14: the hardware sstatus.FS around the FP routines', () => {
  for (const [name, routine] of Object.entries(KVM)) {
    it(`${name} writes back the sstatus it read (Off, Initial, Clean, Dirty)`, () => {
      for (const before of [OFF, INITIAL, CLEAN, DIRTY]) {
        const m = state();
        m.hwFs[0] = before;
        const cntx = new Uint8Array(REGISTER_FILE_BYTES).fill(0x5a);
        routine(m, cntx, 0, 0, m.FP, 1);
        expect(m.hwFs[0]).toBe(before);
      }
    });
  }

  it('__kvm_riscv_fp_d_save moves the 32 registers and fcsr with FS Off on entry', () => {
    const m = state();
    const cntx = new Uint8Array(REGISTER_FILE_BYTES);
    __kvm_riscv_fp_d_save(m, cntx, 0, 0, m.FP, 1);
    const hw = m.h.registerFile[0] as Uint8Array;
    expect(Array.from(cntx.subarray(0, 260))).toEqual(Array.from(hw.subarray(0, 260)));
  });

  it("the host's __fstate_save / __fstate_restore leave FS Off (csrc CSR_STATUS, SR_FS)", () => {
    for (const routine of [__fstate_save, __fstate_restore]) {
      for (const before of [OFF, CLEAN, DIRTY]) {
        const m = state();
        m.hwFs[0] = before;
        routine(m, 1, 0);
        expect(m.hwFs[0]).toBe(OFF);
      }
    }
  });

  it('an FP register access with FS Off is an illegal instruction in the kernel', () => {
    const m = state();
    expect(() => m.fpRegisters(0)).toThrow(/illegal instruction in the kernel/);
  });
});
