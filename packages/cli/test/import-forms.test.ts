/** `vfpu import`: each line framing and each print form of each event, as the kernel writes it. */
import { describe, expect, it } from 'vitest';
import { fpExitDetail, isFpTrap } from '../src/import/arch.js';
import { ExitForm, Kind, newEvent, parseBody } from '../src/import/bodies.js';
import { commOf, detectFormat, newFrame, parseFrame, preamble } from '../src/import/framing.js';

function frame(line: string) {
  const format = detectFormat(line);
  const f = newFrame();
  // framed in place, inside a chunk of other lines (the import's reader hands over chunks)
  const text = `x [1] 1.5: ev: other\n${line}\n[2] 3.25: more`;
  if (format === undefined || !parseFrame(text, 21, 21 + line.length, format, f)) return undefined;
  return {
    format,
    comm: commOf(f),
    pid: f.pid,
    cpu: f.cpu,
    ts: f.ts,
    event: f.event,
    body: f.body,
  };
}

describe('framings', () => {
  it('trace-cmd 3.x with the latency-flags column and 6 decimals', () => {
    expect(
      frame(
        '       CPU 0/KVM-2345  [001] d..2.  1234.567890: kvm_entry:            vcpu 0, rip 0xffffffff8103c5e6',
      ),
    ).toEqual({
      format: 'trace-cmd',
      comm: 'CPU 0/KVM',
      pid: 2345,
      cpu: 1,
      ts: '1234.567890',
      event: 'kvm_entry',
      body: 'vcpu 0, rip 0xffffffff8103c5e6',
    });
  });

  it('older trace-cmd without the flags column, 9 decimals, a comm with dashes', () => {
    expect(
      frame(' qemu-system-x86-3344  [000]   812.123456789: kvm_fpu:              load'),
    ).toMatchObject({
      format: 'trace-cmd',
      comm: 'qemu-system-x86',
      pid: 3344,
      cpu: 0,
      ts: '812.123456789',
      event: 'kvm_fpu',
      body: 'load',
    });
  });

  it('perf script, with pid/tid, and with a comm that holds spaces', () => {
    expect(
      frame(
        '       CPU 1/KVM  2346 [003]  1234.567890: kvm:kvm_exit: vcpu 1 reason HLT rip 0x0 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000',
      ),
    ).toMatchObject({
      format: 'perf-script',
      comm: 'CPU 1/KVM',
      pid: 2346,
      cpu: 3,
      event: 'kvm_exit',
    });
    expect(
      frame('qemu-kvm 3340/3344 [002] 99.000001: kvm:kvm_userspace_exit: reason KVM_EXIT_IO (2)'),
    ).toMatchObject({
      format: 'perf-script',
      pid: 3344,
      cpu: 2,
      body: 'reason KVM_EXIT_IO (2)',
    });
  });

  it('preamble lines: cpus=N, version, empty CPUs, lost events, perf comments; others are not', () => {
    expect(preamble('cpus=8')).toEqual({ kind: 'cpus', n: 8 });
    expect(preamble('version = 7')).toEqual({ kind: 'none' });
    expect(preamble('CPU 3 is empty')).toEqual({ kind: 'none' });
    expect(preamble('CPU:2 [LOST 1024 EVENTS]')).toEqual({ kind: 'lost', n: 1024 });
    expect(preamble('# ========')).toEqual({ kind: 'none' });
    expect(preamble('hello world')).toBeUndefined();
  });
});

function body(event: string, text: string) {
  const e = newEvent();
  const bad = parseBody(event, text, e);
  return { bad, e };
}

describe('kvm_entry forms', () => {
  it.each([
    ['vcpu 3', 3],
    ['vcpu 3, rip 0xffffffff8103c5e6', 3],
    ['vcpu 3, rip 0xffffffff8103c5e6[immediate exit]', 3],
    ['vcpu 3, rip 0xffffffff8103c5e6 inj 0x00000000 inj_error_code 0x00000000[guest]', 3],
  ])('x86 %s', (text, v) => {
    const { bad, e } = body('kvm_entry', text);
    expect(bad).toBeUndefined();
    expect(e.kind).toBe(Kind.entry);
    expect(e.vcpu).toBe(v);
    expect(e.entryForm).toBe('x86');
  });

  it('arm64 "PC: 0x%016lx", MIPS/LoongArch kvm_enter, kvm_reenter, kvm_out in both forms', () => {
    expect(body('kvm_entry', 'PC: 0xffff80000810a2c4').e.entryForm).toBe('arm64');
    expect(body('kvm_enter', 'PC: 0xffffffff80123456').e.vcpu).toBe(-1);
    expect(body('kvm_reenter', 'vcpu 2 PC: 0x9000000000201234').e.vcpu).toBe(2);
    expect(body('kvm_out', 'PC: 0x80123456').e.kind).toBe(Kind.out);
    expect(body('kvm_entry', 'vcpu x').bad).toContain('expected');
  });
});

