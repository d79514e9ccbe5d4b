/**
 * The VMM's system calls and the vCPU state it reads and writes: KVM_GET_XSAVE / KVM_GET_XSAVE2,
 * KVM_SET_XSAVE, KVM_SET_XCRS, KVM_SET_CPUID2, KVM_CREATE_VCPU, KVM_GET/SET_MSRS of the XFD
 * MSRs (x86.c kvm_arch_vcpu_ioctl) and ARCH_REQ_XCOMP_GUEST_PERM (xstate.c).
 */
import type { Slice } from '@vfpu/core';
import { ERRNO } from '@vfpu/core/backend-utils';
import { defineComponents, initComponents } from '../hw/xsave.js';
import {
  fpregsInvalidate,
  fpu_copy_guest_fpstate_to_uabi,
  fpu_copy_uabi_to_guest_fpstate,
  fpu_update_guest_xfd,
  setXsaveFeatures,
  uabiImageMask,
  uabiVisible,
} from '../kernel/fpu/core.js';
import { validate_user_xstate_header, xstate_request_perm } from '../kernel/fpu/xstate.js';
import {
  hex,
  KVM_XSAVE_BYTES,
  MODELLED,
  NON_TILE_IMAGE,
  TILE_IMAGE,
  USER_DYNAMIC,
} from '../layout.js';
import type { X86, X86Vcpu } from '../state.js';
import { kvm_set_cpuid } from './cpuid.js';
import { __kvm_set_xcr, kvm_arch_vcpu_create } from './x86.js';

/** KVM_GET_XSAVE (handle 0: -EINVAL above 4096 bytes) and KVM_GET_XSAVE2 (handle 1). */
export function kvm_vcpu_ioctl_x86_get_xsave(
  m: X86,
  v: X86Vcpu,
  handle: number,
  out: Uint8Array,
): Slice | null {
  const uabiSize = v.guestFpu.uabiSize;
  if (handle === 0 && uabiSize > KVM_XSAVE_BYTES) {
    if (m.host.trace.on) m.line(0, `KVM_GET_XSAVE: uabi_size ${uabiSize} > 4096: -EINVAL`);
    m.host.count(m.ids.getXsaveEinval);
    return null;
  }
  const p = handle === 0 || uabiSize <= KVM_XSAVE_BYTES ? NON_TILE_IMAGE : TILE_IMAGE;
  const mask = fpu_copy_guest_fpstate_to_uabi(v, out, p.length);
  if (m.host.trace.on)
    m.line(
      0,
      `${handle === 0 ? 'KVM_GET_XSAVE' : 'KVM_GET_XSAVE2'}: ${handle === 0 ? KVM_XSAVE_BYTES : uabiSize} bytes, XSTATE_BV ${hex(mask)}${mask & USER_DYNAMIC ? ' (TILEDATA at offset 2816)' : ''}`,
    );
  return p;
}

/** Where a KVM_SET_XSAVE image goes (the tile data only when the image carries it). */
export function xsaveImageSlice(v: X86Vcpu): Slice {
  return uabiImageMask(v) & USER_DYNAMIC ? TILE_IMAGE : NON_TILE_IMAGE;
}

/** KVM_SET_XSAVE of an image → fpu_copy_uabi_to_guest_fpstate. */
export function kvm_vcpu_ioctl_x86_set_xsave(m: X86, v: X86Vcpu, src: Uint8Array): boolean {
  const mask = fpu_copy_uabi_to_guest_fpstate(m, v, src, setXsaveFeatures(m, v, uabiImageMask(v)));
  // the image's XSTATE_BV leaves the rest in its init state: that is what core commits
  initComponents(src, MODELLED & ~mask);
  if (m.host.trace.on)
    m.line(0, `KVM_SET_XSAVE: ${v.guestFpu.uabiSize} bytes, XSTATE_BV ${hex(mask)}`);
  return true;
}

/** Userspace reads one register of a unit from the guest buffer (a slice of KVM_GET_XSAVE2). */
export function readGuestRegister(
  m: X86,
  v: X86Vcpu,
  unit: number,
  reg: number,
  out: Uint8Array,
): Slice {
  const p = m.units.slice(unit, reg);
  out.set(v.guestFpu.fpstate.regs.subarray(p.offset, p.offset + p.length), p.offset);
  initComponents(out, (m.units.components[unit] as number) & ~uabiVisible(v));
  return p;
}

