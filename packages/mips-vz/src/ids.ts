/** The ids core gave a MIPS variant's names, as the machine uses them. */
import type { MachineIds, UnitMask } from '@vfpu/core';

/**
 * Core's ids for the variant's names, read once at creation (MachineInit.ids): nothing depends
 * on the order of a declaration. Mainline has no LASX: its id is −1 and its bit 0.
 */
export class MipsIds {
  /** Unit ids. */
  readonly fpu: number;
  readonly msa: number;
  readonly lasx: number;
  /** The units as bits of a UnitMask. */
  readonly FPU_BIT: UnitMask;
  readonly MSA_BIT: UnitMask;
  readonly LASX_BIT: UnitMask;
  /** The vector parts above the FPU: MSA, and on Loongson the LASX upper half too. */
  readonly VECTOR_BITS: UnitMask;
  /** Control-register ids (guest-write). */
  readonly Status: number;
  readonly Config5: number;
  readonly Config: number;
  readonly FCSR: number;
  readonly MSACSR: number;
  /** Exit-reason ids by name (for the exit table), and the variant's own two. */
  readonly reasons: Readonly<Record<string, number>>;
  readonly cop2: number;
  readonly gsexc: number;

  constructor(ids: MachineIds) {
    const unit = (name: string) => ids.units[name] ?? -1;
    const reg = (name: string) => ids.controlRegisters[name] as number;
    this.fpu = unit('fpu');
    this.msa = unit('msa');
    this.lasx = unit('lasx');
    this.FPU_BIT = 1 << this.fpu;
    this.MSA_BIT = 1 << this.msa;
    this.LASX_BIT = this.lasx < 0 ? 0 : 1 << this.lasx;
    this.VECTOR_BITS = this.MSA_BIT | this.LASX_BIT;
    this.Status = reg('Status');
    this.Config5 = reg('Config5');
    this.Config = reg('Config');
    this.FCSR = reg('FCSR');
    this.MSACSR = reg('MSACSR');
    this.reasons = ids.exitReasons;
    this.cop2 = ids.exitReasons.cop2 as number;
    this.gsexc = ids.exitReasons.gsexc as number;
  }
}