describe('kvm_exit forms', () => {
  it('x86 current (v5.12+): vcpu, reason, intr_info; #NM is EXCEPTION_NMI with vector 7', () => {
    const { bad, e } = body(
      'kvm_exit',
      'vcpu 0 reason EXCEPTION_NMI rip 0xffffffff81a0b2c6 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x80000307 error_code 0x00000000',
    );
    expect(bad).toBeUndefined();
    expect(e.exitForm).toBe(ExitForm.x86);
    expect(e.label).toBe('EXCEPTION_NMI');
    expect(isFpTrap(e)).toBe(true);
    expect(fpExitDetail(e)).toBe('EXCEPTION_NMI vector 7');
    // a #PF (vector 14) is not
    const pf = body(
      'kvm_exit',
      'vcpu 0 reason EXCEPTION_NMI rip 0x1 info1 0x0 info2 0x0 intr_info 0x80000b0e error_code 0x00000000',
    ).e;
    expect(isFpTrap(pf)).toBe(false);
  });

  it('x86 v5.7–v5.11 "vcpu %u reason %s rip 0x%lx info %llx %llx", and the old/plugin form without vcpu', () => {
    const mid = body(
      'kvm_exit',
      'vcpu 1 reason EXCEPTION_NMI rip 0xffffffff81001234 info 0 80000307',
    ).e;
    expect(mid.vcpu).toBe(1);
    expect(isFpTrap(mid)).toBe(true);
    const old = body('kvm_exit', 'reason IO_INSTRUCTION rip 0xffffffff81001234 info 700040 0').e;
    expect(old.vcpu).toBe(-1);
    expect(old.label).toBe('IO_INSTRUCTION');
    expect(isFpTrap(old)).toBe(false);
    const plugin = body('kvm_exit', 'reason UNKNOWN (77) rip 0xffffffff81001234').e;
    expect(plugin.label).toBe('UNKNOWN (77)');
  });

  it('arm64: a trap is named by its class, anything else by its type; no FP trap ever', () => {
    const t = body('kvm_exit', 'TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0xffff80000810a2c4').e;
    expect([t.exitForm, t.label, isFpTrap(t)]).toEqual([ExitForm.arm64, 'DABT_LOW', false]);
    expect(body('kvm_exit', 'IRQ: HSR_EC: 0x0000 (UNKNOWN), PC: 0xffff80000810a2c4').e.label).toBe(
      'IRQ',
    );
    expect(
      body('kvm_exit', 'TRAP: vcpu: 4 HSR_EC: 0x0001 (WFx), PC: 0xffff80000810a2c4').e.vcpu,
    ).toBe(4);
  });

  it('MIPS "[%s]PC:" with the trap names; LoongArch hex ecodes in both forms', () => {
    for (const [text, label, fp] of [
      ['[COP0/1 Unusable]PC: 0xffffffff80123456', 'COP0/1 Unusable', true],
      ['[MSA Disabled]PC: 0xffffffff80123456', 'MSA Disabled', true],
      ['[FPE]PC: 0xffffffff80123456', 'FPE', false],
      ['[MSA FPE]PC: 0xffffffff80123456', 'MSA FPE', false],
      ['[TLB Miss (LD)]PC: 0xffffffff80123456', 'TLB Miss (LD)', false],
      ['[0xf]PC: 0x9000000000201234', '0xf', true],
      ['vcpu 1 [0x10] PC: 0x9000000000201234', '0x10', true],
      ['vcpu 1 [0x11] PC: 0x9000000000201234', '0x11', true],
      ['[0x14]PC: 0x9000000000201234', '0x14', true],
      ['vcpu 1 [IDLE] PC: 0x9000000000201234', 'IDLE', false],
    ] as const) {
      const { bad, e } = body('kvm_exit', text);
      expect(bad).toBeUndefined();
      expect([e.label, isFpTrap(e)]).toEqual([label, fp]);
    }
  });

  it('a body in no form is refused with the forms it may take', () => {
    expect(body('kvm_exit', 'reason').bad).toContain('kvm_exit forms');
  });
});

