/** The README's usage example, run as written there. */
import { readFileSync } from 'node:fs';
import { runText } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { riscv } from '../src/index.js';

describe('README usage example', () => {
  it('runs and reports the host save at load and the guest save at put', () => {
    const header = { format: 'vfpu-workload', version: 1, arch: 'riscv', cpus: 1, vcpus: 1 };
    const events = [
      { op: 'run', vcpu: 0, cpu: 0 },
      { op: 'use', vcpu: 0, unit: 'fp', access: 'write', reg: 1 },
      { op: 'exit', vcpu: 0, reason: 'mmio' },
    ];
    const text = [header, ...events].map((x) => JSON.stringify(x)).join('\n');
    const { report } = runText(text, { backends: [riscv()], policy: 'kvm' });
    expect(report.ops.__kvm_riscv_fp_d_save).toMatchObject({ calls: 2, bytes: 520 });
    expect(report.check.violations).toBe(0);
  });

  it('the README shows the same code', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(
      "const { report } = runText(text, { backends: [riscv()], policy: 'kvm' });",
    );
    expect(readme).toContain("{ op: 'use', vcpu: 0, unit: 'fp', access: 'write', reg: 1 },");
  });
});
