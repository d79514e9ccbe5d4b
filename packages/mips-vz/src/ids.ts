/** The ids core gave a MIPS variant's names, as the machine uses them. */
import type { MachineIds, UnitMask } from '@vfpu/core';
import { idOf } from '@vfpu/core/backend-utils';

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
    const reg = (name: string) => idOf(ids.controlRegisters, name);
    this.fpu = idOf(ids.units, 'fpu');
    this.msa = idOf(ids.units, 'msa');
    // only the Loongson variant declares LASX
    this.lasx = ids.units.lasx ?? -1;
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
    this.cop2 = idOf(ids.exitReasons, 'cop2');
    this.gsexc = idOf(ids.exitReasons, 'gsexc');
  }
}
