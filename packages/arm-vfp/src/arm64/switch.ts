/**
 * The EL2 side of a run (arch/arm64/kvm/hyp/include/hyp/switch.h, hyp/{nvhe,vhe}/switch.c):
 * the trap registers written at entry and exit, and kvm_hyp_handle_fpsimd, the FP/SVE trap
 * handled at EL2 without an exit.
 */
import {
  COND_AL,
  CPACR_EL1_FPEN,
  CPACR_EL1_TTA,
  CPACR_EL1_ZEN,
  CPTR_EL2_TAM,
  CPTR_EL2_TFP,
  CPTR_EL2_TTA,
  CPTR_EL2_TZ,
  CPTR_NVHE_EL2_RES1,
  describeSyndrome,
  ESR_ELx_EC_SVE,
  FPEXC32_TRAP_VALUE,
  HSR_CV,
  hex,
  syndrome,
} from '../regs.js';
import { __fpsimd_restore_state, __fpsimd_save_state, __sve_restore_state } from './hyp-fpsimd.js';
import {
  type Arm64,
  type Cpu,
  FP_STATE_GUEST_OWNED,
  FP_STATE_HOST_OWNED,
  OWNER_NAMES,
  type Vcpu,
} from './state.js';

/** CPTR_EL2 (nVHE) or CPACR_EL1 (VHE) as __activate_traps writes it. */
function cptrValue(a: Arm64, c: Cpu): number {
  if (!a.o.vhe)
    return (
      (CPTR_NVHE_EL2_RES1 |
        CPTR_EL2_TAM |
        CPTR_EL2_TTA |
        (c.trapFp ? CPTR_EL2_TFP : 0) |
        (c.trapSve ? CPTR_EL2_TZ : 0)) >>>
      0
    );
  return (
    (CPACR_EL1_TTA |
      CPTR_EL2_TAM |
      (c.trapFp ? 0 : CPACR_EL1_FPEN) |
      (c.trapSve ? 0 : CPACR_EL1_ZEN)) >>>
    0
  );
}

/** E5 fpsimd_lazy_switch_to_guest: ZCR_EL2, ZCR_EL1 for an SVE vCPU that owns FP. */
export function fpsimd_lazy_switch_to_guest(a: Arm64, cpu: number): void {
  const owned = (a.cpus[cpu] as Cpu).fp_owner === FP_STATE_GUEST_OWNED;
  if (!a.e4 && owned && a.o.sve) a.host.control(2);
}

/**
 * __activate_traps (E5 __activate_cptr_traps): FP and SVE trapped unless the guest owns them;
 * __activate_traps_fpsimd32 for an AArch32 guest that does not.
 */
export function __activate_traps(a: Arm64, cpu: number): void {
  const t = a.t;
  const c = a.cpus[cpu] as Cpu;
  const owned = c.fp_owner === FP_STATE_GUEST_OWNED;
  // E4 nVHE: a vCPU that owns FP runs with vcpu->arch.cptr_el2 (RES1, TZ clear) even without SVE
  const tzHole = a.e4 && !a.o.vhe && a.o.quirks === 'kernel';
  c.trapFp = !owned;
  c.trapSve = !owned || (!a.o.sve && !tzHole);
  c.cptr = cptrValue(a, c);
  a.host.control(1);
  if (!owned && a.o.aarch32) {
    c.fpexc32 = FPEXC32_TRAP_VALUE; // __activate_traps_fpsimd32
    a.host.control(1);
  }
  if (t.on) {
    t.fn(
      0,
      a.e4 ? '__activate_traps' : '__activate_cptr_traps',
      `— ${a.o.vhe ? 'CPACR_EL1' : 'CPTR_EL2'} = ${hex(c.cptr)} (${OWNER_NAMES[c.fp_owner]})`,
    );
  }
}

/** __fpsimd_save_fpexc32: the guest's FPEXC32_EL2 kept if it owns FP (AArch32). */
export function __fpsimd_save_fpexc32(a: Arm64, cpu: number, vi: number): void {
  const c = a.cpus[cpu] as Cpu;
  if (c.fp_owner !== FP_STATE_GUEST_OWNED || !a.o.aarch32) return;
  const v = a.vcpus[vi] as Vcpu;
  v.fpexc32 = c.fpexc32;
  if (a.t.on) a.t.fn(0, '__fpsimd_save_fpexc32', `— ${hex(v.fpexc32)}`);
}

