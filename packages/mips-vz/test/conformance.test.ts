import { fileURLToPath } from 'node:url';
import { describeBackendConformance } from '@vfpu/testkit';
import { mipsVz } from '../src/index.js';

// Every scenario names the kernel functions it follows (arch/mips/kvm/{vz.c,mips.c,fpu.S,msa.S,entry.c}).
describeBackendConformance(mipsVz(), {
  scenarios: fileURLToPath(new URL('./scenarios', import.meta.url)),
  variants: ['loongson-3a4000', 'mainline'],
});
