/**
 * arch/x86/kernel/fpu/xstate.c (and xstate.h): the IA32_XFD MSR cache, dynamic feature enabling
 * (fpstate_realloc), the host #NM from XFD, and the permission and header checks.
 */
import { ERRNO } from '@vfpu/core/backend-utils';
import { hex, USER_DYNAMIC, XFEATURE_MAX } from '../../layout.js';
import { kvmSupportedXcr0 } from '../../options.js';
import type { Fpstate, HostTask, X86, X86Cpu, X86Vcpu } from '../../state.js';

/** xfd_update_state: WRMSR IA32_XFD when the fpstate's value differs from the per-CPU cache. */
export function xfd_update_state(m: X86, c: X86Cpu, xfd: number, depth: number): void {
  if (m.legacy || c.xfdState === xfd) return;
  c.xfdState = xfd;
  m.host.control(1);
  if (m.host.trace.on) m.line(depth, `xfd_update_state: WRMSR IA32_XFD ← ${hex(xfd)}`);
}

/** fpstate_realloc: the buffer grows to hold `xfeatures` (no bytes of register state move). */
export function fpstate_realloc(m: X86, fps: Fpstate, xfeatures: number, depth: number): void {
  m.host.call(m.ids.opRealloc, fps.ctx, 0, 0, depth);
  fps.xfeatures |= xfeatures;
}

/** xfd_enable_feature: -EPERM without ARCH_REQ_XCOMP_PERM (SIGILL), else fpstate_realloc and clear XFD. */
export function xfd_enable_feature(m: X86, c: X86Cpu, task: HostTask): boolean {
  const h = m.host;
  if (!task.amxPermitted) {
    m.line(1, 'xfd_enable_feature: no permission (-EPERM) → SIGILL');
    h.count(m.ids.sigill);
    return false;
  }
  if (h.trace.on) h.trace.fn(1, 'xfd_enable_feature → fpstate_realloc');
  const fps = task.fpstate;
  fpstate_realloc(m, fps, USER_DYNAMIC, 2);
  fps.xfd &= ~USER_DYNAMIC;
  xfd_update_state(m, c, fps.xfd, 2);
  m.line(1, 'the instruction is retried');
  return true;
}

/** xstate_request_perm(idx, guest = true) for ARCH_REQ_XCOMP_GUEST_PERM. */
export function xstate_request_perm(m: X86, idx: number): number {
  if (idx >= XFEATURE_MAX) return -ERRNO.EINVAL;
  if (idx !== 18) return -ERRNO.EOPNOTSUPP;
  if (m.o.guestPermission) return 0;
  m.line(1, 'the first vCPU locked the guest permissions (FPU_GUEST_PERM_LOCKED)');
  return -ERRNO.EBUSY;
}

/** validate_user_xstate_header: XSTATE_BV within what KVM supports and the buffer holds. */
export function validate_user_xstate_header(m: X86, v: X86Vcpu, xstateBv: number): number {
  if (xstateBv & ~kvmSupportedXcr0(m.legacy)) return -ERRNO.EINVAL;
  if (xstateBv & ~v.guestFpu.fpstate.xfeatures) return -ERRNO.EINVAL;
  return 0;
}
