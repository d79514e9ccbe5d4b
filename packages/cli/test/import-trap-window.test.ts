/**
 * The window between an FP trap and the re-entry (import/trap-window.ts): a preemption inside it is
 * `"preempt": "after-trap"`; the same instruction trapping again at its PC is part of that use. The
 * two LoongArch kernels of C.1 L14 leave different traces of the same guest instruction, and both
 * import to the same workload line; `vfpu check` then tells the kernels apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir, writeFile } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

const T = (cpu: string, ts: string, ev: string, body: string, comm = 'CPU 0/KVM-4311') =>
  `${comm.padStart(20)} [${cpu}] d.... ${ts}: ${ev}: ${body}`;
const IN = '<idle>-0 ';
const OUT_SW =
  'prev_comm=CPU 0/KVM prev_pid=4311 prev_prio=120 prev_state=R ==> next_comm=swapper/0 next_pid=0 next_prio=120';
const IN_SW =
  'prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=CPU 0/KVM next_pid=4311 next_prio=120';
const PC = 'PC: 0x9000000000225010';

// the 2026 delayed load: FPDIS handled (request only), preempted, the own after sched-in, one trap
const AUX_LOAD = [
  T('000', '1.000100', 'sched_switch', IN_SW, IN),
  T('000', '1.000140', 'kvm_enter', 'PC: 0x9000000000225000'),
  T('000', '1.000170', 'kvm_exit', `[0xf]${PC}`),
  T('000', '1.000175', 'sched_switch', OUT_SW),
  T('000', '1.000376', 'sched_switch', IN_SW, IN),
  T('000', '1.000378', 'kvm_aux', `restore FPU ${PC}`),
  T('000', '1.000380', 'kvm_reenter', PC),
];

async function workload(lines: string[], name: string): Promise<string[]> {
  const r = await cli([
    'import',
    writeFile(dir, name, `${lines.join('\n')}\n`),
    '--arch',
    'loongarch',
  ]);
  expect(r.code).toBe(0);
  return r.out.trim().split('\n').slice(1);
}

describe('the FP trap window', () => {
  it('a preemption before the load (the delayed load) is one use, preempted after its trap', async () => {
    const w = await workload(AUX_LOAD, 'aux.txt');
    expect(w.filter((l) => l.includes('"op":"use"'))).toEqual([
      '{"op":"use","vcpu":0,"unit":"fpu","preempt":"after-trap","ts":1.000170}',
    ]);
    expect(w.some((l) => l.includes('sched-out'))).toBe(false);
  });

  it('vfpu check: the delayed-load trace agrees with aux-load and diverges from gen-1', async () => {
    const file = writeFile(dir, 'aux2.txt', `${AUX_LOAD.join('\n')}\n`);
    const ok = await cli(['check', file, '--arch', 'loongarch', '--variant', 'aux-load']);
    expect(ok.out).toMatch(/^agrees: 2 FP events/m);
    expect(ok.code).toBe(0);
    const bad = await cli(['check', file, '--arch', 'loongarch', '--variant', 'gen-1']);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/DIVERGES/);
  });

  it('without a preemption the use is plain, and a later trap at another PC is a new use', async () => {
    const w = await workload(
      [
        AUX_LOAD[0] as string,
        AUX_LOAD[1] as string,
        T('000', '1.000170', 'kvm_exit', `[0xf]${PC}`),
        T('000', '1.000172', 'kvm_aux', `restore FPU ${PC}`),
        T('000', '1.000174', 'kvm_reenter', PC),
        T('000', '1.000200', 'kvm_exit', '[0x10]PC: 0x9000000000225020'),
        T('000', '1.000202', 'kvm_aux', 'restore LSX PC: 0x9000000000225020'),
        T('000', '1.000204', 'kvm_reenter', 'PC: 0x9000000000225020'),
      ],
      'plain.txt',
    );
    expect(w.filter((l) => l.includes('"op":"use"'))).toEqual([
      '{"op":"use","vcpu":0,"unit":"fpu","ts":1.000170}',
      '{"op":"use","vcpu":0,"unit":"lsx","ts":1.000200}',
    ]);
  });

  it('a preempted thread that comes back on another pCPU: a plain use, then sched-out and run', async () => {
    const w = await workload(
      [
        AUX_LOAD[0] as string,
        AUX_LOAD[1] as string,
        T('000', '1.000170', 'kvm_exit', `[0xf]${PC}`),
        T('000', '1.000172', 'kvm_aux', `restore FPU ${PC}`),
        T('000', '1.000175', 'sched_switch', OUT_SW),
        T('001', '1.000376', 'sched_switch', IN_SW, IN),
        T('001', '1.000380', 'kvm_reenter', PC),
      ],
      'moved.txt',
    );
    expect(w.slice(1).map((l) => JSON.parse(l).op)).toEqual(['run', 'use', 'sched-out', 'run']);
    expect(w.some((l) => l.includes('preempt'))).toBe(false);
  });
});
