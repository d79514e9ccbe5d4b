/**
 * Core owns the vCPU lifecycle (the virt/kvm/kvm_main.c analogue): each arch hook runs exactly
 * once per transition, KVM_RUN begins and ends once per ioctl, and what a preempted vCPU's
 * ioctl or VMM thread means is decided here, not in a backend.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { runText } from '../src/run.js';
import { recordingToy, toyWorkload } from './fixtures/recording.js';

const MMIO = 0; // ids.exitReasons.mmio: the common reasons come first, in EXIT_REASONS order

function run(events: string[], toUserspace: number[] = []) {
  const rec = recordingToy({ toUserspace });
  const result = runText(toyWorkload(events), { backends: [rec.backend], policy: 'kvm' });
  return { ...rec, result };
}

describe('KVM_RUN begins and ends once per ioctl', () => {
  it('a preempted vCPU scheduled in again is loaded, not run again', () => {
    const { calls } = run([
      '{"op":"load","vcpu":0,"cpu":0}',
      '{"op":"enter","vcpu":0}',
      '{"op":"exit","vcpu":0,"reason":"irq"}',
      '{"op":"put","vcpu":0}',
      '{"op":"load","vcpu":0,"cpu":1}',
      '{"op":"enter","vcpu":0}',
    ]);
    expect(calls).toEqual([
      'kvm_arch_vcpu_load(0,0)',
      'kvmRunBegin(0,0,0)',
      'enter(0,false)',
      'exit(0,1,false)',
      'kvm_arch_vcpu_put(0)',
      'kvm_arch_vcpu_load(0,1)',
      'enter(0,false)',
    ]);
  });

  it('an exit to userspace ends KVM_RUN before vcpu_put; the next enter runs KVM_RUN on the same pCPU', () => {
    const { calls, result } = run(
      [
        '{"op":"load","vcpu":0,"cpu":1}',
        '{"op":"enter","vcpu":0}',
        '{"op":"exit","vcpu":0,"reason":"mmio"}',
        '{"op":"put","vcpu":0}',
        '{"op":"enter","vcpu":0}',
      ],
      [MMIO],
    );
    expect(calls).toEqual([
      'kvm_arch_vcpu_load(0,1)',
      'kvmRunBegin(0,1,0)',
      'enter(0,false)',
      'exit(0,0,false)',
      'kvmRunEnd(0,1)',
      'kvm_arch_vcpu_put(0)',
      'kvm_arch_vcpu_load(0,1)',
      'kvmRunBegin(0,1,0)',
      'enter(0,false)',
    ]);
    expect(result.report.outcomes['KVM_RUN returned to userspace']).toBe(1);
  });

  it('a guest event after a return to userspace the workload did not ask for runs KVM_RUN again first', () => {
    // the handler returns to userspace (as a kernel's may under some policies only); the workload
    // still has the guest running, so its next work, exit and sched-out are valid under every
    // policy, and the VMM's KVM_RUN is implicit
    const rec = recordingToy({ trapToUserspace: true });
    const r = runText(
      toyWorkload([
        '{"op":"run","vcpu":0,"cpu":1}',
        '{"op":"use","vcpu":0,"unit":"fp"}',
        '{"op":"work","vcpu":0,"cycles":10}',
        '{"op":"exit","vcpu":0,"reason":"hlt"}',
        '{"op":"enter","vcpu":0}',
        '{"op":"use","vcpu":0,"unit":"fp"}',
        '{"op":"sched-out","vcpu":0}',
        '{"op":"load","vcpu":0,"cpu":0}',
      ]),
      { backends: [rec.backend], policy: 'kvm' },
    );
    expect(rec.calls).toEqual([
      'kvm_arch_vcpu_load(0,1)',
      'kvmRunBegin(0,1,0)',
      'enter(0,false)',
      'handleTrap(0,0,1)',
      'kvmRunEnd(0,1)',
      'kvm_arch_vcpu_put(0)',
      // work: KVM_RUN again on the pCPU the workload has the vCPU on, then the guest runs
      'kvm_arch_vcpu_load(0,1)',
      'kvmRunBegin(0,1,0)',
      'enter(0,false)',
      'exit(0,2,false)',
      'enter(0,true)',
      'handleTrap(0,0,1)',
      'kvmRunEnd(0,1)',
      'kvm_arch_vcpu_put(0)',
      // sched-out of a vCPU whose KVM_RUN returned: nothing; load: a new KVM_RUN
      'kvm_arch_vcpu_load(0,0)',
      'kvmRunBegin(0,0,0)',
    ]);
    expect(r.report.outcomes['KVM_RUN returned to userspace']).toBe(2);
    expect(r.report.check.violations).toBe(0);
  });

  it('an exit to userspace after a return the workload did not ask for: KVM_RUN again on its pCPU, then the exit', () => {
    const rec = recordingToy({ trapToUserspace: true });
    runText(
      toyWorkload([
        '{"op":"run","vcpu":0,"cpu":1}',
        '{"op":"use","vcpu":0,"unit":"fp"}',
        '{"op":"exit","vcpu":0,"reason":"mmio"}',
      ]),
      { backends: [rec.backend], policy: 'kvm' },
    );
    expect(rec.calls.slice(-6)).toEqual([
      'kvm_arch_vcpu_load(0,1)',
      'kvmRunBegin(0,1,0)',
      'enter(0,false)',
      'exit(0,0,false)',
      'kvmRunEnd(0,1)',
      'kvm_arch_vcpu_put(0)',
    ]);
  });

  it('an exit declared to return to userspace frees the pCPU for another vCPU, whatever the policy', () => {
    for (const policy of ['kvm', 'eager', 'lazy']) {
      const rec = recordingToy();
      const r = runText(
        toyWorkload(
          [
            '{"op":"run","vcpu":0,"cpu":0}',
            '{"op":"exit","vcpu":0,"reason":"mmio"}',
            '{"op":"run","vcpu":1,"cpu":0}',
            '{"op":"exit","vcpu":1,"reason":"signal"}',
            '{"op":"enter","vcpu":0}',
          ],
          '"cpus":1,"vcpus":2',
        ),
        { backends: [rec.backend], policy },
      );
      expect(r.report.outcomes['KVM_RUN returned to userspace']).toBe(2);
    }
  });

  it('a backend whose handler resumes the guest after an exit declared toUserspace breaks the contract', () => {
    const rec = recordingToy({
      machine: (m) => Object.assign(Object.create(m), { exit: () => 1 }),
    });
    expect(() =>
      runText(
        toyWorkload(['{"op":"run","vcpu":0,"cpu":0}', '{"op":"exit","vcpu":0,"reason":"mmio"}']),
        {
          backends: [rec.backend],
          policy: 'kvm',
        },
      ),
    ).toThrow(
      /exit reason mmio resumed the guest, but the reason is declared to return KVM_RUN to userspace/,
    );
  });

  it("kvm_arch_vcpu_load gets the policy's preload within what the guest enabled", () => {
    const events = [
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"run","vcpu":0,"cpu":1}',
    ];
    const eager = recordingToy();
    runText(toyWorkload(events), { backends: [eager.backend], policy: 'eager' });
    expect(eager.preloads).toEqual([1, 1]);
    const lazy = recordingToy();
    runText(toyWorkload(events), { backends: [lazy.backend], policy: 'lazy' });
    expect(lazy.preloads).toEqual([0, 0]);
  });

  it('"preempt": "after-trap" puts and loads the vCPU between the handler and the re-entry', () => {
    const { calls, result } = run([
      '{"op":"run","vcpu":0,"cpu":1}',
      '{"op":"use","vcpu":0,"unit":"fp","preempt":"after-trap"}',
      '{"op":"use","vcpu":0,"unit":"fp","preempt":"after-trap"}',
    ]);
    expect(result.report.warnings).toEqual([]);
    expect(calls).toEqual([
      'kvm_arch_vcpu_load(0,1)',
      'kvmRunBegin(0,1,0)',
      'enter(0,false)',
      'handleTrap(0,0,1)',
      'kvm_arch_vcpu_put(0)',
      'kvm_arch_vcpu_load(0,1)',
      // the toy lost its FP at the put: the re-entered instruction traps again, and executes
      'enter(0,true)',
      'handleTrap(0,0,1)',
      'enter(0,true)',
      // the second use executes: no trap, so nothing to be preempted after
    ]);
  });

  it('a vCPU ioctl on a preempted vCPU means KVM_RUN returned: its end runs first, once', () => {
    const { calls } = run([
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"switch","cpu":0,"thread":"vmm0"}',
      '{"op":"user-get","vcpu":0,"unit":"fp","reg":1}',
      '{"op":"user-get","vcpu":0,"unit":"fp","reg":2}',
    ]);
    expect(calls.slice(-4)).toEqual([
      'kvm_arch_vcpu_put(0)',
      'kvmRunEnd(0,0)',
      'userRead(0)',
      'userRead(0)',
    ]);
  });

  it('…with the VMM thread off every pCPU, KVM_RUN ends with no pCPU', () => {
    const rec = recordingToy();
    const events = [
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"switch","cpu":0,"thread":"bash"}',
      '{"op":"user-get","vcpu":0,"unit":"fp","reg":1}',
    ];
    runText(toyWorkload(events, '"cpus":1,"vcpus":1,"threads":["bash"]'), {
      backends: [rec.backend],
      policy: 'kvm',
    });
    expect(rec.calls.slice(-2)).toEqual(['kvmRunEnd(0,)', 'userRead(0)']);
  });

  it('a vCPU ioctl while the guest runs: a pending signal exits and returns KVM_RUN first', () => {
    const { calls, result } = run([
      '{"op":"run","vcpu":0,"cpu":1}',
      '{"op":"user-get","vcpu":0,"unit":"fp","reg":1}',
      '{"op":"enter","vcpu":0}',
    ]);
    expect(calls).toEqual([
      'kvm_arch_vcpu_load(0,1)',
      'kvmRunBegin(0,1,0)',
      'enter(0,false)',
      'exit(0,4,false)',
      'kvmRunEnd(0,1)',
      'kvm_arch_vcpu_put(0)',
      'userRead(0)',
      'kvm_arch_vcpu_load(0,1)',
      'kvmRunBegin(0,1,0)',
      'enter(0,false)',
    ]);
    expect(result.report.outcomes['KVM_RUN returned to userspace']).toBe(1);
  });

  it('…and while loaded between an exit and the next entry, KVM_RUN returns without an exit', () => {
    const { calls } = run([
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"exit","vcpu":0,"reason":"irq"}',
      '{"op":"user-set","vcpu":0,"unit":"fp","reg":1}',
    ]);
    expect(calls.slice(3)).toEqual(['exit(0,1,false)', 'kvmRunEnd(0,0)', 'kvm_arch_vcpu_put(0)']);
  });

  it('the VMM thread running user code while its vCPU is preempted ends KVM_RUN on that pCPU', () => {
    const { calls } = run([
      '{"op":"run","vcpu":0,"cpu":1}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"host-use","cpu":1,"thread":"vmm0","unit":"fp"}',
      '{"op":"host-use","cpu":1,"thread":"vmm0","unit":"fp"}',
    ]);
    expect(calls.filter((c) => c.startsWith('kvmRun'))).toEqual([
      'kvmRunBegin(0,1,0)',
      'kvmRunEnd(0,1)',
    ]);
  });
});

describe('events impossible in the lifecycle are input errors', () => {
  const cases: [string, string[], string][] = [
    [
      'enter after a preemption without load',
      ['{"op":"run","vcpu":0,"cpu":0}', '{"op":"sched-out","vcpu":0}', '{"op":"enter","vcpu":0}'],
      'w:4: vcpu: enter: vcpu 0 is not loaded',
    ],
    [
      'preempt with a value other than after-trap',
      ['{"op":"run","vcpu":0,"cpu":0}', '{"op":"use","vcpu":0,"unit":"fp","preempt":"yes"}'],
      'w:3: preempt: expected after-trap, got the string "yes"',
    ],
    [
      'a second load',
      ['{"op":"load","vcpu":0,"cpu":0}', '{"op":"load","vcpu":0,"cpu":1}'],
      'w:3: vcpu: vcpu 0 is already loaded on cpu 0',
    ],
    [
      'put in guest mode',
      ['{"op":"run","vcpu":0,"cpu":0}', '{"op":"put","vcpu":0}'],
      'w:3: vcpu: put: vcpu 0 is in guest mode; exit first (or use sched-out)',
    ],
    [
      'host-use on a pCPU inside KVM_RUN',
      ['{"op":"load","vcpu":0,"cpu":0}', '{"op":"host-use","cpu":0,"unit":"fp"}'],
      'w:3: cpu: host-use on cpu 0 while vcpu 0 is loaded there (inside KVM_RUN); put it first (sched-out)',
    ],
  ];
  for (const [what, events, message] of cases) {
    it(what, () => {
      const { backend } = recordingToy();
      let err: unknown;
      try {
        runText(toyWorkload(events), { backends: [backend], policy: 'kvm' }, 'w');
      } catch (e) {
        err = e;
      }
      expect(InputError.isInstance(err)).toBe(true);
      expect((err as Error).message).toBe(message);
    });
  }
});

describe('a thread killed by an oops (host.killed)', () => {
  it("runs none of its vCPU's later events, frees the pCPU, and another vCPU runs there", () => {
    const rec = recordingToy({ killAt: 'kvmRunBegin' });
    const events = [
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"fp"}',
      '{"op":"sched-out","vcpu":0}',
      '{"op":"user-get","vcpu":0,"unit":"fp"}',
      '{"op":"host-use","cpu":0,"thread":"vmm0","unit":"fp"}',
      '{"op":"run","vcpu":1,"cpu":0}',
      '{"op":"use","vcpu":1,"unit":"fp"}',
    ];
    const r = runText(toyWorkload(events, '"cpus":1,"vcpus":2'), {
      backends: [rec.backend],
      policy: 'kvm',
    });
    expect(rec.calls).toEqual([
      'kvm_arch_vcpu_load(0,0)',
      'kvmRunBegin(0,0,0)',
      'killed',
      'kvm_arch_vcpu_load(1,0)',
      'kvmRunBegin(1,0,0)',
      'enter(1,false)',
      'handleTrap(1,0,1)',
      'enter(1,true)',
    ]);
    expect(r.report.warnings).toEqual([
      "vCPU 0's thread (vmm0) died in an oops: event not run (4 times)",
    ]);
    expect(r.report.workload.events).toBe(7);
    expect(r.report.check.violations).toBe(0);
  });
});
