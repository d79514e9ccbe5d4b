/**
 * arch/x86/kvm/cpuid.c: KVM_SET_CPUID2 as far as XSAVE is concerned (leaf 0xD's XCR0 bits, the
 * guest buffer's growth for dynamic features, and the identical-CPUID rule after the first run).
 */
import { ERRNO } from '@vfpu/core/backend-utils';
import { defineComponents, initFile } from '../hw/xsave.js';
import { fpu_enable_guest_xfd_features, uabiVisible } from '../kernel/fpu/core.js';
import { hex, USER_DYNAMIC } from '../layout.js';
import { kvmSupportedXcr0 } from '../options.js';
import type { X86, X86Vcpu } from '../state.js';

/** kvm_cpuid_check_equal: after the first KVM_RUN only an identical CPUID is accepted. */
export function kvm_cpuid_check_equal(v: X86Vcpu, xcr0: number): number {
  return xcr0 === v.cpuidXcr0 ? 0 : -ERRNO.EINVAL;
}

/** kvm_check_cpuid: enable the dynamic features leaf 0xD lists (fpu_enable_guest_xfd_features). */
export function kvm_check_cpuid(m: X86, v: X86Vcpu, xcr0: number): number {
  const dynamic = xcr0 & USER_DYNAMIC & ~v.guestFpu.fpstate.xfeatures;
  if (m.legacy || dynamic === 0) return 0;
  if (m.host.trace.on)
    m.line(
      1,
      `kvm_check_cpuid → fpu_enable_guest_xfd_features(${hex(dynamic)}) → __xfd_enable_feature`,
    );
  return fpu_enable_guest_xfd_features(m, v, dynamic);
}

/** kvm_set_cpuid: kvm_cpuid_check_equal after the first run; else kvm_check_cpuid's enlargement. */
export function kvm_set_cpuid(m: X86, v: X86Vcpu, xcr0: number): number {
  if (v.hasRun) {
    m.line(
      1,
      'kvm_set_cpuid: the vCPU has run, so only an identical CPUID is accepted (kvm_cpuid_check_equal)',
    );
    return kvm_cpuid_check_equal(v, xcr0);
  }
  const r = kvm_check_cpuid(m, v, xcr0);
  if (r < 0) return r;
  v.cpuidXcr0 = xcr0;
  // kvm_vcpu_after_set_cpuid → cpuid_get_supported_xcr0: the leaf's bits & kvm_caps.supported_xcr0,
  // so reserved and unsupported bits are dropped silently (the ioctl succeeds)
  const before = uabiVisible(v);
  v.guestSupportedXcr0 = xcr0 & kvmSupportedXcr0(m.legacy);
  const after = uabiVisible(v);
  if (m.ready && before !== after) {
    // what the buffer holds becomes visible, or what it holds reads as init again
    const fps = v.guestFpu.fpstate;
    const shown = after & ~before & fps.xstateBv;
    defineComponents(m.host, v.id, fps.regs, shown);
    defineComponents(m.host, v.id, initFile(), (after ^ before) & ~shown);
  }
  return 0;
}
