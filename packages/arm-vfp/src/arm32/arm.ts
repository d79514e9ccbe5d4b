/** arch/arm/kvm/arm.c: vcpu_load / vcpu_put (no VFP work on 32-bit). */
import type { Arm32, Vcpu } from './state.js';

/** kvm_arch_vcpu_load: vcpu->arch.vfp_host = this CPU's host save area; no VFP work. */
export function kvm_arch_vcpu_load(a: Arm32, vi: number, cpu: number): void {
  (a.vcpus[vi] as Vcpu).cpu = cpu;
  if (a.t.on) a.t.fn(0, 'kvm_arch_vcpu_load', `(cpu ${cpu}: vfp_host = this CPU's host area)`);
}

/** kvm_arch_vcpu_put: nothing for VFP (the bank is never live here under the kernel's policy). */
export function kvm_arch_vcpu_put(a: Arm32): void {
  if (a.t.on) a.t.fn(0, 'kvm_arch_vcpu_put');
}
