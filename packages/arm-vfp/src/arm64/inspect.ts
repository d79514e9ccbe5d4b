/** The arm64 state as `vfpu run --json` and `explain` show it (kernel names). */
import { hex } from '../regs.js';
import { type Arm64, OWNER_NAMES, type Task } from './state.js';

export function inspectArm64(a: Arm64): Record<string, unknown> {
  const h = a.host;
  const name = (c: number) => (c >= 0 ? h.contextName(c) : null);
  const threads: Record<string, unknown> = {};
  for (let c = h.vcpus; c < h.contexts; c++) {
    const task = a.tasks[c] as Task;
    const cpu = task.fpsimd_cpu;
    threads[h.contextName(c)] = {
      TIF_FOREIGN_FPSTATE: task.TIF_FOREIGN_FPSTATE,
      fpsimd_cpu: cpu >= 0 ? cpu : 'NR_CPUS',
    };
  }
  return {
    vcpus: a.vcpus.map((v) => ({
      cpu: v.cpu,
      CPACR_EL1: hex(v.cpacr),
      ...(a.o.aarch32 ? { FPEXC32_EL2: hex(v.fpexc32) } : {}),
    })),
    cpus: a.cpus.map((c) => ({
      fp_owner: OWNER_NAMES[c.fp_owner],
      [a.o.vhe ? 'CPACR_EL1' : 'CPTR_EL2']: hex(c.cptr),
      fpsimd_last_state: name(c.fpsimd_last_state),
    })),
    threads,
  };
}
