/**
 * The built `vfpu import` frames the trace on a second thread (dist/import-worker.js);
 * `VFPU_IMPORT_THREADS=1` (and a run from source) frames it on the main thread. Both must give
 * the same bytes, the same summary and the same errors: every trace fixture, a trace of several batches (buffers handed back and forth, the
 * main thread behind), standard input, a guest trace merged by timestamp, and bad lines in a
 * later batch (framing, found on the worker; body, found on the main thread).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir, writeFile } from './helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', 'dist', 'bin.js');
const TRACES = join(HERE, 'fixtures', 'traces');
const built = (args: string[], threads: '1' | '2', input?: string) => {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, VFPU_IMPORT_THREADS: threads },
    ...(input !== undefined ? { input } : {}),
  });
  return { out: r.stdout, err: r.stderr, code: r.status };
};

/** Both ways agree: output, messages, exit code. */
function same(args: string[], input?: string): { out: string; code: number | null } {
  const one = built(args, '1', input);
  expect(built(args, '2', input)).toEqual(one);
  return one;
}

/** A long x86 trace: `rounds` KVM_RUNs of 4 vCPUs, with sched_switch and an unread event. */
function longTrace(rounds: number): string {
  const out: string[] = ['cpus=4'];
  let t = 1000;
  const line = (v: number, event: string, body: string) => {
    t += 0.000013;
    out.push(
      `${`CPU ${v}/KVM-${3000 + v}`.padStart(16)} [${String(v).padStart(3, '0')}] d..2. ${t.toFixed(6)}: ${`${event}:`.padEnd(22)}${body}`,
    );
  };
  const exit = (v: number, reason: string, intr = '0x00000000') =>
    `vcpu ${v} reason ${reason} rip 0xffffffff81a0b2c4 info1 0x0000000000000000 info2 0x0000000000000000 intr_info ${intr} error_code 0x00000000`;
  for (let r = 0; r < rounds; r++) {
    const v = r % 4;
    line(v, 'kvm_fpu', 'load');
    line(v, 'kvm_entry', `vcpu ${v}, rip 0xffffffff81a0b2c4`);
    line(v, 'kvm_exit', exit(v, 'EXTERNAL_INTERRUPT', '0x800000ec'));
    line(v, 'kvm_entry', `vcpu ${v}, rip 0xffffffff81a0b2c4`);
    if (r % 7 === 0) {
      line(v, 'kvm_exit', exit(v, 'EXCEPTION_NMI', '0x80000307'));
      line(v, 'kvm_entry', `vcpu ${v}, rip 0xffffffff81a0b2c4`);
    }
    line(v, 'kvm_exit', exit(v, 'IO_INSTRUCTION'));
    line(v, 'kvm_pio', 'pio_write at 0x70 size 1 count 1 val 0x8f');
    line(v, 'kvm_fpu', 'unload');
    line(v, 'kvm_userspace_exit', 'reason KVM_EXIT_IO (2)');
    if (r % 5 === 0)
      line(
        v,
        'sched_switch',
        `prev_comm=CPU ${v}/KVM prev_pid=${3000 + v} prev_prio=120 prev_state=S ==> next_comm=kworker/${v}:1 next_pid=${90 + v} next_prio=120`,
      );
  }
  return `${out.join('\n')}\n`;
}

let dir: string;
let FILE: string;
let LONG: string;
beforeAll(() => {
  dir = tempDir();
  LONG = longTrace(12_000); // about 130,000 lines, 17 MB: 16 batches and more
  FILE = writeFile(dir, 'long.txt', LONG);
});
afterAll(() => cleanup(dir));

describe('vfpu import on two threads', () => {
  it('every trace fixture imports to the same bytes as on one thread (from source)', async () => {
    const files = readdirSync(TRACES).filter((f) => f.endsWith('.txt'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const here = await cli(['import', join(TRACES, f)]);
      expect(here.code).toBe(0);
      expect(built(['import', join(TRACES, f)], '2')).toEqual(here);
    }
  }, 180_000);

  it('a trace of many batches, from a file and from standard input', () => {
    const r = same(['import', FILE]);
    expect(r.code).toBe(0);
    expect(LONG.length).toBeGreaterThan(8 << 20); // 8 batches and more
    expect(r.out.split('\n').length).toBeGreaterThan(60_000);
    const stdin = same(['import', '-'], LONG);
    expect(stdin.out.replace('<stdin>', 'long.txt').replace('<stdin>', 'long.txt')).toBe(r.out);
  }, 180_000);

  it('a bad line late in the trace: the same message from either thread, nothing written', () => {
    const lines = LONG.split('\n');
    const at = lines.length - 1000; // in the last batches
    const framing = [...lines];
    framing[at] = 'not a trace line';
    const f1 = writeFile(dir, 'bad-framing.txt', framing.join('\n'));
    const a = same(['import', f1]);
    expect(a.code).toBe(2);
    const body = [...lines];
    body[at] = (body[at] as string).replace(/: (kvm_\w+): .*/, ': kvm_exit: vcpu 0 why');
    const f2 = writeFile(dir, 'bad-body.txt', body.join('\n'));
    const b = same(['import', f2]);
    expect(b.code).toBe(2);
    expect(b.out).toBe('');
  }, 180_000);

  it('check reads the recorded tracepoints through the worker too', () => {
    const f = join(TRACES, 'x86-csaw18-kvm-pio.trace-cmd.txt');
    expect(same(['check', f, '--arch', 'x86-xfd', '--variant', 'kvm-6.16']).code).toBe(0);
    expect(same(['check', f, '--arch', 'x86-xfd', '--variant', 'kvm-lazy-cr0ts']).code).toBe(1);
  }, 180_000);

  it('a guest trace is merged by timestamp the same way', () => {
    const guest = writeFile(
      dir,
      'guest.txt',
      [
        '            bash-901   [000] d..1.  1000.000120: x86_fpu_regs_activated: x86/fpu: 0xffff888003a1c040 load: 1 xfeatures: 7 xcomp_bv: 8000000000000007',
        '            bash-901   [001] d..1.  1050.000535: x86_fpu_before_save: x86/fpu: 0xffff888003a1c040 load: 1 xfeatures: 3 xcomp_bv: 8000000000000003',
        '',
      ].join('\n'),
    );
    const r = same(['import', FILE, '--guest-fp', 'from-guest-trace', '--guest-trace', guest]);
    expect(r.code).toBe(0);
  }, 180_000);
});
