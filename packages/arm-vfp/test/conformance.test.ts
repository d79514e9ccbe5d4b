import { fileURLToPath } from 'node:url';
import { describeBackendConformance } from '@vfpu/testkit';
import { armVfp } from '../src/index.js';

// Every scenario names the kernel code it follows (arch/arm/kvm, arch/arm64/kvm, arch/arm/vfp,
// arch/arm64/kernel/fpsimd.c); the invariants run on every variant.
describeBackendConformance(armVfp(), {
  scenarios: fileURLToPath(new URL('./scenarios', import.meta.url)),
  variants: ['arm64-e5', 'arm64-e4', 'armv7-c', 'armv7-2013'],
});
