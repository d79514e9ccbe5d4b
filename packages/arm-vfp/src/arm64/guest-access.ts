/**
 * What the hardware checks on each guest FP/SIMD/SVE access: the guest's own CPACR_EL1 first,
 * then the EL2 traps (CPTR_EL2 TFP/TZ on nVHE, CPACR_EL1 FPEN/ZEN on VHE).
 */
import { writeU32 } from '@vfpu/core';
import {
  CPACR_EL1_FPEN,
  CPACR_EL1_ZEN,
  CREG_CPACR_EL1,
  CREG_FPCR,
  ESR_ELx_EC_FP_ASIMD,
  ESR_ELx_EC_SVE,
  FPCR_OFFSET,
  FPSR_OFFSET,
  hex,
} from '../regs.js';
import {
  type Arm64,
  type Cpu,
  FPSIMD_BIT,
  GUEST_TRAP,
  SVE_BIT,
  TRAP_FP,
  TRAP_SVE,
  UNIT_SVE,
  type Vcpu,
} from './state.js';

/** Units the guest has enabled itself: CPACR_EL1.FPEN (and ZEN for an SVE vCPU). */
export function guestEnabled(a: Arm64, vi: number): number {
  const c = (a.vcpus[vi] as Vcpu).cpacr;
  if ((c & CPACR_EL1_FPEN) !== CPACR_EL1_FPEN) return 0;
  return a.o.sve && (c & CPACR_EL1_ZEN) === CPACR_EL1_ZEN ? FPSIMD_BIT | SVE_BIT : FPSIMD_BIT;
}

/**
 * The architecture's order: the guest's own CPACR_EL1 (ZEN, then FPEN) traps to guest EL1
 * first; then EL2: TZ (EC 0x19) takes precedence over TFP (EC 0x07) for an SVE instruction.
 */
export function guestAccess(a: Arm64, vi: number, unit: number): number {
  const v = a.vcpus[vi] as Vcpu;
  if (v.pendingUndef) {
    v.pendingUndef = false;
    a.host.count(a.ids.guestUndef);
    if (a.t.on) a.t.line(0, 'guest exception: Undefined Instruction (injected by KVM)');
    return GUEST_TRAP;
  }
  const c = v.cpacr;
  const cpu = a.cpus[v.cpu] as Cpu;
  if (unit === UNIT_SVE) {
    if ((c & CPACR_EL1_ZEN) !== CPACR_EL1_ZEN) return guestTrap(a, 'ZEN', ESR_ELx_EC_SVE);
    if ((c & CPACR_EL1_FPEN) !== CPACR_EL1_FPEN) return guestTrap(a, 'FPEN', ESR_ELx_EC_FP_ASIMD);
    if (cpu.trapSve) return TRAP_SVE;
    return cpu.trapFp ? TRAP_FP : 0;
  }
  if ((c & CPACR_EL1_FPEN) !== CPACR_EL1_FPEN) return guestTrap(a, 'FPEN', ESR_ELx_EC_FP_ASIMD);
  return cpu.trapFp ? TRAP_FP : 0;
}

function guestTrap(a: Arm64, field: string, ec: number): number {
  a.host.count(a.ids.guestCpacr);
  if (a.t.on)
    a.t.line(
      0,
      `guest exception: CPACR_EL1.${field} traps to guest EL1 (ESR_EL1 EC ${hex(ec, 2)}); KVM sees nothing`,
    );
  return GUEST_TRAP;
}

/** A guest MSR: CPACR_EL1 (its own enables, with set/clear bits), or FPCR / FPSR in the registers. */
export function guestWrite(
  a: Arm64,
  vi: number,
  reg: number,
  hasValue: boolean,
  value: number,
  set: number,
  clear: number,
): void {
  const v = a.vcpus[vi] as Vcpu;
  if (reg === CREG_CPACR_EL1) v.cpacr = (hasValue ? value : (v.cpacr | set) & ~clear) >>> 0;
  else writeU32(a.hw(v.cpu), reg === CREG_FPCR ? FPCR_OFFSET : FPSR_OFFSET, value);
}
