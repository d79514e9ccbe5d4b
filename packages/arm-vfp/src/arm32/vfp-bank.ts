/**
 * The 32-bit VFP bank transfers, shared by KVM's Hyp code and the host's lazy VFP:
 * interrupts_head.S store_vfp_state / restore_vfp_state (A32-asm), hyp/vfp.S __vfp_save_state /
 * __vfp_restore_state (A32-C), vfphw.S / vfpmodule.c vfp_save_state / vfp_load_state (host).
 * The bank moves with VFPFSTMIA / VFPFLDMIA (vfpmacros.h): d0–d15 always, d16–d31 only when
 * MVFR0.A_SIMD == 2; the four control words always sit at offset 256.
 */
import { copyStrided, readU32, writeU32 } from '@vfpu/core/backend-utils';
import {
  FPEXC_EN,
  FPEXC_EX,
  FPEXC_FP2V,
  VFP_FPEXC,
  VFP_FPINST,
  VFP_FPINST2,
  VFP_FPSCR,
} from '../regs.js';

/** Bits of Vcpu.inst: which of FPINST / FPINST2 the guest's context really holds. */
export const INST_FPINST = 1;
export const INST_FPINST2 = 2;

/**
 * Which of FPINST / FPINST2 a save or restore with this FPEXC transfers: FPINST only with EX,
 * FPINST2 only with EX and FP2V ("tst r2, #FPEXC_EX; beq 1f" in store_vfp_state /
 * restore_vfp_state, the same in __vfp_save_state / __vfp_restore_state). Without them the
 * restore leaves another context's word in the register and the save stores whatever r4/r5
 * (A32-C r3/r4) held: the guest's word is lost, and the architecture defines no value for it.
 */
export function instTransferred(fpexc: number): number {
  if (!(fpexc & FPEXC_EX)) return 0;
  return fpexc & FPEXC_FP2V ? INST_FPINST | INST_FPINST2 : INST_FPINST;
}

/** How a save treats FPEXC before the bank store. */
export const SAVE_ASM = 0; // store_vfp_state: FPEXC = r2|EN; reads FPINST/2; then FPEXC = r2 & ~EX
export const SAVE_C = 1; // __vfp_save_state: FPEXC = (r1|EN) & ~EX first; then FPINST/2
export const SAVE_HOST = 2; // host vfp_save_state(state, fpexc): EN is already set; FPEXC not written

export interface BankResult {
  /** FPEXC writes the routine made. */
  writes: number;
  /** The saved FPEXC had EX=1 with EN=0: A32-asm would store the bank with VFP disabled. */
  hazard: boolean;
}

const result: BankResult = { writes: 0, hazard: false };

/**
 * Saves the hardware bank `hw` into `area`. `skipInst` (a fault) ignores EX. Returns the FPEXC
 * writes made (the result object is reused: no allocation).
 */
export function saveBank(
  hw: Uint8Array,
  area: Uint8Array,
  d32: boolean,
  how: number,
  skipInst: boolean,
): BankResult {
  const fpexc = readU32(hw, VFP_FPEXC);
  result.hazard = false;
  let writes = how === SAVE_HOST ? 0 : 1;
  if (how === SAVE_HOST) {
    // the caller enabled VFP; FPEXC is left as it is
  } else if (how === SAVE_ASM) {
    // FPEXC = r2|EN so the bank can be read; FPINST/FPINST2 are read while EX is still set
    writeU32(hw, VFP_FPEXC, (fpexc | FPEXC_EN) >>> 0);
  } else {
    writeU32(hw, VFP_FPEXC, (fpexc | FPEXC_EN) & ~FPEXC_EX);
  }
  if (fpexc & FPEXC_EX && !skipInst) {
    copyStrided(area, hw, VFP_FPINST, 0, 1, 4);
    if (fpexc & FPEXC_FP2V) copyStrided(area, hw, VFP_FPINST2, 0, 1, 4);
  }
  if (how === SAVE_ASM && fpexc & FPEXC_EX) {
    // built from r2, not r2|EN (kernel-check.md §5): with EN=0 VFP is disabled again here
    writeU32(hw, VFP_FPEXC, fpexc & ~FPEXC_EX);
    writes++;
    if (!(fpexc & FPEXC_EN)) result.hazard = true;
  }
  copyStrided(area, hw, 0, 0, 1, d32 ? 256 : 128);
  writeU32(area, VFP_FPEXC, fpexc);
  copyStrided(area, hw, VFP_FPSCR, 0, 1, 4);
  result.writes = writes;
  return result;
}

/** Loads `area` into the hardware bank: the bank, FPSCR, FPINST/FPINST2 when EX (/FP2V), FPEXC last. */
export function restoreBank(hw: Uint8Array, area: Uint8Array, d32: boolean): void {
  copyStrided(hw, area, 0, 0, 1, d32 ? 256 : 128);
  copyStrided(hw, area, VFP_FPSCR, 0, 1, 4);
  const fpexc = readU32(area, VFP_FPEXC);
  if (fpexc & FPEXC_EX) {
    copyStrided(hw, area, VFP_FPINST, 0, 1, 4);
    if (fpexc & FPEXC_FP2V) copyStrided(hw, area, VFP_FPINST2, 0, 1, 4);
  }
  writeU32(hw, VFP_FPEXC, fpexc);
}
