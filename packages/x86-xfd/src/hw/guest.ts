/**
 * What the CPU does with a guest (or host) instruction before any kernel code runs: the XCR0,
 * CR0.TS and XFD checks that raise #UD / #NM, XINUSE and XMODIFIED, the privilege check of XSETBV,
 * the guest-owned CR0.TS, a passed-through IA32_XFD, and LDTILECFG.
 */
import { type AccessResult, ImpossibleEvent } from '@vfpu/core';
import { EXECUTES, NO_EXIT, NOT_EXECUTED, ROOT_TRAP, writeU32 } from '@vfpu/core/backend-utils';
import { uabiVisible, xfdArmed } from '../kernel/fpu/core.js';
import {
  hex,
  MASK,
  MODELLED,
  MXCSR_OFFSET,
  MXCSR_SLICE,
  TILECFG_OFFSET,
  USER_DYNAMIC,
} from '../layout.js';
import {
  TRAP_GUEST_TS,
  TRAP_LAZY_TS,
  TRAP_LAZY_XFD,
  TRAP_XFD,
  type X86,
  type X86Cpu,
  type X86Vcpu,
} from '../state.js';
import { initComponents } from './xsave.js';

export const CR0_TS = 1 << 3;

/** The guest-visible value of a control register (what `set` / `clear` masks apply to). */
export function registerValue(m: X86, v: X86Vcpu, reg: number): number {
  const r = m.regs;
  if (reg === r.xcr0) return v.xcr0;
  if (reg === r.cr0) return v.cr0ts ? CR0_TS : 0;
  if (reg === r.cpl) return v.cpl;
  if (reg === r.xfd) return v.guestFpu.fpstate.xfd;
  if (reg === r.xfdErr) return v.guestFpu.xfdErr;
  return 0;
}

/** The instruction marks `components` in use and modified (any use counts as modifying). */
export function touch(c: X86Cpu, components: number): void {
  c.xinuse |= components;
  c.xmodified |= components;
}

/** Latches the #NM exit for handleTrap (the VM-exit interruption information). */
function rootTrap(v: X86Vcpu, trap: number): AccessResult {
  v.trap = trap;
  return ROOT_TRAP;
}

/** A guest instruction of `unit`: it executes, exits (#NM, latched in v.trap), or the guest's own. */
export function guestInstruction(m: X86, v: X86Vcpu, unit: number): AccessResult {
  if (v.pendingInject) {
    // the injected exception runs the guest's handler: the instruction does not execute
    v.pendingInject = false;
    return NOT_EXECUTED;
  }
  const need = m.units.xcr0[unit] as number;
  if ((v.xcr0 & need) !== need) {
    m.host.count(m.ids.guestUd);
    if (m.host.trace.on) m.line(0, `#UD in the guest: XCR0 ${hex(v.xcr0)} lacks ${hex(need)}`);
    return NOT_EXECUTED;
  }
  refuseHiddenComponents(m, v, unit);
  const amx = unit === m.units.amx;
  if (!m.resident(v)) return rootTrap(v, amx ? TRAP_LAZY_XFD : TRAP_LAZY_TS);
  const own = guestOwnNm(m, v, amx);
  if (own !== 0) return rootTrap(v, own);
  if (!amx && v.cr0ts) {
    m.host.count(m.ids.guestNm);
    m.line(0, "#NM (vector 7) from the guest's CR0.TS, not intercepted: delivered to the guest");
    return NOT_EXECUTED;
  }
  touch(m.cpu(v.cpu), m.units.components[unit] as number);
  return EXECUTES;
}

/**
 * The guest's own #NM that KVM intercepts once the guest fpstate is loaded (TRAP_GUEST_TS: its
 * CR0.TS, intercepted because of XFD; TRAP_XFD: its XFD armed for a tile instruction), or 0.
 * A lazy policy's #NM (TRAP_LAZY_*) is raised first when the guest is not loaded; its handler asks
 * this to reflect the guest's own in the same exit (policy-paths.ts lazyGuestNm).
 */
export function guestOwnNm(m: X86, v: X86Vcpu, amx: boolean): number {
  if (amx) return v.guestFpu.fpstate.xfd & USER_DYNAMIC ? TRAP_XFD : 0;
  return v.cr0ts && !m.legacy && v.xfdNoWriteIntercept ? TRAP_GUEST_TS : 0;
}

/**
 * A guest instruction of a unit its XCR0 enables but its CPUID does not offer (a KVM_SET_CPUID2
 * before the first run narrowed guest_supported_xcr0 below the XCR0 the header's guest.xcr0 or
 * KVM_SET_XCRS gave; kvm_vcpu_after_set_cpuid re-checks no XCR0). The hardware executes it, but
 * KVM_GET_XSAVE{2} masks the component with guest_supported_xcr0 | FPSSE
 * (kvm_vcpu_ioctl_x86_get_xsave2), so the guest's registers and what the VMM can save of them
 * differ: one truth per byte cannot hold both, so the event is refused (no guest OS uses a
 * feature its CPUID does not report).
 */
