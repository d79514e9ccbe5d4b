/**
 * `struct loongarch_fpu` (arch/loongarch/include/asm/processor.h) as one byte image, used for the
 * pCPU register file and for each vCPU's `vcpu->arch.fpu`: 32 slots of FPU_REG_WIDTH (256 bits),
 * then fcc (8 × 8-bit flags in one u64) and fcsr (FCSR0, u32). `$fN` is bytes 0–7 of slot N,
 * `$vrN` bytes 0–15, `$xrN` bytes 0–31 (asmmacro.h: fst.d / vst / xvst at THREAD_FPRn).
 * The model keeps the slots first, then fcc, then fcsr (the kernel struct's field order is
 * fcsr, fcc, fpr[]; the order inside the image is not observable).
 */
import type { Slice } from '@vfpu/core';
import { slice, sliceTable } from '@vfpu/core/backend-utils';

export const NUM_FPU_REGS = 32;
/** FPU_REG_WIDTH / 8: bytes of one fpureg slot. */
export const SLOT = 32;
export const FCC_OFFSET = NUM_FPU_REGS * SLOT;
export const FCSR_OFFSET = FCC_OFFSET + 8;
/** vcpu->arch.lbt / thread.lbt: scr0–scr3 and eflags, 8 bytes each (kernel/lbt.S stptr.d). */
export const LBT_OFFSET = FCSR_OFFSET + 4;
export const LBT_BYTES = 5 * 8;
/** Bytes of the image: 32 × 32 + fcc 8 + fcsr 4, then the LBT registers (40). */
export const IMAGE_BYTES = LBT_OFFSET + LBT_BYTES;

/** fcc + fcsr, moved by every full save/restore (fpu_save_cc/csr, fpu_restore_cc/csr). */
export const CC_CSR_BYTES = 12;
/** kvm_save_fpu / kvm_restore_fpu: 32 × 64-bit + FCSR0 + FCC. */
export const FPU_BYTES = NUM_FPU_REGS * 8 + CC_CSR_BYTES;
/** kvm_save_lsx / kvm_restore_lsx: 32 × 128-bit + FCC + FCSR0. */
export const LSX_BYTES = NUM_FPU_REGS * 16 + CC_CSR_BYTES;
/** kvm_save_lasx / kvm_restore_lasx: 32 × 256-bit + FCC + FCSR0. */
export const LASX_BYTES = NUM_FPU_REGS * 32 + CC_CSR_BYTES;
/** _restore_lsx_upper: bits 127:64 of each $vr. */
export const LSX_UPPER_BYTES = NUM_FPU_REGS * 8;
/** _restore_lasx_upper: bits 255:128 of each $xr. */
export const LASX_UPPER_BYTES = NUM_FPU_REGS * 16;

export const FPR_SLICES: readonly Slice[] = sliceTable(0, 8, NUM_FPU_REGS, SLOT);
export const VR_SLICES: readonly Slice[] = sliceTable(0, 16, NUM_FPU_REGS, SLOT);
export const XR_SLICES: readonly Slice[] = sliceTable(0, 32, NUM_FPU_REGS, SLOT);
/** The 4 bytes per register KVM_GET_FPU returns (FPU_REG_WIDTH / 64). */
export const UAPI_SLICES: readonly Slice[] = sliceTable(0, 4, NUM_FPU_REGS, SLOT);
export const LBT_SLICES: readonly Slice[] = sliceTable(LBT_OFFSET, 8, 5);
export const FCSR_SLICE: Slice = slice(FCSR_OFFSET, 4);

/** aux_inuse flags (arch/loongarch/include/asm/kvm_host.h). */
export const KVM_LARCH_FPU = 0x1;
export const KVM_LARCH_LSX = 0x2;
export const KVM_LARCH_LASX = 0x4;
export const KVM_LARCH_LBT = 0x8;

/** FCSR0.TM (bit 6): the LBT x87 TOP mode (FPU_CSR_TM). */
export const FPU_CSR_TM = 0x40;

/** CSR.EUEN bits (asm/loongarch.h CSR_EUEN_*). */
export const CSR_EUEN_FPEN = 0x1;
export const CSR_EUEN_LSXEN = 0x2;
export const CSR_EUEN_LASXEN = 0x4;
export const CSR_EUEN_LBTEN = 0x8;

/** ESTAT.Ecode values (asm/loongarch.h). */
export const EXCCODE_INE = 13;
export const EXCCODE_FPDIS = 15;
export const EXCCODE_LSXDIS = 16;
export const EXCCODE_LASXDIS = 17;
export const EXCCODE_BTDIS = 20;

/** CPUCFG2 feature bits the model reads (asm/loongarch.h CPUCFG2_FP / _LSX / _LASX). */
export const CPUCFG2_FP = 1 << 0;
export const CPUCFG2_LSX = 1 << 6;
export const CPUCFG2_LASX = 1 << 7;
