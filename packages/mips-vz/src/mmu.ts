/**
 * arch/mips/kvm/mmu.c kvm_arch_vcpu_load / kvm_arch_vcpu_put: vcpu->cpu, then the VZ callbacks
 * (vz.c kvm_vz_vcpu_load restores gc0 and timer state, never the FPU; kvm_vz_vcpu_put runs
 * kvm_lose_fpu).
 */
import type { Cpu, MipsVz, Vcpu } from './state.js';
import { kvm_vz_vcpu_put } from './vz.js';

/** mmu.c kvm_arch_vcpu_load → vz.c kvm_vz_vcpu_load: no FPU state. */
export function kvm_arch_vcpu_load(m: MipsVz, vi: number, cpu: number): void {
  (m.vcpus[vi] as Vcpu).cpu = cpu;
  (m.cpus[cpu] as Cpu).vcpu = vi;
  if (m.trace.on)
    m.trace.fn(0, 'kvm_arch_vcpu_load', `(cpu ${cpu}; kvm_vz_vcpu_load: no FPU state)`);
}

/** mmu.c kvm_arch_vcpu_put → vz.c kvm_vz_vcpu_put: kvm_lose_fpu, then the gc0 saves. */
export function kvm_arch_vcpu_put(m: MipsVz, vi: number): void {
  const v = m.vcpus[vi] as Vcpu;
  if (m.trace.on) m.trace.fn(0, 'kvm_arch_vcpu_put', '→ kvm_vz_vcpu_put');
  kvm_vz_vcpu_put(m, vi, 1);
  // (the kernel clears vcpu->cpu before the callback; the model needs it for the save)
  (m.cpus[v.cpu] as Cpu).vcpu = -1;
  v.cpu = -1;
}
