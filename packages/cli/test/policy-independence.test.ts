/**
 * A workload is valid or not whatever the policy (issue 12 item 5). The base: mips-vz scenario
 * 06 (mainline, quirks fixed). Its last `use` of the FPU traps under `kvm` with the FPU already
 * owned, and kvm_trap_vz_handle_cop_unusable's WARN_ON path returns KVM_RUN to userspace
 * (KVM_EXIT_INTERNAL_ERROR); under `eager` the FPU is enabled at entry, no trap, no return. What
 * the workload does next is judged by its own lifecycle (the guest still runs, vCPU 0 is loaded
 * on cpu 0) under every policy alike; the kernel's return is transparent (KVM_RUN again).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, type Line, tempDir, writeFile } from './helpers.js';

const POLICIES = ['kvm', 'eager', 'lazy', 'lazy-per-exit', 'widest', 'adaptive'] as const;
const BASE = readFileSync(
  join(
    import.meta.dirname,
    '../../mips-vz/test/scenarios/06-cpu-exit-fpu-already-owned-fixed.ndjson',
  ),
  'utf8',
)
  .trim()
  .split('\n')
  .slice(0, 8); // the header and events up to the use that returns to userspace under kvm

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

/** Runs `events` after BASE under each policy alone: exit code and first stderr line by policy. */
async function underEachPolicy(name: string, events: readonly Line[]) {
  const file = writeFile(dir, `${name}.ndjson`, [...BASE, ...events]);
  const out: Record<string, string> = {};
  let violations = 0;
  for (const p of POLICIES) {
    const r = await cli(['run', file, '--policy', p, '--json']);
    out[p] = `${r.code} ${r.err.split('\n')[0]}`;
    if (r.code !== 2)
      violations += (JSON.parse(r.out) as { check: { violations: number } }).check.violations;
  }
  return { file, out, violations };
}

/** The same answer under every policy: `expected` is "code stderr-first-line". */
function expectSame(out: Record<string, string>, expected: string): void {
  expect(out).toEqual(Object.fromEntries(POLICIES.map((p) => [p, expected])));
}

describe('after a return to userspace under one policy only', () => {
  it('the base really returns under kvm and not under eager', async () => {
    const file = writeFile(dir, 'base.ndjson', BASE);
    const r = await cli(['run', file, '--policy', 'kvm,eager', '--json']);
    expect(r.code).toBe(0);
    const [kvm, eager] = (JSON.parse(r.out) as { reports: { outcomes: Record<string, number> }[] })
      .reports as [{ outcomes: Record<string, number> }, { outcomes: Record<string, number> }];
    expect(kvm.outcomes['KVM_RUN returned to userspace']).toBe(1);
    expect(eager.outcomes['KVM_RUN returned to userspace']).toBe(0);
  });

  it('guest events (use, work, guest-write, exit) are valid: KVM_RUN runs again first', async () => {
    const { out, violations } = await underEachPolicy('guest-events', [
      { op: 'use', vcpu: 0, unit: 'fpu', access: 'read', reg: 5 },
      { op: 'work', vcpu: 0, cycles: 100 },
      { op: 'guest-write', vcpu: 0, reg: 'Status', clear: ['CU1'] },
      { op: 'exit', vcpu: 0, reason: 'hlt' },
      { op: 'enter', vcpu: 0 },
      { op: 'use', vcpu: 0, unit: 'msa', access: 'read', reg: 5 },
      { op: 'sched-out', vcpu: 0 },
      { op: 'load', vcpu: 0, cpu: 0 },
      { op: 'enter', vcpu: 0 },
      { op: 'use', vcpu: 0, unit: 'msa', access: 'read', reg: 5 },
    ]);
    expectSame(out, '0 ');
    expect(violations).toBe(0);
  });

  it('enter while the workload has the guest running is refused under every policy', async () => {
    const { file, out } = await underEachPolicy('enter-in-guest', [{ op: 'enter', vcpu: 0 }]);
    expectSame(out, `2 vfpu: ${file}:9: vcpu: enter: vcpu 0 is already in guest mode`);
  });

  it('enter after sched-out without load is refused under every policy', async () => {
    const { file, out } = await underEachPolicy('enter-after-put', [
      { op: 'sched-out', vcpu: 0 },
      { op: 'enter', vcpu: 0 },
    ]);
    expectSame(out, `2 vfpu: ${file}:10: vcpu: enter: vcpu 0 is not loaded`);
  });

  it('host work on the pCPU the workload has the vCPU on is refused under every policy', async () => {
    const { file, out } = await underEachPolicy('host-use-loaded', [
      { op: 'host-use', cpu: 0, unit: 'fpu' },
    ]);
    expectSame(
      out,
      `2 vfpu: ${file}:9: cpu: host-use on cpu 0 while vcpu 0 is loaded there (inside KVM_RUN); put it first (sched-out)`,
    );
  });

  it('a second load is refused under every policy', async () => {
    const { file, out } = await underEachPolicy('second-load', [{ op: 'load', vcpu: 0, cpu: 0 }]);
    expectSame(out, `2 vfpu: ${file}:9: vcpu: vcpu 0 is already loaded on cpu 0`);
  });

  it('the VMM thread running user code after sched-out is valid under every policy', async () => {
    const { out, violations } = await underEachPolicy('vmm-user-code', [
      { op: 'sched-out', vcpu: 0 },
      { op: 'host-use', cpu: 0, thread: 'vmm0', unit: 'fpu' },
      { op: 'user-get', vcpu: 0, unit: 'fpu', reg: 5 },
      { op: 'run', vcpu: 0, cpu: 0 },
      { op: 'use', vcpu: 0, unit: 'fpu', access: 'read', reg: 5 },
    ]);
    expectSame(out, '0 ');
    expect(violations).toBe(0);
  });
});

