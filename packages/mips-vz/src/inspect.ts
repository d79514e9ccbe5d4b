/**
 * The kernel-visible state for tests and `explain`: aux_inuse and the guest (gc0) bits per vCPU,
 * the root CP0 bits per pCPU.
 */
import {
  MIPS_CONF_LASXEN,
  MIPS_CONF5_FRE,
  MIPS_CONF5_MSAEN,
  ST0_CU1,
  ST0_CU2,
  ST0_FR,
} from './regs.js';
import { auxName, type MipsVz } from './state.js';

export function inspectMips(m: MipsVz): Record<string, unknown> {
  return {
    vcpus: m.vcpus.map((v) => ({
      aux_inuse: auxName(v.aux),
      cpu: v.cpu,
      ...(v.regList.n >= 0 ? { reg_list: { ...v.regList } } : {}),
      guest: {
        'Status.CU1': v.status & ST0_CU1 ? 1 : 0,
        'Status.FR': v.status & ST0_FR ? 1 : 0,
        'Config5.MSAEn': v.config5 & MIPS_CONF5_MSAEN ? 1 : 0,
        'Config5.FRE': v.config5 & MIPS_CONF5_FRE ? 1 : 0,
        ...(m.o.cpuHasLasx ? { 'Config.LASXEn': v.config & MIPS_CONF_LASXEN ? 1 : 0 } : {}),
      },
    })),
    cpus: m.cpus.map((c) => ({
      'Status.CU1': c.status & ST0_CU1 ? 1 : 0,
      'Status.FR': c.status & ST0_FR ? 1 : 0,
      'Status.CU2': c.status & ST0_CU2 ? 1 : 0,
      'Config5.MSAEn': c.config5 & MIPS_CONF5_MSAEN ? 1 : 0,
      'Config5.FRE': c.config5 & MIPS_CONF5_FRE ? 1 : 0,
      ...(m.o.cpuHasLasx ? { 'Config.LASXEn': c.config & MIPS_CONF_LASXEN ? 1 : 0 } : {}),
    })),
  };
}
