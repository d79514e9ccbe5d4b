/**
 * Bit and code constants, named as arch/mips/include/asm/mipsregs.h and kvm_host.h name them.
 */

// CP0 Status (12.0)
export const ST0_IE = 1 << 0;
export const ST0_EXL = 1 << 1;
export const ST0_ERL = 1 << 2;
export const ST0_BEV = 1 << 22;
export const ST0_MX = 1 << 24;
export const ST0_FR = 1 << 26;
export const ST0_CU0 = 1 << 28;
export const ST0_CU1 = 1 << 29;
export const ST0_CU2 = 1 << 30;

// Config1 (16.1), Config3 (16.3), Config5 (16.5)
export const MIPS_CONF1_FP = 1 << 0;
export const MIPS_CONF3_MSA = 1 << 28;
export const MIPS_CONF5_UFR = 1 << 2;
export const MIPS_CONF5_MRP = 1 << 3;
export const MIPS_CONF5_SBRI = 1 << 6;
export const MIPS_CONF5_FRE = 1 << 8;
export const MIPS_CONF5_UFE = 1 << 9;
export const MIPS_CONF5_MSAEN = 1 << 27;
export const MIPS_CONF5_CV = 1 << 29;
export const MIPS_CONF5_K = 1 << 30;

// Cause.ExcCode values (EXCCODE_*), Cause.CE field
export const EXCCODE_CPU = 11;
export const EXCCODE_MSADIS = 21;
export const EXCCODE_GE = 27;
/** Loongson: LS-mips defines EXCCODE_LASX 16 above kvm_mips_handle_exit; decoded through GSCause. */
export const EXCCODE_LASX = 16;
/** GSCause (CP0 22.1) GSExcCode, bits 6:2: 7 = LASX disabled. */
export const GSEXCCODE_LASX_DISABLED = 7;
export const CAUSEB_CE = 28;

// GuestCtl0.GExcCode values
export const MIPS_GCTL0_GEXC_GSFC = 1;

// vcpu->arch.aux_inuse
export const KVM_MIPS_AUX_FPU = 0x1;
export const KVM_MIPS_AUX_MSA = 0x2;
/** Loongson only. */
export const KVM_MIPS_AUX_LASX = 0x4;

// Config (16.0), Loongson
export const CONF_CM_CMASK = 7;
export const MIPS_CONF_LASXEN = 1 << 19;

/** FCSR (fcr31) fields, as mipsregs.h FPU_CSR_* (reference §1.3). */
export const FPU_CSR_RM = 0x3;
export const FPU_CSR_ALL_S = 0x7c;
export const FPU_CSR_ALL_E = 0xf80;
export const FPU_CSR_ALL_X = 0x3f000;
export const FPU_CSR_UNI_X = 0x20000;
export const FPU_CSR_FLUSH = 0x1000000;
export const FPU_CSR_COND = 0x800000;
export const FPU_CSR_CONDX = 0xfe000000;

/** The bits of FCSR, named as mipsregs.h FPU_CSR_* without the prefix (RM0/RM1: the two RM bits). */
export const FCSR_BITS = {
  RM0: 0,
  RM1: 1,
  INE_S: 2,
  UDF_S: 3,
  OVF_S: 4,
  DIV_S: 5,
  INV_S: 6,
  INE_E: 7,
  UDF_E: 8,
  OVF_E: 9,
  DIV_E: 10,
  INV_E: 11,
  INE_X: 12,
  UDF_X: 13,
  OVF_X: 14,
  DIV_X: 15,
  INV_X: 16,
  UNI_X: 17,
  NAN2008: 18,
  ABS2008: 19,
  COND0: 23,
  FLUSH: 24,
  COND1: 25,
  COND2: 26,
  COND3: 27,
  COND4: 28,
  COND5: 29,
  COND6: 30,
  COND7: 31,
} as const;

/** The bits of MSACSR, named as msa.h MSA_CSR_* (same flags/enables/cause layout as FCSR). */
export const MSACSR_BITS = {
  RM0: 0,
  RM1: 1,
  FLAGS_I: 2,
  FLAGS_U: 3,
  FLAGS_O: 4,
  FLAGS_Z: 5,
  FLAGS_V: 6,
  ENABLES_I: 7,
  ENABLES_U: 8,
  ENABLES_O: 9,
  ENABLES_Z: 10,
  ENABLES_V: 11,
  CAUSE_I: 12,
  CAUSE_U: 13,
  CAUSE_O: 14,
  CAUSE_Z: 15,
  CAUSE_V: 16,
  CAUSE_E: 17,
  NX: 18,
  FS: 24,
} as const;

/** CP0 Status (12.0) bits a workload names. */
export const STATUS_BITS = {
  IE: 0,
  EXL: 1,
  ERL: 2,
  BEV: 22,
  MX: 24,
  FR: 26,
  CU0: 28,
  CU1: 29,
  CU2: 30,
} as const;
/** CP0 Config5 (16.5) bits. */
export const CONFIG5_BITS = {
  UFR: 2,
  MRP: 3,
  SBRI: 6,
  FRE: 8,
  UFE: 9,
  MSAEn: 27,
  CV: 29,
  K: 30,
} as const;
/** CP0 Config (16.0) bits (Loongson LASXEn). */
export const CONFIG_BITS = { K0_0: 0, K0_1: 1, K0_2: 2, LASXEn: 19 } as const;

/** Status fields whose change raises a Guest Software Field Change exception. */
export const GSFC_STATUS_FIELDS = ST0_CU1 | ST0_CU2 | ST0_FR | ST0_MX;
