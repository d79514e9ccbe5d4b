/**
 * arch/x86/kernel/fpu/core.c: the save and restore of an fpstate, the KVM fpstate swap for
 * KVM_RUN, kernel-mode FPU, and the guest-fpstate services KVM calls (XFD updates, uabi copies).
 */
import { ERRNO } from '@vfpu/core/backend-utils';
import { componentsWritten, copyComponents, initComponents } from '../../hw/xsave.js';
import {
  hex,
  KVM_XSAVE_BYTES,
  MASK,
  MODELLED,
  MXCSR_OFFSET,
  transferBytes,
  UABI_SIZE_WITH_TILES,
  USER_DYNAMIC,
} from '../../layout.js';
import type { Fpstate, X86, X86Cpu, X86Vcpu } from '../../state.js';
import { exc_device_not_available } from '../traps.js';
import { fpstate_realloc, xfd_update_state } from './xstate.js';

/** save_fpregs_to_fpstate → os_xsave: the save instruction with RFBM = fpstate->xfeatures. */
export function save_fpregs_to_fpstate(m: X86, c: X86Cpu, fps: Fpstate, depth: number): void {
  const save = m.o.save;
  const rfbm = fps.xfeatures & MODELLED;
  const xfd = c.xfdState;
  const inuse = c.xinuse & ~xfd;
  const write =
    componentsWritten(save, rfbm, inuse, c.xmodified, c.xrstorInfo === fps) &
    ~(save === 'xsave' ? 0 : xfd);
  copyComponents(fps.regs, c.regs, write & inuse);
  if (save === 'xsave') initComponents(fps.regs, write & ~inuse);
  fps.xstateBv = (fps.xstateBv & ~rfbm) | (rfbm & inuse);
  m.host.call(m.ids.opSave, fps.ctx, transferBytes(write), m.unitsOf(write), depth);
  if (m.host.trace.on)
    m.line(
      depth + 1,
      `RFBM ${hex(rfbm)}, written ${hex(write)}, XSTATE_BV ${hex(fps.xstateBv)}${xfd ? `, XFD ${hex(xfd)} in force` : ''}`,
    );
}

/**
 * restore_fpregs_from_fpstate: xfd_update_state, then XRSTOR(S) with the kernel's max features.
 * False when the XRSTORS faulted: XSTATE_BV[i] = 1 with XFD[i] = 1 raises #NM in kernel mode
 * (exc_device_not_available → die: the current thread is killed, nothing was restored).
 */
export function restore_fpregs_from_fpstate(
  m: X86,
  c: X86Cpu,
  fps: Fpstate,
  depth: number,
): boolean {
  xfd_update_state(m, c, fps.xfd, depth);
  const rfbm =
    (m.restoreDefaultFeatures ? fps.xfeatures & ~USER_DYNAMIC : m.maxFeatures) & MODELLED;
  const bv = fps.xstateBv & rfbm;
  if (bv & c.xfdState) {
    if (m.host.trace.on)
      m.line(
        depth,
        `os_xrstor: XSTATE_BV ${hex(bv)} with IA32_XFD ${hex(c.xfdState)}: the XRSTORS raises #NM in kernel mode`,
      );
    exc_device_not_available(m, c, false, depth);
    return false;
  }
  copyComponents(c.regs, fps.regs, bv);
  initComponents(c.regs, rfbm & ~bv & c.xinuse);
  c.xinuse = (c.xinuse & ~rfbm) | bv;
  c.xmodified = 0;
  c.xrstorInfo = fps;
  c.owner = fps;
  fps.lastCpu = c.id;
  m.host.call(m.ids.opRestore, fps.ctx, transferBytes(bv), m.unitsOf(bv), depth);
  if (m.host.trace.on) m.line(depth + 1, `RFBM ${hex(rfbm)}, XSTATE_BV ${hex(bv)}`);
  m.host.loaded(c.id, fps.ctx, m.allUnits);
  return true;
}

/** A buffer changed behind the registers' back: no CPU may skip its restore any more. */
export function fpregsInvalidate(m: X86, fps: Fpstate): void {
  for (let i = 0; i < m.cpus.length; i++) {
    const c = m.cpu(i);
    if (c.owner === fps) c.owner = null;
    if (c.xrstorInfo === fps) c.xrstorInfo = null;
  }
}

/**
 * fpu_swap_kvm_fpstate(guest_fpu, enter_guest), whole, under fpregs_lock: save the registers into
 * current's fpstate unless TIF_NEED_FPU_LOAD, swap fpu->fpstate (the guest's in, in_use; or
 * __task_fpstate back), restore_fpregs_from_fpstate of the new one (with its XFD), and
 * fpregs_mark_activate.
 */
