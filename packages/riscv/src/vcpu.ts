/**
 * arch/riscv/kvm/vcpu.c (@946661e; the FP/V lines are the same from the vector series on):
 * kvm_arch_vcpu_load / kvm_arch_vcpu_put and the reset. The FP/V work at load is, in order:
 * host FP save → guest FP restore → host V save → guest V restore; at put: guest FP save → host
 * FP restore → timer save → guest V save → host V restore (reference §B.7, §C.2 R10). There is
 * no FP work in kvm_arch_vcpu_ioctl_run's loop: kernel-handled exits move nothing (§C.2 R3).
 */
import { NOWHERE, type RiscvState } from './state.js';
import {
  kvm_riscv_vcpu_fp_reset,
  kvm_riscv_vcpu_guest_fp_restore,
  kvm_riscv_vcpu_guest_fp_save,
  kvm_riscv_vcpu_host_fp_restore,
  kvm_riscv_vcpu_host_fp_save,
} from './vcpu_fp.js';
import {
  kvm_riscv_vcpu_guest_vector_restore,
  kvm_riscv_vcpu_guest_vector_save,
  kvm_riscv_vcpu_host_vector_restore,
  kvm_riscv_vcpu_host_vector_save,
  kvm_riscv_vcpu_vector_reset,
} from './vcpu_vector.js';

/** kvm_riscv_reset_vcpu: guest_context from the reset context, then the FP and vector resets. */
export function kvm_riscv_reset_vcpu(m: RiscvState, v: number): void {
  (m.area[v] as Uint8Array).fill(0);
  kvm_riscv_vcpu_fp_reset(m, v);
  kvm_riscv_vcpu_vector_reset(m, v);
}

export function kvm_arch_vcpu_load(m: RiscvState, v: number, cpu: number): void {
  if (m.h.trace.on) m.h.trace.fn(0, 'kvm_arch_vcpu_load');
  kvm_riscv_vcpu_host_fp_save(m, v, cpu);
  kvm_riscv_vcpu_guest_fp_restore(m, v, cpu);
  kvm_riscv_vcpu_host_vector_save(m, v, cpu);
  kvm_riscv_vcpu_guest_vector_restore(m, v, cpu);
  m.cpuOf[v] = cpu;
}

export function kvm_arch_vcpu_put(m: RiscvState, v: number): void {
  const cpu = m.cpuOf[v] as number;
  if (cpu === NOWHERE) return;
  if (m.h.trace.on) m.h.trace.fn(0, 'kvm_arch_vcpu_put');
  m.cpuOf[v] = NOWHERE;
  kvm_riscv_vcpu_guest_fp_save(m, v, cpu);
  kvm_riscv_vcpu_host_fp_restore(m, v, cpu);
  if (m.h.trace.on) m.h.trace.fn(1, 'kvm_riscv_vcpu_timer_save');
  kvm_riscv_vcpu_guest_vector_save(m, v, cpu);
  kvm_riscv_vcpu_host_vector_restore(m, v, cpu);
}