describe('found by the random valid workloads (each: the same answer under every policy)', () => {
  async function eachPolicy(name: string, lines: readonly Line[]) {
    const file = writeFile(dir, `${name}.ndjson`, lines);
    const out: Record<string, string> = {};
    for (const p of POLICIES) {
      const r = await cli(['run', file, '--policy', p, '--json']);
      const v =
        r.code === 2
          ? ''
          : (JSON.parse(r.out) as { check: { violations: number } }).check.violations;
      out[p] = `${r.code} ${v} ${r.err.split('\n')[0]}`;
    }
    return out;
  }

  it('run without a cpu after an exit to userspace runs KVM_RUN again on the last pCPU', async () => {
    const out = await eachPolicy('run-no-cpu', [
      '{"format":"vfpu-workload","version":1,"arch":"arm-vfp","variant":"arm64-e5","cpus":1,"vcpus":1}',
      { op: 'run', vcpu: 0, cpu: 0 },
      { op: 'exit', vcpu: 0, reason: 'mmio' },
      { op: 'run', vcpu: 0 },
      { op: 'use', vcpu: 0, unit: 'fpsimd' },
    ]);
    expectSame(out, '0 0 ');
  });

  it('a guest event after a guest-write whose handler returned to userspace (mips mainline Config)', async () => {
    const out = await eachPolicy('returning-write', [
      '{"format":"vfpu-workload","version":1,"arch":"mips-vz","variant":"mainline","cpus":1,"vcpus":1}',
      { op: 'run', vcpu: 0, cpu: 0 },
      { op: 'guest-write', vcpu: 0, reg: 'Config', value: 2147483648 },
      { op: 'use', vcpu: 0, unit: 'fpu' },
    ]);
    expectSame(out, '0 0 ');
  });

  it('host-use on a pCPU whose current thread died in an oops under some policies', async () => {
    const out = await eachPolicy('dead-thread', [
      '{"format":"vfpu-workload","version":1,"arch":"x86-xfd","variant":"kvm-6.16","cpus":2,"vcpus":1}',
      { op: 'user-set', vcpu: 0, unit: 'amx-tile' },
      { op: 'syscall', name: 'KVM_SET_MSRS(IA32_XFD)', vcpu: 0, value: 262144 },
      { op: 'load', vcpu: 0, cpu: 1 },
      { op: 'user-get', vcpu: 0, unit: 'x87' },
      { op: 'switch', cpu: 0, thread: 'vmm0' },
      { op: 'host-use', cpu: 0, unit: 'x87' },
    ]);
    expect(new Set(Object.values(out).map((x) => x.split(' ')[0])).size).toBe(1);
    expect(Object.values(out).every((x) => x.startsWith('0 0'))).toBe(true);
  });
});
