/** `vfpu import`: malformed lines of known events are input errors (file:line:part, exit 2, no output). */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir, writeFile } from './helpers.js';
import { MIPS, traceCmd, X86 } from './import-samples.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

/** The X86 sample with line `n` (1-based) replaced. */
function withLine(n: number, text: string): string {
  const lines = traceCmd(X86).split('\n');
  lines[n - 1] = text;
  return lines.join('\n');
}

async function refused(content: string, message: string): Promise<void> {
  const d = tempDir();
  try {
    const f = writeFile(d, 'bad.txt', content);
    const r = await cli(['import', f, '-o', join(d, 'out.ndjson')]);
    expect(r.err).toBe(`vfpu: ${f}:${message}\n`);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(readdirSync(d)).toEqual(['bad.txt']);
  } finally {
    cleanup(d);
  }
}

describe('vfpu import: bad input', () => {
  it('a malformed kvm_exit names its line and the event; nothing is written', async () => {
    await refused(
      withLine(
        3,
        '       CPU 0/KVM-2345  [001] d..2. 100.000200: kvm_exit:             vcpu 0 why',
      ),
      `3: kvm_exit: expected one of the kernel's kvm_exit forms: "[vcpu N ]reason NAME rip 0x… …" (x86), "TYPE: HSR_EC: 0x… (CLASS), PC: 0x…" (arm64), "[NAME]PC: 0x…" (MIPS, LoongArch)`,
    );
  });

  it('a malformed kvm_fpu, kvm_aux, sched_switch, kvm_userspace_exit', async () => {
    await refused(
      withLine(1, '       CPU 0/KVM-2345  [001] d..2. 100.000100: kvm_fpu: 1'),
      '1: kvm_fpu: expected "load" or "unload"',
    );
    await refused(
      withLine(12, '       CPU 0/KVM-2345  [001] d..2. 100.000600: sched_switch: CPU 0/KVM'),
      '12: sched_switch: expected "prev_comm=… prev_pid=N … ==> next_comm=… next_pid=N …" or "COMM:PID [PRIO] STATE ==> COMM:PID [PRIO]"',
    );
    await refused(
      withLine(8, '       CPU 0/KVM-2345  [001] d..2. 100.000510: kvm_userspace_exit: reason 6'),
      '8: kvm_userspace_exit: expected "reason NAME (N)"',
    );
    const mips = traceCmd(MIPS).split('\n');
    mips[2] = '       CPU 0/KVM-3001  [000] d..2. 50.000011: kvm_aux: restore PC: 0x1';
    await refused(
      mips.join('\n'),
      '3: kvm_aux: expected "OP STATE PC: 0x…" (OP restore|save|enable|disable|discard, STATE FPU|MSA|LSX|LASX|FPU & MSA|…)',
    );
  });

  it("a pCPU beyond the workload format's 1024 is refused at its line", async () => {
    await refused(
      withLine(
        2,
        '       CPU 0/KVM-2345  [1024] d..2. 100.000110: kvm_entry: vcpu 0, rip 0xffffffff8103c5e6',
      ),
      "2: cpu: pCPU 1024 is beyond the workload format's 1024 pCPUs",
    );
  });

  it('a line in no framing is refused with the framing it should have', async () => {
    await refused(
      withLine(5, 'garbage here'),
      '5: framing: not an event line of the form "COMM-PID [CPU] [FLAGS] SECS: EVENT: …" (trace-cmd report)',
    );
  });

  it('a file of no trace at all', async () => {
    await refused(
      '{"format":"vfpu-workload"}\n',
      '1: framing: not an event line of the form "COMM-PID [CPU] [FLAGS] SECS: EVENT: …" (trace-cmd report)',
    );
  });

  it('unknown events are skipped and counted, not refused', async () => {
    const f = writeFile(
      dir,
      'unknown.txt',
      withLine(6, '       CPU 0/KVM-2345  [001] d..2. 100.000450: kvm_whatever: some text {'),
    );
    const r = await cli(['import', f]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.split('\n', 1)[0] as string).source.skipped).toEqual({
      kvm_whatever: 1,
    });
    expect(r.err).toContain('skipped 1 events of unread kinds: kvm_whatever 1');
  });

  it('usage: an unknown --arch or --variant, an arch the trace contradicts, --guest-trace without its mode', async () => {
    const f = writeFile(dir, 'x.txt', traceCmd(X86));
    let r = await cli(['import', f, '--arch', 'vax']);
    expect([r.code, r.err]).toEqual([
      2,
      'vfpu: --arch: unknown architecture "vax" (known: mips-vz, arm-vfp, x86-xfd, loongarch, riscv)\n',
    ]);
    r = await cli(['import', f, '--variant', 'kvm-9.99']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--variant: x86-xfd has no variant "kvm-9.99"');
    r = await cli(['import', f, '--arch', 'mips-vz']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--arch mips-vz, but the trace is x86-xfd's");
    r = await cli(['import', f, '--guest-trace', f]);
    expect([r.code, r.err]).toEqual([2, 'vfpu: --guest-trace needs --guest-fp from-guest-trace\n']);
    r = await cli(['import', f, '--guest-fp', 'from-guest-trace']);
    expect([r.code, r.err]).toEqual([
      2,
      'vfpu: --guest-fp from-guest-trace needs --guest-trace FILE\n',
    ]);
  });

  it('a trace whose architecture cannot be told asks for --arch', async () => {
    const f = writeFile(
      dir,
      'noarch.txt',
      '       CPU 0/KVM-3001  [000] d..2. 50.000001: kvm_enter: PC: 0xffffffff80123456\n',
    );
    const r = await cli(['import', f]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('does not show its architecture');
    expect(r.err).toContain('give --arch');
    const ok = await cli(['import', f, '--arch', 'mips-vz']);
    expect(ok.code).toBe(0);
  });
});
