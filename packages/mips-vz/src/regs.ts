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

// unit indices of the lattice (fpu ⊂ msa ⊂ lasx)
export const UNIT_FPU = 0;
export const UNIT_MSA = 1;
export const UNIT_LASX = 2;

/** Guest-writable control registers and their named bits (for `guest-write`). */
export const CONTROL_REGISTERS = {
  Status: {
    description: 'CP0 Status (12.0); CU1/FR/MX changes trap with GSFC (GExcCode 1)',
    bits: { IE: 0, EXL: 1, ERL: 2, BEV: 22, MX: 24, FR: 26, CU0: 28, CU1: 29, CU2: 30 },
  },
  Config5: {
    description: 'CP0 Config5 (16.5); every change traps with GSFC (GExcCode 1)',
    bits: { UFR: 2, MRP: 3, SBRI: 6, FRE: 8, UFE: 9, MSAEn: 27, CV: 29, K: 30 },
  },
} as const;

/** Loongson adds CP0 Config (16.0): the guest may write CM and LASXEn (kvm_vz_config_guest_wrmask). */
export const LOONGSON_CONTROL_REGISTERS = {
  ...CONTROL_REGISTERS,
  Config: {
    description: 'CP0 Config (16.0); every change traps with GSFC (GExcCode 1)',
    bits: { K0_0: 0, K0_1: 1, K0_2: 2, LASXEn: 19 },
  },
} as const;

/** Control-register indices in the order above (the parser's `controlReg`). */
export const CREG_STATUS = 0;
export const CREG_CONFIG5 = 1;
export const CREG_CONFIG = 2;

/** Status fields whose change raises a Guest Software Field Change exception. */
export const GSFC_STATUS_FIELDS = ST0_CU1 | ST0_CU2 | ST0_FR | ST0_MX;
