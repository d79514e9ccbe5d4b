/**
 * What the hardware checks on each guest FP/SIMD/SVE access: the guest's own CPACR_EL1 first,
 * then the EL2 traps (CPTR_EL2 TFP/TZ on nVHE, CPACR_EL1 FPEN/ZEN on VHE), whose exception
 * class the hardware reports in ESR_EL2.
 */
import type { AccessResult } from '@vfpu/core';
import { EXECUTES, NOT_EXECUTED, ROOT_TRAP } from '@vfpu/core/backend-utils';
import {
  CPACR_EL1_FPEN,
  CPACR_EL1_ZEN,
  ESR_ELx_EC_FP_ASIMD,
  ESR_ELx_EC_SVE,
  hex,
} from '../regs.js';
import type { Arm64, Cpu, Vcpu } from './state.js';

/** Units the guest has enabled itself: CPACR_EL1.FPEN (and ZEN for an SVE vCPU). */
export function guestEnabled(a: Arm64, vi: number): number {
  return enabledBy(a, (a.vcpus[vi] as Vcpu).cpacr);
}

/** The units a guest CPACR_EL1 of value `c` enables: FPEN (and ZEN for an SVE vCPU). */
export function enabledBy(a: Arm64, c: number): number {
  if ((c & CPACR_EL1_FPEN) !== CPACR_EL1_FPEN) return 0;
  return a.o.sve && (c & CPACR_EL1_ZEN) === CPACR_EL1_ZEN ? a.fpsimdBit | a.sveBit : a.fpsimdBit;
}

/**
 * The architecture's order: the guest's own CPACR_EL1 (ZEN, then FPEN) traps to guest EL1
 * first; then EL2: TZ (EC 0x19) takes precedence over TFP (EC 0x07) for an SVE instruction.
 * An EL2 trap latches its exception class in the vCPU (ESR_EL2).
 */
export function guestAccess(a: Arm64, vi: number, unit: number): AccessResult {
  const v = a.vcpus[vi] as Vcpu;
  if (v.pendingUndef) {
    v.pendingUndef = false;
    a.host.count(a.ids.guestUndef);
    if (a.t.on) a.t.line(0, 'guest exception: Undefined Instruction (injected by KVM)');
    return NOT_EXECUTED;
  }
  const c = v.cpacr;
  const cpu = a.cpus[v.cpu] as Cpu;
  if (unit === a.unitSve) {
    if ((c & CPACR_EL1_ZEN) !== CPACR_EL1_ZEN) return guestTrap(a, 'ZEN', ESR_ELx_EC_SVE);
    if ((c & CPACR_EL1_FPEN) !== CPACR_EL1_FPEN) return guestTrap(a, 'FPEN', ESR_ELx_EC_FP_ASIMD);
    if (cpu.trapSve) return el2Trap(v, ESR_ELx_EC_SVE);
    return cpu.trapFp ? el2Trap(v, ESR_ELx_EC_FP_ASIMD) : EXECUTES;
  }
  if ((c & CPACR_EL1_FPEN) !== CPACR_EL1_FPEN) return guestTrap(a, 'FPEN', ESR_ELx_EC_FP_ASIMD);
  return cpu.trapFp ? el2Trap(v, ESR_ELx_EC_FP_ASIMD) : EXECUTES;
}

function el2Trap(v: Vcpu, ec: number): AccessResult {
  v.esrEc = ec;
  return ROOT_TRAP;
}

function guestTrap(a: Arm64, field: string, ec: number): AccessResult {
  a.host.count(a.ids.guestCpacr);
  if (a.t.on)
    a.t.line(
      0,
      `guest exception: CPACR_EL1.${field} traps to guest EL1 (ESR_EL1 EC ${hex(ec, 2)}); KVM sees nothing`,
    );
  return NOT_EXECUTED;
}
