/** The README's usage example, as it is written there, gives what its comment says. */
import { readFileSync } from 'node:fs';
import { runText } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { loongarch } from '../src/index.js';

describe('README usage example', () => {
  it('is the code below, and reports FPDIS 1, LASXDIS 1 and the three restores', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain("{ op: 'use', vcpu: 0, unit: 'lasx' },");
    const w = [
      {
        format: 'vfpu-workload',
        version: 1,
        arch: 'loongarch',
        variant: 'gen-1',
        cpus: 1,
        vcpus: 1,
      },
      { op: 'run', vcpu: 0, cpu: 0 },
      { op: 'use', vcpu: 0, unit: 'fpu' },
      { op: 'use', vcpu: 0, unit: 'lasx' },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n');
    const { report } = runText(w, { backends: [loongarch()], policy: 'kvm' });
    expect(report.traps).toMatchObject({ EXCCODE_FPDIS: 1, EXCCODE_LSXDIS: 0, EXCCODE_LASXDIS: 1 });
    expect(report.ops).toMatchObject({
      kvm_restore_fpu: { calls: 1, bytes: 268 },
      _restore_lsx_upper: { calls: 1, bytes: 256 },
      _restore_lasx_upper: { calls: 1, bytes: 512 },
    });
    expect(report.check.violations).toBe(0);
  });
});
