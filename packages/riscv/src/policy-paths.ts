/**
 * NOT LINUX. What policies other than `kvm` ask of this machine. Linux KVM on RISC-V has no
 * first-use trap: it restores at vcpu_load whatever the HS-level FS/VS does not mark Off and
 * saves at vcpu_put what is Dirty (vcpu.c, vcpu_fp.c, vcpu_vector.c). A lazy hypervisor on the
 * same hardware would instead "park" a unit: save it if Dirty and set the HS-level FS (or VS)
 * Off, so that the guest's next instruction of the unit raises an illegal-instruction exception
 * that the hypervisor takes (it must not delegate EXC_INST_ILLEGAL while a unit is parked,
 * unlike Linux ≥ 6.17), restores the unit and sets it Clean, and re-executes the instruction.
 *
 * - `kvm_arch_vcpu_load(…, preload)`: a unit the guest enabled but the policy does not preload
 *   (`lazy`, `widest`, `adaptive` before it learns) is parked before the kernel's load, which then
 *   restores nothing for it (parkBeforeLoad); under `kvm` (= `eager`) nothing is parked.
 * - `exit(…, save)` (lazy-per-exit): park every live unit (parkAtExit).
 * - the illegal instruction of a parked unit: a root trap (illegal_insn_fs_off / _vs_off) whose
 *   handler restores the unit and what the policy grants (unparkOnTrap).
 * - `load(v, units)` (a policy's preload): restore the parked units asked for (unparkOnLoad).
 *
 * The routines that move the bytes are the kernel's (__kvm_riscv_fp_*, __kvm_riscv_vector_*).
 * While parked, kvm_arch_vcpu_load / _put see FS/VS Off and move nothing for the unit.
 */
import { __kvm_riscv_vector_restore, __kvm_riscv_vector_save } from './kvm_vcpu_vector.js';
import { CLEAN, DIRTY, NOWHERE, OFF, type RiscvState } from './state.js';
import {
  __kvm_riscv_fp_d_restore,
  __kvm_riscv_fp_d_save,
  __kvm_riscv_fp_f_restore,
  __kvm_riscv_fp_f_save,
} from './vcpu_switch.js';

/**
 * Before kvm_arch_vcpu_load: park the units of `units` that are not Off. The vCPU is not loaded,
 * so its state is in guest_context (the last put saved what was Dirty): nothing to save.
 */
export function parkBeforeLoad(m: RiscvState, v: number, units: number): void {
  let parked = 0;
  if (units & m.FP && m.fs[v] !== OFF) {
    m.fs[v] = OFF;
    parked |= m.FP;
  }
  if (units & m.V && m.vs[v] !== OFF) {
    m.vs[v] = OFF;
    parked |= m.V;
  }
  if (parked === 0) return;
  m.parked[v] = (m.parked[v] as number) | parked;
  if (m.h.trace.on)
    m.h.trace.line(0, 'policy (not Linux): no preload, units parked (FS/VS = Off) before the load');
}

/** Saves (if Dirty) and parks Off every unit live for `v`. */
export function parkAtExit(m: RiscvState, v: number): void {
  const cpu = m.cpuOf[v] as number;
  if (cpu === NOWHERE) return;
  if (m.h.trace.on) m.h.trace.line(0, 'policy (not Linux): park live units, FS/VS = Off');
  const cntx = m.area[v] as Uint8Array;
  if (m.fs[v] !== OFF && m.fpOwner[cpu] === v) {
    if (m.fs[v] === DIRTY) {
      if (m.isa.d) __kvm_riscv_fp_d_save(m, cntx, cpu, v, m.FP, 1);
      else __kvm_riscv_fp_f_save(m, cntx, cpu, v, m.FP, 1);
    }
    m.fs[v] = OFF;
    m.parked[v] = (m.parked[v] as number) | m.FP;
  }
  if (m.vs[v] !== OFF && m.vOwner[cpu] === v) {
    if (m.vs[v] === DIRTY) __kvm_riscv_vector_save(m, cntx, cpu, v, m.V, 1);
    m.vs[v] = OFF;
    m.parked[v] = (m.parked[v] as number) | m.V;
  }
}

/** Restores the parked units of `units` and sets them Clean. */
export function unparkOnLoad(m: RiscvState, v: number, units: number): void {
  const cpu = m.cpuOf[v] as number;
  const want = units & (m.parked[v] as number);
  if (cpu === NOWHERE || want === 0) return;
  const cntx = m.area[v] as Uint8Array;
  if (want & m.FP) {
    if (m.isa.d) __kvm_riscv_fp_d_restore(m, cntx, cpu, v, m.FP, 1);
    else __kvm_riscv_fp_f_restore(m, cntx, cpu, v, m.FP, 1);
    m.fpOwner[cpu] = v;
    m.h.loaded(cpu, v, m.FP);
    m.fs[v] = CLEAN;
  }
  if (want & m.V) {
    __kvm_riscv_vector_restore(m, cntx, cpu, v, m.V, 1);
    m.vOwner[cpu] = v;
    m.h.loaded(cpu, v, m.V);
    m.vs[v] = CLEAN;
  }
  m.parked[v] = (m.parked[v] as number) & ~want;
}

/** The illegal-instruction trap of a parked unit: restore it and what the policy grants. */
export function unparkOnTrap(m: RiscvState, v: number, unitBit: number, grant: number): void {
  if (m.h.trace.on) m.h.trace.line(0, 'policy (not Linux): illegal instruction on a parked unit');
  unparkOnLoad(m, v, unitBit | grant);
}