function refuseHiddenComponents(m: X86, v: X86Vcpu, unit: number): void {
  const hidden = (m.units.components[unit] as number) & MODELLED & ~uabiVisible(v);
  if (hidden === 0) return;
  throw new ImpossibleEvent(
    'unit',
    `the guest's XCR0 ${hex(v.xcr0)} enables ${hex(hidden)} but its CPUID (guest_supported_xcr0 ${hex(v.guestSupportedXcr0)}) does not offer it, so KVM_GET_XSAVE2 would not report what the guest writes: vfpu does not model a guest using features its CPUID hides (set the CPUID before the guest's XCR0, or give a smaller config guest.xcr0)`,
  );
}

/** MXCSR bits above MXCSR_MASK (0xffff on every CPU with DAZ): LDMXCSR of one raises #GP(0). */
export const MXCSR_RESERVED = 0xffff0000 | 0;

/**
 * LDMXCSR once the instruction executes (core ran its #NM check): the pCPU's MXCSR takes the
 * value. The guest is resident on its pCPU, so that is the vCPU's register (SDM Vol. 2 LDMXCSR).
 */
export function ldmxcsr(m: X86, v: X86Vcpu, x: number): typeof NO_EXIT {
  const regs = m.cpu(v.cpu).regs;
  if (x & MXCSR_RESERVED) {
    // #GP(0): MXCSR keeps its value; core already took `x` as the truth, put the old one back
    m.host.count(m.ids.guestGp);
    m.host.define(v.id, MXCSR_SLICE, regs);
    if (m.host.trace.on)
      m.line(
        0,
        `LDMXCSR ${hex(x)}: reserved bits ${hex(x & MXCSR_RESERVED)} set: #GP(0) in the guest`,
      );
    return NO_EXIT;
  }
  writeU32(regs, MXCSR_OFFSET, x);
  if (m.host.trace.on) m.line(0, `LDMXCSR ${hex(x)}: in the guest, no exit`);
  return NO_EXIT;
}

/** XSETBV at CPL > 0: the privilege check comes before the VM exit, the CPU raises #GP(0). */
export function xsetbvFaults(m: X86, v: X86Vcpu): boolean {
  if (v.cpl === 0) return false;
  m.host.count(m.ids.guestGp);
  if (m.host.trace.on) m.line(0, `XSETBV at CPL ${v.cpl}: #GP(0) in the guest, no exit`);
  return true;
}

/** MOV to CR0 when CR0.TS is guest-owned (cr0_guest_owned_bits): no exit. */
export function movCr0GuestOwned(m: X86, v: X86Vcpu, ts: number): typeof NO_EXIT {
  v.cr0ts = ts;
  m.line(0, 'CR0.TS is guest-owned (cr0_guest_owned_bits): no exit');
  return NO_EXIT;
}

/**
 * WRMSR IA32_XFD once vmx_set_msr passed it through: the hardware takes it, no exit. A bit of a
 * component without XFD support (CPUID.(EAX=0DH,ECX=i):ECX[2] = 0 on the host: every one but
 * TILEDATA) or a reserved bit raises #GP(0) in the guest, and the MSR keeps its value (SDM Vol. 1
 * §13.14, "Extended Feature Disable"; the intercepted write's check is kvm_set_msr_common's).
 */
export function wrmsrXfdPassthrough(m: X86, v: X86Vcpu, x: number): typeof NO_EXIT {
  const fps = v.guestFpu.fpstate;
  const old = fps.xfd;
  if (x & ~USER_DYNAMIC) {
    m.host.count(m.ids.guestGp);
    if (m.host.trace.on)
      m.line(
        0,
        `WRMSR IA32_XFD ← ${hex(x)}: passed through, bits ${hex(x & ~USER_DYNAMIC)} have no XFD support: #GP(0) in the guest, no exit`,
      );
    return NO_EXIT;
  }
  if (m.host.trace.on) m.line(0, `WRMSR IA32_XFD ← ${hex(x)}: passed through, no exit`);
  fps.xfd = x;
  if (v.cpu >= 0 && m.resident(v)) m.cpu(v.cpu).xfdState = x;
  xfdArmed(m, v, old, x);
  return NO_EXIT;
}

/** LDTILECFG needs XCR0's AMX components; false after the guest's #UD. */
export function ldtilecfgAllowed(m: X86, v: X86Vcpu): boolean {
  if ((v.xcr0 & MASK.XTILE) === MASK.XTILE) return true;
  m.host.count(m.ids.guestUd);
  m.line(0, '#UD in the guest: XCR0 lacks the AMX components');
  return false;
}

/** LDTILECFG (palette 0: the tile state goes to its initial configuration, as TILERELEASE). */
export function ldtilecfg(m: X86, v: X86Vcpu, palette: number): void {
  const c = m.cpu(v.cpu);
  initComponents(c.regs, MASK.XTILE & c.xinuse);
  let inuse = c.xinuse & ~MASK.XTILE;
  if (palette !== 0) {
    c.regs[TILECFG_OFFSET] = palette & 0xff;
    inuse |= MASK.XTILE_CFG;
    c.xmodified |= MASK.XTILE;
  }
  c.xinuse = inuse;
  m.host.undefine(v.id, m.amxBit);
  if (m.host.trace.on)
    m.line(
      0,
      palette
        ? `LDTILECFG palette ${palette}: TILECFG in use, tile data initialised`
        : 'tile state initialised (TILERELEASE): XINUSE[17,18] = 0',
    );
}