/** __deactivate_traps: no FP/SVE trap for the host. */
export function __deactivate_traps(a: Arm64, cpu: number): void {
  const c = a.cpus[cpu] as Cpu;
  c.trapFp = false;
  c.trapSve = false;
  c.cptr = a.o.vhe ? (CPACR_EL1_FPEN | CPACR_EL1_ZEN) >>> 0 : CPTR_NVHE_EL2_RES1;
  a.host.control(1);
}

/** E5 fpsimd_lazy_switch_to_host: ZCR back for an SVE vCPU that owns FP. */
export function fpsimd_lazy_switch_to_host(a: Arm64, cpu: number): void {
  const owned = (a.cpus[cpu] as Cpu).fp_owner === FP_STATE_GUEST_OWNED;
  if (!a.e4 && owned && a.o.sve) a.host.control(2);
}

/**
 * switch.h kvm_hyp_handle_fpsimd, at EL2 with no exit: traps disabled, isb; E4 saves the host
 * FPSIMD if HOST_OWNED; the guest loaded (SVE at the max VL with ZCR, or FPSIMD); AArch32:
 * FPEXC32_EL2; fp_owner = GUEST_OWNED. A non-SVE vCPU's EC 0x19 is declined (false): a full exit.
 */
export function kvm_hyp_handle_fpsimd(a: Arm64, vi: number): boolean {
  const t = a.t;
  const v = a.vcpus[vi] as Vcpu;
  const ec = v.esrEc; // kvm_vcpu_trap_get_class
  const sve = ec === ESR_ELx_EC_SVE;
  const esr = syndrome(ec, true, sve ? 0 : HSR_CV | (COND_AL << 20));
  a.host.count(sve ? a.ids.sve : a.ids.fp);
  if (sve && !a.o.sve) {
    if (t.on)
      t.line(
        0,
        `EL2 trap ${describeSyndrome('ESR_EL2', esr)}: kvm_hyp_handle_fpsimd declines (no SVE for this vCPU) → full exit`,
      );
    return false;
  }
  if (t.on)
    t.fn(
      0,
      'kvm_hyp_handle_fpsimd',
      `— ${describeSyndrome('ESR_EL2', esr)}; at EL2, no exit; the instruction is retried`,
    );
  hypLoadGuest(a, v.cpu, vi);
  v.hypReturn = true;
  return true;
}

/** The body of kvm_hyp_handle_fpsimd after the trap checks. */
export function hypLoadGuest(a: Arm64, cpu: number, vi: number): void {
  const c = a.cpus[cpu] as Cpu;
  // cpacr_clear_set(0, FPEN[|ZEN]): TFP cleared, and TZ only for an SVE vCPU; then isb
  c.trapFp = false;
  if (a.o.sve) c.trapSve = false;
  c.cptr = cptrValue(a, c);
  a.host.control(1);
  if (a.e4 && c.fp_owner === FP_STATE_HOST_OWNED && !a.o.faults['skip-host-save'])
    kvm_hyp_save_fpsimd_host(a, cpu);
  if (a.o.sve) __hyp_sve_restore_guest(a, cpu, vi);
  else __fpsimd_restore_state(a, cpu, vi, 1);
  if (a.o.aarch32) {
    c.fpexc32 = (a.vcpus[vi] as Vcpu).fpexc32; // HCR_EL2.RW = 0
    a.host.control(1);
  }
  c.fp_owner = FP_STATE_GUEST_OWNED;
  a.host.loaded(cpu, vi, a.units);
}

/** kvm_hyp_save_fpsimd_host: into *host_data_ptr(fpsimd_state), the current task's. */
function kvm_hyp_save_fpsimd_host(a: Arm64, cpu: number): void {
  if (a.t.on) a.t.fn(1, 'kvm_hyp_save_fpsimd_host');
  __fpsimd_save_state(a, cpu, (a.cpus[cpu] as Cpu).current, 2);
}

/** __hyp_sve_restore_guest: ZCR_EL2 to the vCPU's max VL, the SVE state, the guest's ZCR_EL1. */
function __hyp_sve_restore_guest(a: Arm64, cpu: number, vi: number): void {
  if (a.t.on) a.t.fn(1, '__hyp_sve_restore_guest', `— ZCR_EL2.LEN = ${a.o.vq - 1}`);
  a.host.control(2); // sve_cond_update_zcr_vq (ZCR_EL2), then the guest's ZCR_EL1
  __sve_restore_state(a, cpu, vi, 2);
}
