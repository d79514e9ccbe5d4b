/** Conformance: the §C.1 scenarios (hand derivations in each expect file) and the invariants. */
import { fileURLToPath } from 'node:url';
import { describeBackendConformance } from '@vfpu/testkit';
import { loongarch } from '../src/index.js';

describeBackendConformance(loongarch(), {
  scenarios: fileURLToPath(new URL('./scenarios', import.meta.url)),
  variants: ['gen-1', 'aux-load'],
});
