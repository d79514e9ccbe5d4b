/**
 * arch/x86/kernel/traps.c: the host's #NM. exc_device_not_available → handle_xfd_event: an XFD
 * #NM from user space enables the feature (or SIGILL); from kernel mode (an XRSTORS of a component
 * XFD disables) `WARN_ON(!user_mode(regs))` and, CR0.TS being clear, die("unexpected #NM
 * exception"). No fixup_exception on this path: the XRSTORS extable entry is not used.
 */
import type { X86, X86Cpu } from '../state.js';
import { die } from './dumpstack.js';
import { xfd_enable_feature } from './fpu/xstate.js';

/**
 * exc_device_not_available for an XFD #NM on `c` (XFD_ERR ≠ 0), taken by `c.current` in user mode
 * or in the kernel. True when the faulting instruction is retried.
 */
export function exc_device_not_available(
  m: X86,
  c: X86Cpu,
  userMode: boolean,
  depth: number,
): boolean {
  const h = m.host;
  h.count(userMode ? m.ids.hostNm : m.lateIds().nmKernel);
  if (h.trace.on)
    h.trace.fn(
      depth,
      'exc_device_not_available → handle_xfd_event',
      userMode
        ? 'XFD_ERR 0x40000, WRMSR IA32_XFD_ERR ← 0'
        : 'XFD_ERR 0x40000, WRMSR IA32_XFD_ERR ← 0; WARN_ON(!user_mode(regs)): returns false, host CR0.TS clear',
    );
  h.control(1);
  const t = c.current;
  if (userMode && t !== null) return xfd_enable_feature(m, c, t);
  die(m, c, 'unexpected #NM exception', depth);
  return false;
}
