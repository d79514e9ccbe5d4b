/**
 * arch/riscv/kvm/vcpu_switch.S: the FP save/restore routines KVM calls for both the guest's and
 * the host's context. Each reads sstatus, sets SR_FS so the FP registers are accessible, moves
 * f0…f31 and fcsr (fsd/fld or fsw/flw, frcsr/fscsr) and writes the original sstatus back: the
 * hardware FS is unchanged afterwards, whatever it was (reference §C.2 R14):
 *   csrr t2, CSR_SSTATUS; li t1, SR_FS; csrs CSR_SSTATUS, t1; … ; csrw CSR_SSTATUS, t2
 */
import { copyStrided } from '@vfpu/core/backend-utils';
import { D_BYTES, D_FCSR, F_BYTES, F_FCSR, NREGS } from './layout.js';
import { DIRTY, type RiscvState } from './state.js';

/** fsd f0…f31 at 8n, frcsr → fcsr at 256: 260 bytes. */
export function __kvm_riscv_fp_d_save(
  m: RiscvState,
  cntx: Uint8Array,
  cpu: number,
  ctx: number,
  units: number,
  depth: number,
): void {
  const t2 = m.hwFs[cpu] as number; // csrr t2, CSR_SSTATUS
  m.hwFs[cpu] = DIRTY; // csrs CSR_SSTATUS, SR_FS (both bits: Dirty)
  const hw = m.fpRegisters(cpu);
  copyStrided(cntx, hw, 0, 8, NREGS, 8);
  copyStrided(cntx, hw, D_FCSR, 4, 1, 4);
  m.hwFs[cpu] = t2; // csrw CSR_SSTATUS, t2
  m.h.call(m.ops.fpDSave, ctx, D_BYTES, units, depth);
}

/** fld f0…f31, fscsr: 260 bytes into the registers. */
export function __kvm_riscv_fp_d_restore(
  m: RiscvState,
  cntx: Uint8Array,
  cpu: number,
  ctx: number,
  units: number,
  depth: number,
): void {
  const t2 = m.hwFs[cpu] as number; // csrr t2, CSR_SSTATUS
  m.hwFs[cpu] = DIRTY; // csrs CSR_SSTATUS, SR_FS (both bits: Dirty)
  const hw = m.fpRegisters(cpu);
  copyStrided(hw, cntx, 0, 8, NREGS, 8);
  copyStrided(hw, cntx, D_FCSR, 4, 1, 4);
  m.hwFs[cpu] = t2; // csrw CSR_SSTATUS, t2
  m.h.call(m.ops.fpDRestore, ctx, D_BYTES, units, depth);
}

/** fsw f0…f31 to f[n] at 4n of the union, frcsr → fcsr at 128: 132 bytes. */
export function __kvm_riscv_fp_f_save(
  m: RiscvState,
  cntx: Uint8Array,
  cpu: number,
  ctx: number,
  units: number,
  depth: number,
): void {
  const t2 = m.hwFs[cpu] as number; // csrr t2, CSR_SSTATUS
  m.hwFs[cpu] = DIRTY; // csrs CSR_SSTATUS, SR_FS (both bits: Dirty)
  const hw = m.fpRegisters(cpu);
  for (let n = 0; n < NREGS; n++)
    for (let i = 0; i < 4; i++) cntx[4 * n + i] = hw[8 * n + i] as number;
  for (let i = 0; i < 4; i++) cntx[F_FCSR + i] = hw[D_FCSR + i] as number;
  m.hwFs[cpu] = t2; // csrw CSR_SSTATUS, t2
  m.h.call(m.ops.fpFSave, ctx, F_BYTES, units, depth);
}

/** flw f0…f31 (NaN-boxed: the upper word of each 64-bit register becomes all ones), fscsr. */
export function __kvm_riscv_fp_f_restore(
  m: RiscvState,
  cntx: Uint8Array,
  cpu: number,
  ctx: number,
  units: number,
  depth: number,
): void {
  const t2 = m.hwFs[cpu] as number; // csrr t2, CSR_SSTATUS
  m.hwFs[cpu] = DIRTY; // csrs CSR_SSTATUS, SR_FS (both bits: Dirty)
  const hw = m.fpRegisters(cpu);
  for (let n = 0; n < NREGS; n++) {
    for (let i = 0; i < 4; i++) hw[8 * n + i] = cntx[4 * n + i] as number;
    for (let i = 4; i < 8; i++) hw[8 * n + i] = 0xff;
  }
  for (let i = 0; i < 4; i++) hw[D_FCSR + i] = cntx[F_FCSR + i] as number;
  m.hwFs[cpu] = t2; // csrw CSR_SSTATUS, t2
  m.h.call(m.ops.fpFRestore, ctx, F_BYTES, units, depth);
}
