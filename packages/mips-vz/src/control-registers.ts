/**
 * The guest-writable control registers of both variants (for `guest-write`), with their named
 * bits. FCSR and MSACSR belong to a unit: writing them is an FPU (ctc1) or MSA (ctcmsa)
 * instruction, and they are the 4 bytes of fcr31 / msacsr after fpr[32] (struct mips_fpu_struct).
 */
import type { ControlRegisterSpec } from '@vfpu/core';
import { slice } from '@vfpu/core/backend-utils';
import { fcsrOffset, msacsrOffset } from './csr.js';
import { CONFIG_BITS, CONFIG5_BITS, FCSR_BITS, MSACSR_BITS, STATUS_BITS } from './regs.js';

/** The control registers of a variant whose `union fpureg` is `slot` bytes. */
export function mipsControlRegisters(slot: number): readonly ControlRegisterSpec[] {
  return [
    {
      name: 'Status',
      description: 'CP0 Status (12.0); CU1/FR/MX changes trap with GSFC (GExcCode 1)',
      bits: STATUS_BITS,
    },
    {
      name: 'Config5',
      description: 'CP0 Config5 (16.5); every change traps with GSFC (GExcCode 1)',
      bits: CONFIG5_BITS,
    },
    {
      name: 'FCSR',
      description:
        'FPU control/status (fcr31), written with ctc1: RM 1:0, flags 6:2, enables 11:7, cause 17:12, FCC0 23, FS 24, FCC1-7 31:25',
      bits: FCSR_BITS,
      unit: 'fpu',
      slice: slice(fcsrOffset(slot), 4),
    },
    {
      name: 'MSACSR',
      description:
        'MSA control/status, written with ctcmsa: RM 1:0, flags 6:2, enables 11:7, cause 17:12, NX 18, FS 24',
      bits: MSACSR_BITS,
      unit: 'msa',
      slice: slice(msacsrOffset(slot), 4),
    },
    {
      // Loongson's GSFC handler lets the guest write CM and LASXEn (kvm_vz_config_guest_wrmask);
      // mainline's has no Config case, so a trapping write there is an internal error
      name: 'Config',
      description:
        'CP0 Config (16.0); every change traps with GSFC (GExcCode 1): Loongson applies the CM|LASXEn mask, mainline fails it (KVM_EXIT_INTERNAL_ERROR)',
      bits: CONFIG_BITS,
    },
  ];
}
