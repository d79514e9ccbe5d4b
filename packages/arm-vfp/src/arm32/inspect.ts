/** The 32-bit state as `vfpu run --json` and `explain` show it (kernel names). */
import { readU32 } from '@vfpu/core/backend-utils';
import { hex, VFP_FPEXC, VFP_FPSCR } from '../regs.js';
import type { Arm32, Thread } from './state.js';

export function inspectArm32(a: Arm32): Record<string, unknown> {
  const h = a.host;
  const name = (c: number) => (c >= 0 ? h.contextName(c) : null);
  const threads: Record<string, unknown> = {};
  for (let c = h.vcpus; c < h.contexts; c++) {
    const cpu = (a.threads[c] as Thread).cpu;
    // vfp_hard_struct.cpu exists under CONFIG_SMP only
    threads[h.contextName(c)] = a.o.smp ? { 'hard.cpu': cpu >= 0 ? cpu : 'NR_CPUS' } : {};
  }
  return {
    vcpus: a.vcpus.map((v) => ({
      cpu: v.cpu,
      'vfp_guest.fpexc': hex(readU32(v.vfp_guest, VFP_FPEXC)),
      'vfp_guest.fpscr': hex(readU32(v.vfp_guest, VFP_FPSCR)),
    })),
    cpus: a.cpus.map((c, i) => ({
      HCPTR: hex(c.hcptr),
      FPEXC: hex(a.fpexc(i)),
      guest_bank: name(c.guestBank),
      vfp_current_hw_state: name(c.vfp_current_hw_state),
    })),
    threads,
  };
}
