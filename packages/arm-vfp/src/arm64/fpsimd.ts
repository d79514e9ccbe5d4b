/**
 * KVM's side of the FPSIMD handover (arch/arm64/kvm/fpsimd.c): vcpu_load / vcpu_put, and
 * around each run ctxflush (before entry, IRQs off) and ctxsync (after exit, IRQs still off).
 */
import { fpsimd_save_and_flush_cpu_state } from './host-fpsimd.js';
import {
  type Arm64,
  type Cpu,
  FP_STATE_FREE,
  FP_STATE_GUEST_OWNED,
  FP_STATE_HOST_OWNED,
  type Task,
} from './state.js';

/**
 * kvm_arch_vcpu_load_fp. E4: fp_owner = HOST_OWNED (the registers may hold the host's
 * state; ctxflush corrects it). E5: fpsimd_save_and_flush_cpu_state, fp_owner = FREE.
 */
export function kvm_arch_vcpu_load_fp(a: Arm64, cpu: number): void {
  const c = a.cpus[cpu] as Cpu;
  if (a.t.on) a.t.fn(0, 'kvm_arch_vcpu_load_fp', `(cpu ${cpu})`);
  if (a.e4) {
    c.fp_owner = FP_STATE_HOST_OWNED;
  } else {
    fpsimd_save_and_flush_cpu_state(a, cpu, 1);
    c.fp_owner = FP_STATE_FREE;
  }
}

/** kvm_arch_vcpu_ctxflush_fp: with TIF_FOREIGN_FPSTATE set, fp_owner = FREE. */
export function kvm_arch_vcpu_ctxflush_fp(a: Arm64, cpu: number): void {
  const c = a.cpus[cpu] as Cpu;
  const cur = c.current;
  if (cur >= 0 && (a.tasks[cur] as Task).TIF_FOREIGN_FPSTATE && c.fp_owner !== FP_STATE_FREE) {
    if (a.t.on) a.t.fn(0, 'kvm_arch_vcpu_ctxflush_fp', '— TIF_FOREIGN_FPSTATE: fp_owner = FREE');
    c.fp_owner = FP_STATE_FREE;
  }
}

/**
 * kvm_arch_vcpu_ctxsync_fp: if the guest owns the registers, fpsimd_bind_state_to_cpu(vcpu)
 * and TIF_FOREIGN_FPSTATE cleared. The guest registers themselves are not saved.
 */
export function kvm_arch_vcpu_ctxsync_fp(a: Arm64, cpu: number, vi: number): void {
  const c = a.cpus[cpu] as Cpu;
  if (c.fp_owner !== FP_STATE_GUEST_OWNED || a.o.faults['skip-ctxsync']) return;
  if (a.t.on)
    a.t.fn(
      0,
      'kvm_arch_vcpu_ctxsync_fp',
      '— fpsimd_bind_state_to_cpu(vcpu); TIF_FOREIGN_FPSTATE cleared',
    );
  c.fpsimd_last_state = vi;
  if (c.current >= 0) (a.tasks[c.current] as Task).TIF_FOREIGN_FPSTATE = 0;
}

/** kvm_arch_vcpu_put_fp: if the guest owns the registers, save and flush them. */
export function kvm_arch_vcpu_put_fp(a: Arm64, cpu: number): void {
  if (a.t.on) a.t.fn(0, 'kvm_arch_vcpu_put_fp');
  if (a.cpus[cpu]?.fp_owner === FP_STATE_GUEST_OWNED) {
    // E4 with SVE: ZCR_EL1 stored into the vCPU, and on nVHE ZCR reset to the max VL
    if (a.e4 && a.o.sve) a.host.control(a.o.vhe ? 1 : 2);
    fpsimd_save_and_flush_cpu_state(a, cpu, 1);
  }
}