describe('kvm_fpu, kvm_aux, kvm_userspace_exit, sched_switch, x86_fpu', () => {
  it('kvm_fpu load|unload only', () => {
    expect(body('kvm_fpu', 'load').e.label).toBe('load');
    expect(body('kvm_fpu', 'unload').e.label).toBe('unload');
    expect(body('kvm_fpu', 'loaded').bad).toBe('expected "load" or "unload"');
  });

  it.each([
    ['restore FPU PC: 0xffffffff80123456', 'restore FPU'],
    ['save FPU & MSA PC: 0xffffffff80123456', 'save FPU & MSA'],
    ['enable MSA PC: 0xffffffff80123456', 'enable MSA'],
    ['disable FPU PC: 0xffffffff80123456', 'disable FPU'],
    ['discard MSA PC: 0xffffffff80123456', 'discard MSA'],
    ['restore LASX PC: 0x9000000000201234', 'restore LASX'],
    ['save FPU & LSX & LASX PC: 0x9000000000201234', 'save FPU & LSX & LASX'],
  ])('kvm_aux %s', (text, detail) => {
    const { bad, e } = body('kvm_aux', text);
    expect(bad).toBeUndefined();
    expect(e.label).toBe(detail);
  });

  it('kvm_userspace_exit: a KVM_EXIT name, restart (-EINTR), error', () => {
    expect(body('kvm_userspace_exit', 'reason KVM_EXIT_MMIO (6)').e).toMatchObject({
      label: 'KVM_EXIT_MMIO',
      code: 6,
    });
    expect(body('kvm_userspace_exit', 'reason restart (4)').e.label).toBe('restart');
    expect(body('kvm_userspace_exit', 'reason KVM_EXIT_IO').bad).toBe('expected "reason NAME (N)"');
  });

  it('sched_switch: the kernel form (comms with spaces), vendor extra fields, the trace-cmd plugin form', () => {
    const k = body(
      'sched_switch',
      'prev_comm=CPU 0/KVM prev_pid=2345 prev_prio=120 prev_state=S ==> next_comm=kworker/1:2 next_pid=77 next_prio=120',
    ).e;
    expect([k.prevComm, k.prevPid, k.nextComm, k.nextPid]).toEqual([
      'CPU 0/KVM',
      2345,
      'kworker/1:2',
      77,
    ]);
    const vendor = body(
      'sched_switch',
      'prev_comm=bash prev_pid=10 prev_prio=120 prev_state=R+ prev_cgroup=/ ==> next_comm=CPU 1/KVM next_pid=11 next_prio=120 next_cgroup=/machine',
    ).e;
    expect([vendor.prevPid, vendor.nextComm, vendor.nextPid]).toEqual([10, 'CPU 1/KVM', 11]);
    const plugin = body('sched_switch', 'CPU 0/KVM:2345 [120] S ==> swapper/1:0 [120]').e;
    expect([plugin.prevComm, plugin.prevPid, plugin.nextPid]).toEqual(['CPU 0/KVM', 2345, 0]);
    expect(body('sched_switch', 'prev_comm=a').bad).toContain('expected');
  });

  it('x86_fpu_*: xfeatures', () => {
    expect(
      body(
        'x86_fpu_before_save',
        'x86/fpu: 0xffff888003a1c040 load: 1 xfeatures: e7 xcomp_bv: 80000000000000e7',
      ).e.xfeatures,
    ).toBe(0xe7);
    expect(
      body(
        'x86_fpu_regs_activated',
        'x86/fpu: 000000003a2b1c4d initialized: 1 xfeatures: 3 xcomp_bv: 0',
      ).e.xfeatures,
    ).toBe(3);
    expect(body('x86_fpu_dropped', 'x86/fpu:').bad).toContain('xfeatures');
  });
});