export function fpu_swap_kvm_fpstate(
  m: X86,
  c: X86Cpu,
  v: X86Vcpu,
  enter_guest: boolean,
  depth: number,
): void {
  const fpu = v.vmm;
  if (!fpu.needFpuLoad && c.owner === fpu.fpstate && (enter_guest || !m.skipPutSave))
    save_fpregs_to_fpstate(m, c, fpu.fpstate, depth);
  swapFpstate(v, enter_guest);
  if (enter_guest) m.line(depth, "current's fpstate → the guest buffer (in_use)");
  if (!restore_fpregs_from_fpstate(m, c, fpu.fpstate, depth)) return; // died: no return
  // fpregs_mark_activate
  fpu.needFpuLoad = false;
}

/**
 * fpu_swap_kvm_fpstate's "Swap fpstate" step: the guest's fpstate becomes the VMM thread's
 * (`__task_fpstate` keeps its own, in_use), or its own comes back.
 */
export function swapFpstate(v: X86Vcpu, enter_guest: boolean): void {
  const fpu = v.vmm;
  const guest = v.guestFpu.fpstate;
  if (enter_guest) {
    fpu.taskFpstate = fpu.fpstate;
    fpu.fpstate = guest;
    guest.inUse = true;
  } else {
    guest.inUse = false;
    fpu.fpstate = fpu.taskFpstate ?? fpu.fpstate;
    fpu.taskFpstate = null;
  }
}

/** kernel_fpu_begin_mask: save current's registers unless TIF_NEED_FPU_LOAD, then use them. */
export function kernel_fpu_begin_mask(m: X86, c: X86Cpu): void {
  const h = m.host;
  if (h.trace.on) h.trace.fn(0, 'kernel_fpu_begin_mask');
  const t = c.current;
  if (t !== null) {
    if (!t.needFpuLoad && c.owner === t.fpstate) save_fpregs_to_fpstate(m, c, t.fpstate, 1);
    t.needFpuLoad = true;
  }
  // __cpu_invalidate_fpregs_state
  c.owner = null;
  h.loaded(c.id, null, m.allUnits);
  // the kernel's SIMD code overwrites XMM0–XMM1
  c.regs.fill(0xa5, 160, 176);
  c.regs.fill(0x5a, 224, 240);
  c.xinuse |= MASK.SSE;
  c.xmodified |= MASK.SSE;
}

/** kvm_arch_vcpu_create → fpu_alloc_guest_fpstate: an empty buffer, xfd 0, uabi_size 4096. */
export function fpu_alloc_guest_fpstate(m: X86, v: X86Vcpu): void {
  const fps = v.guestFpu.fpstate;
  fps.regs.fill(0);
  initComponents(fps.regs, MASK.FP | MASK.SSE); // fpstate_init_user: cwd 0x37f, mxcsr 0x1f80
  fps.xstateBv = 0;
  fps.xfeatures = m.defaultFeatures;
  fps.xfd = 0;
  fpregsInvalidate(m, fps);
  v.guestFpu.xfdErr = 0;
  v.guestFpu.uabiSize = KVM_XSAVE_BYTES;
}

/** fpu_enable_guest_xfd_features → __xfd_enable_feature: the guest buffer grows, or -EPERM. */
export function fpu_enable_guest_xfd_features(m: X86, v: X86Vcpu, xfeatures: number): number {
  if (!m.o.guestPermission) {
    m.line(2, 'the guest permission lacks TILEDATA: -EPERM (the CPUID is rolled back)');
    return -ERRNO.EPERM;
  }
  const fps = v.guestFpu.fpstate;
  v.guestFpu.uabiSize = UABI_SIZE_WITH_TILES;
  fpstate_realloc(m, fps, xfeatures, 2);
  if (m.host.trace.on)
    m.line(
      3,
      `guest buffer for ${hex(fps.xfeatures)}, uabi_size ${UABI_SIZE_WITH_TILES}, fpstate->xfd ${hex(fps.xfd)}`,
    );
  return 0;
}

/**
 * fpu_update_guest_xfd (kvm_set_msr_common, guest WRMSR or host-initiated KVM_SET_MSRS), called by
 * a thread whose TIF_NEED_FPU_LOAD is `tifNeedFpuLoad`. 6.16 only stores fpstate->xfd (and the MSR
 * when in_use). quirks "fixed" is b45f721775947a84996deb5c661602254ce25ce6: "if (xfd &&
 * test_thread_flag(TIF_NEED_FPU_LOAD)) fpstate->regs.xsave.header.xfeatures &= ~xfd;" first.
 */