/**
 * Userspace writes one register of a unit into the guest buffer (a slice of KVM_SET_XSAVE):
 * -EINVAL when the buffer has no room for the unit's components (validate_user_xstate_header:
 * outside fpstate->user_xfeatures). Components the vCPU's CPUID does not offer are stored but
 * read as init (uabiVisible), so that is what `src` holds for core to commit.
 */
export function writeGuestRegister(m: X86, v: X86Vcpu, unit: number, reg: number, src: Uint8Array) {
  const fps = v.guestFpu.fpstate;
  const components = m.units.components[unit] as number;
  if (components & ~fps.xfeatures) {
    if (m.host.trace.on)
      m.line(
        0,
        `KVM_SET_XSAVE: ${hex(components & ~fps.xfeatures)} outside the buffer's features: -EINVAL`,
      );
    return false;
  }
  const p = m.units.slice(unit, reg);
  fps.regs.set(src.subarray(p.offset, p.offset + p.length), p.offset);
  fps.xstateBv |= components;
  fpregsInvalidate(m, fps);
  initComponents(src, components & ~uabiVisible(v));
  return true;
}

/** KVM_SET_MSRS → do_set_msr (host-initiated: no CPUID check), then vmx_set_msr: 1 MSR set, or 0. */
function do_set_msr_xfd(m: X86, v: X86Vcpu, value: number): number {
  if (value & ~(v.guestSupportedXcr0 & USER_DYNAMIC)) return 0;
  // kvm_set_msr_common (host-initiated) → fpu_update_guest_xfd; the caller entered the ioctl from
  // user space, where exit_to_user_mode loaded its registers: TIF_NEED_FPU_LOAD is clear
  fpu_update_guest_xfd(m, v, value, false);
  if (value !== 0 && !v.xfdNoWriteIntercept) {
    v.xfdNoWriteIntercept = true;
    m.line(1, 'vmx_set_msr: non-zero, so pass-through and #NM interception on this vCPU too');
  }
  return 1;
}

/** KVM_SET_XSAVE's header (core.c fpu_copy_uabi_to_guest_fpstate, validate_user_xstate_header). */
function set_xsave_header(m: X86, v: X86Vcpu, value: number): number {
  const xstateBv = setXsaveFeatures(m, v, value);
  const r = validate_user_xstate_header(m, v, xstateBv);
  if (r < 0) return r;
  const fps = v.guestFpu.fpstate;
  const dropped = fps.xstateBv & ~xstateBv;
  fps.xstateBv &= xstateBv;
  // copy_uabi_to_xstate: xfeatures = the header's, so the XRSTORS initialises the others
  initComponents(fps.regs, dropped);
  defineComponents(m.host, v.id, fps.regs, dropped);
  fpregsInvalidate(m, fps);
  return 0;
}

/** The VMM's system call `call` (for vCPU `vi`, or null) with `value`: 0, a count, or −errno. */
export function vmmSyscall(m: X86, vi: number | null, call: number, value: number): number {
  const sys = m.sys;
  if (call === sys.reqGuestPerm) return xstate_request_perm(m, value);
  const v = m.vcpu(vi ?? 0);
  if (call === sys.setCpuid2) return kvm_set_cpuid(m, v, value);
  if (call === sys.createVcpu) {
    if (m.host.trace.on)
      m.host.trace.fn(
        1,
        'fpu_free_guest_fpstate; kvm_arch_vcpu_create → fpu_alloc_guest_fpstate',
        '(xfd 0, uabi_size 4096); KVM_SET_CPUID2',
      );
    kvm_arch_vcpu_create(m, v);
    return 0;
  }
  if (call === sys.setXfd) return do_set_msr_xfd(m, v, value);
  if (call === sys.setXfdErr) {
    if (value & ~(v.guestSupportedXcr0 & USER_DYNAMIC)) return 0;
    v.guestFpu.xfdErr = value;
    return 1;
  }
  if (call === sys.getXfd) {
    if (m.host.trace.on) m.line(1, `IA32_XFD = ${hex(v.guestFpu.fpstate.xfd)}`);
    return 1;
  }
  if (call === sys.getXfdErr) {
    if (m.host.trace.on) m.line(1, `IA32_XFD_ERR = ${hex(v.guestFpu.xfdErr)}`);
    return 1;
  }
  if (call === sys.setXcrs) return __kvm_set_xcr(m, v, value) ? 0 : -ERRNO.EINVAL;
  if (call === sys.setXsave) return set_xsave_header(m, v, value);
  return -ERRNO.EINVAL;
}
