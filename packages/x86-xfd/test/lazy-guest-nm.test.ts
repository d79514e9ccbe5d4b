/**
 * A lazy policy's #NM (CR0.TS / XFD[18] kept armed while the guest fpstate is not loaded:
 * policy-paths.ts lazyGuestNm) that is also the guest's own: its XFD armed for a tile
 * instruction, or its CR0.TS set with #NM intercepted (xfd_no_write_intercept). The exit is the
 * guest's, handled as the kernel handles it (handle_exception_nmi: the #NM injected), with the
 * load riding on it: one exit, not a re-entry into a second #NM (a livelock in the model before).
 */
import { runText } from '@vfpu/core';
import { describe, expect, it } from 'vitest';
import { x86Xfd } from '../src/index.js';

const backend = x86Xfd();
const HEADER =
  '{"format":"vfpu-workload","version":1,"arch":"x86-xfd","variant":"kvm-6.16","cpus":1,"vcpus":1}';

function lazy(events: readonly string[]) {
  const lines: string[] = [];
  const at = events.length + 1; // the last event's line
  const { report } = runText([HEADER, ...events].join('\n'), {
    backends: [backend],
    policy: 'lazy',
    explain: (line, _event, out) => {
      if (line === at) lines.push(...out.map((l) => l.trim()));
    },
  });
  return { report, lines };
}

describe('x86-xfd lazy: an #NM that is the guest own too', () => {
  it("the guest's XFD armed (KVM_SET_MSRS before the first KVM_RUN): a tile use injects its #NM in the one exit", () => {
    const { report, lines } = lazy([
      '{"op":"syscall","name":"KVM_SET_MSRS(IA32_XFD)","vcpu":0,"value":262144}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"amx-tile"}',
    ]);
    expect(report.traps).toMatchObject({ nm_xfd: 1, nm_xfd_kvm: 0 });
    expect(report.exits).toMatchObject({ EXCEPTION_NMI: 1 });
    expect(report.warnings).toEqual([]);
    expect(lines.filter((l) => l.startsWith('VM exit EXCEPTION_NMI'))).toHaveLength(1);
    const irqoff = lines.findIndex((l) => l.includes('is_xfd_nm_fault: RDMSR IA32_XFD_ERR'));
    const inject = lines.findIndex((l) => l.includes('kvm_queue_exception_p (NM_VECTOR, 0x40000)'));
    const load = lines.findIndex((l) => l.startsWith('switch_fpu_return'));
    expect(irqoff).toBeGreaterThan(0);
    expect(inject).toBeGreaterThan(irqoff);
    expect(load).toBeGreaterThan(inject);
  });

  it("the guest's CR0.TS, #NM intercepted because of XFD: an SSE use injects #NM (payload 0) in the one exit", () => {
    const { report, lines } = lazy([
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"guest-write","vcpu":0,"reg":"IA32_XFD","value":262144}',
      '{"op":"guest-write","vcpu":0,"reg":"CR0","value":8}',
      '{"op":"exit","vcpu":0,"reason":"signal"}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"sse"}',
    ]);
    expect(report.traps).toMatchObject({ nm_cr0ts: 1, nm_cr0ts_kvm: 0 });
    expect(report.exits).toMatchObject({ EXCEPTION_NMI: 1 });
    expect(report.warnings).toEqual([]);
    expect(lines.filter((l) => l.startsWith('VM exit EXCEPTION_NMI'))).toHaveLength(1);
    expect(lines).toContain('handle_exception_nmi → kvm_queue_exception_p (NM_VECTOR, 0x0)');
    expect(lines.some((l) => l.startsWith('switch_fpu_return'))).toBe(true);
  });

  it('a use the guest does not hold back is still only the policy’s load (nm_xfd_kvm, no #NM injected)', () => {
    const { report, lines } = lazy([
      '{"op":"syscall","name":"KVM_SET_MSRS(IA32_XFD)","vcpu":0,"value":0}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"amx-tile"}',
    ]);
    expect(report.traps).toMatchObject({ nm_xfd: 0, nm_xfd_kvm: 1 });
    expect(lines.some((l) => l.includes('kvm_queue_exception_p'))).toBe(false);
  });
});