export function fpu_update_guest_xfd(
  m: X86,
  v: X86Vcpu,
  xfd: number,
  tifNeedFpuLoad: boolean,
): void {
  const fps = v.guestFpu.fpstate;
  const old = fps.xfd;
  if (m.host.trace.on) m.host.trace.fn(1, 'fpu_update_guest_xfd', `(fpstate->xfd ← ${hex(xfd)})`);
  if (m.quirksFixed && xfd !== 0 && tifNeedFpuLoad) {
    fps.xstateBv &= ~xfd;
    if (m.host.trace.on)
      m.line(2, `TIF_NEED_FPU_LOAD: XSTATE_BV &= ~${hex(xfd)} → ${hex(fps.xstateBv)} (b45f7217)`);
  }
  fps.xfd = xfd;
  if (fps.inUse && v.cpu >= 0) xfd_update_state(m, m.cpu(v.cpu), xfd, 2);
  xfdArmed(m, v, old, xfd);
}

/** Setting XFD[18] does not preserve the tile data (SDM: it can revert it to its initial state). */
export function xfdArmed(m: X86, v: X86Vcpu, old: number, xfd: number): void {
  if (xfd & USER_DYNAMIC && !(old & USER_DYNAMIC)) m.host.undefine(v.id, m.amxBit);
}

/**
 * kvm_vcpu_ioctl_x86_set_xsave's XSTATE_BV of the uABI image: quirks "fixed" (b45f7217) clears
 * the bits XFD disables, "xstate->xsave.header.xfeatures &= ~vcpu->arch.guest_fpu.fpstate->xfd";
 * 6.16 keeps them (and the next XRSTORS of the buffer dies).
 */
export function setXsaveFeatures(m: X86, v: X86Vcpu, xstateBv: number): number {
  return m.quirksFixed ? xstateBv & ~v.guestFpu.fpstate.xfd : xstateBv;
}

/** fpu_sync_guest_vmexit_xfd_state: a passed-through XFD is read back after the exit. */
export function fpu_sync_guest_vmexit_xfd_state(m: X86, depth: number): void {
  m.line(depth, 'fpu_sync_guest_vmexit_xfd_state: RDMSR IA32_XFD into fpstate->xfd');
}

/**
 * The components KVM_GET_XSAVE2 reports (kvm_vcpu_ioctl_x86_get_xsave2's mask,
 * guest_supported_xcr0 | XFEATURE_MASK_FPSSE). The others may sit in the buffer (KVM_SET_XSAVE
 * takes kvm_caps.supported_xcr0), but neither userspace nor the guest (its XCR0 cannot enable
 * them) sees them: they read as init until a KVM_SET_CPUID2 offers them.
 */
export function uabiVisible(v: X86Vcpu): number {
  return v.guestSupportedXcr0 | MASK.FP | MASK.SSE;
}

/** fpu_copy_guest_fpstate_to_uabi: mask guest_supported_xcr0 | FP | SSE, init values elsewhere. */
export function fpu_copy_guest_fpstate_to_uabi(v: X86Vcpu, out: Uint8Array, bytes: number): number {
  const fps = v.guestFpu.fpstate;
  const mask = uabiVisible(v) & fps.xstateBv;
  out.fill(0, 0, bytes);
  // __copy_xstate_to_uabi_buf: the legacy x87 area from init_fpstate (FCW 0x37f) when FP is not
  // in XSTATE_BV; MXCSR from the buffer when SSE or YMM is, else from init_fpstate (vfpu keeps
  // MXCSR_MASK as 4 bytes of the SSE component, 0 in the init state)
  if (!(mask & MASK.FP)) initComponents(out, MASK.FP);
  if (!(mask & (MASK.SSE | MASK.YMM))) initComponents(out, MASK.SSE);
  else out.set(fps.regs.subarray(MXCSR_OFFSET, MXCSR_OFFSET + 4), MXCSR_OFFSET);
  copyComponents(out, fps.regs, mask);
  return mask;
}

/**
 * The image a VMM restores is one KVM_GET_XSAVE2 gave it, and that reports XSTATE_BV[i] = 0 for
 * a component XFD disables (reference §6): so its tile data is fresh only while XFD[18] is clear.
 */
export function uabiImageMask(v: X86Vcpu): number {
  const fps = v.guestFpu.fpstate;
  return fps.xfeatures & MODELLED & ~fps.xfd & uabiVisible(v);
}

/** fpu_copy_uabi_to_guest_fpstate: copy the image (components of its XSTATE_BV `mask`) into the buffer. */
export function fpu_copy_uabi_to_guest_fpstate(
  m: X86,
  v: X86Vcpu,
  src: Uint8Array,
  mask: number,
): number {
  const fps = v.guestFpu.fpstate;
  if (!(mask & USER_DYNAMIC)) {
    initComponents(fps.regs, MASK.XTILE);
    m.host.undefine(v.id, m.amxBit);
  }
  copyComponents(fps.regs, src, mask);
  fps.xstateBv = mask;
  fpregsInvalidate(m, fps);
  return mask;
}
