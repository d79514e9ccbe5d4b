import { fileURLToPath } from 'node:url';
import { describeBackendConformance } from '@vfpu/testkit';
import { x86Xfd } from '../src/index.js';

// Every scenario names the kernel code it follows (arch/x86/kvm, arch/x86/kernel/fpu,
// tools/testing/selftests/kvm/x86/amx_test.c); the invariants run on both variants.
describeBackendConformance(x86Xfd(), {
  scenarios: fileURLToPath(new URL('./scenarios', import.meta.url)),
  variants: ['kvm-6.16', 'kvm-lazy-cr0ts'],
});
