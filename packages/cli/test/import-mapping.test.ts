/** `vfpu import`: a small trace of each architecture gives exactly the expected workload lines. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir, writeFile } from './helpers.js';
import { perfScript, SAMPLES, traceCmd } from './import-samples.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

const body = (out: string) => out.trimEnd().split('\n').slice(1);
const header = (out: string) => JSON.parse(out.split('\n', 1)[0] as string);

describe('vfpu import: the mapping', () => {
  for (const s of SAMPLES) {
    it(`${s.arch}: trace-cmd report → the exact workload lines, the arch detected`, async () => {
      const f = writeFile(dir, `${s.arch}.txt`, traceCmd(s.events));
      const r = await cli(['import', f]);
      expect(r.err).toContain('vfpu import:');
      expect(r.code).toBe(0);
      expect(body(r.out)).toEqual(s.workload);
      const h = header(r.out);
      expect(h.arch).toBe(s.arch);
      expect(h.source.format).toBe('trace-cmd');
      expect(h.variant).toBeUndefined();
    });

    it(`${s.arch}: perf script of the same events gives the same workload`, async () => {
      const a = await cli(['import', writeFile(dir, `${s.arch}.tc`, traceCmd(s.events))]);
      const b = await cli(['import', writeFile(dir, `${s.arch}.perf`, perfScript(s.events))]);
      expect(b.code).toBe(0);
      expect(body(b.out)).toEqual(body(a.out));
      const ha = header(a.out);
      const hb = header(b.out);
      expect(hb.source.format).toBe('perf-script');
      expect({ ...hb, name: '', source: { ...hb.source, file: '', format: '' } }).toEqual({
        ...ha,
        name: '',
        source: { ...ha.source, file: '', format: '' },
      });
    });
  }

  it('x86: the header counts cpus, vcpus, threads, events per kind and the skipped ones', async () => {
    const s = SAMPLES[0];
    const r = await cli(['import', writeFile(dir, 'x86h.txt', traceCmd(s.events, 4))]);
    const h = header(r.out);
    expect(h.cpus).toBe(4);
    expect(h.vcpus).toBe(2);
    expect(h.threads).toEqual(['kworker_1_2.77']);
    expect(h.source.events).toEqual({
      kvm_fpu: 6,
      kvm_entry: 7,
      kvm_exit: 7,
      kvm_userspace_exit: 3,
      sched_switch: 5,
    });
    expect(h.source.skipped).toEqual({ kvm_pio: 1 });
    expect(r.err).toContain('skipped 1 events of unread kinds: kvm_pio 1');
    expect(h.source.lines).toBe(s.events.length + 1);
  });

  it('the assumptions are in the header: guest FP, and per arch', async () => {
    const x86 = header(
      (await cli(['import', writeFile(dir, 'a1.txt', traceCmd(SAMPLES[0].events))])).out,
    );
    expect(x86.assumptions.join('\n')).toContain('--guest-fp none');
    expect(x86.assumptions.join('\n')).toContain('AMX tile use');
    const mips = header(
      (await cli(['import', writeFile(dir, 'a2.txt', traceCmd(SAMPLES[1].events))])).out,
    );
    expect(mips.assumptions.join('\n')).toContain('only the first use per unit in a slice');
    const arm = header(
      (await cli(['import', writeFile(dir, 'a3.txt', traceCmd(SAMPLES[3].events))])).out,
    );
    expect(arm.assumptions.join('\n')).toContain('never reach kvm_exit');
  });

  it('--guest-fp every-slice adds a use of the widest unit after every entry', async () => {
    const f = writeFile(dir, 'es.txt', traceCmd(SAMPLES[1].events));
    const r = await cli(['import', f, '--guest-fp', 'every-slice', '--variant', 'mainline']);
    expect(r.code).toBe(0);
    const lines = body(r.out);
    const runs = lines.filter((l) => l.includes('"op":"run"')).length;
    const uses = lines.filter((l) => l.includes('"unit":"msa","ts"') && !l.includes('50.000020'));
    expect(uses.length).toBe(runs);
    expect(lines[1]).toBe('{"op":"use","vcpu":0,"unit":"msa","ts":50.000001}');
    expect(header(r.out).variant).toBe('mainline');
    expect(header(r.out).assumptions.join('\n')).toContain(
      'widest unit (msa) once in every guest slice',
    );
  });

  it('--guest-fp from-guest-trace merges a guest-side x86_fpu trace by timestamp into the containing slice', async () => {
    const host = writeFile(dir, 'host.txt', traceCmd(SAMPLES[0].events));
    const guest = writeFile(
      dir,
      'guest.txt',
      [
        '            bash-901   [000] d..1.   100.000120: x86_fpu_regs_activated: x86/fpu: 0xffff888003a1c040 load: 1 xfeatures: 7 xcomp_bv: 8000000000000007',
        '            bash-901   [000] d..1.   100.000250: x86_fpu_before_save: x86/fpu: 0xffff888003a1c040 load: 1 xfeatures: e7 xcomp_bv: 80000000000000e7',
        '            bash-901   [001] d..1.   100.000535: x86_fpu_before_save: x86/fpu: 0xffff888003a1c040 load: 1 xfeatures: 3 xcomp_bv: 8000000000000003',
        '            bash-901   [000] d..1.   100.000536: sched_switch: prev_comm=bash prev_pid=901 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120',
        '',
      ].join('\n'),
    );
    const r = await cli(['import', host, '--guest-fp', 'from-guest-trace', '--guest-trace', guest]);
    expect(r.code).toBe(0);
    const lines = body(r.out);
    expect(lines.slice(0, 3)).toEqual([
      '{"op":"run","vcpu":0,"cpu":1,"ts":100.000110}',
      '{"op":"use","vcpu":0,"unit":"avx","ts":100.000120}',
      '{"op":"exit","vcpu":0,"reason":"irq","label":"EXTERNAL_INTERRUPT","ts":100.000200}',
    ]);
    expect(lines).toContain('{"op":"use","vcpu":1,"unit":"sse","ts":100.000535}');
    const h = header(r.out);
    // 100.000250 falls between vCPU 0's exit and its next entry: no slice holds it
    expect(h.source.adjusted['guest FP use outside every slice (dropped)']).toBe(1);
    expect(h.source.guestTrace).toEqual({ file: 'guest.txt', events: 3, skipped: 1 });
  });

  it('a .gz trace is read compressed', async () => {
    const s = SAMPLES[1];
    const f = writeFile(dir, 'mips.txt.gz', gzipSync(traceCmd(s.events)));
    const r = await cli(['import', f]);
    expect(r.code).toBe(0);
    expect(body(r.out)).toEqual(s.workload);
  });

  it('-o writes the file whole, and nothing else is left in the directory', async () => {
    const d = tempDir();
    try {
      const f = writeFile(d, 't.txt', traceCmd(SAMPLES[2].events));
      const r = await cli(['import', f, '-o', join(d, 'w.ndjson')]);
      expect(r.code).toBe(0);
      expect(r.out).toBe('');
      expect(body(readFileSync(join(d, 'w.ndjson'), 'utf8'))).toEqual(SAMPLES[2].workload);
      expect(readdirSync(d).sort()).toEqual(['t.txt', 'w.ndjson']);
    } finally {
      cleanup(d);
    }
  });
});

describe('vfpu import: traces as posted', () => {
  it('perf script without the comm and pid columns: vCPUs by their vcpu field, else the last on the pCPU (declared)', async () => {
    const d = tempDir();
    try {
      const f = writeFile(
        d,
        'nopid.perf',
        [
          '    [001]   770.850287:                      kvm:kvm_entry: vcpu 0, rip 0x100146',
          '    [001]   770.850307:                       kvm:kvm_exit: vcpu 0 reason TRIPLE_FAULT rip 0x100146 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000',
          '    [001]   770.850313:                        kvm:kvm_fpu: unload',
          '    [001]   770.850320:             kvm:kvm_userspace_exit: reason KVM_EXIT_SHUTDOWN (8)',
          '',
        ].join('\n'),
      );
      const r = await cli(['import', f]);
      expect(r.code).toBe(0);
      expect(body(r.out)).toEqual([
        '{"op":"run","vcpu":0,"cpu":1,"ts":770.850287}',
        '{"op":"exit","vcpu":0,"reason":"mmio","label":"TRIPLE_FAULT","ts":770.850307}',
      ]);
      expect(header(r.out).assumptions.join('\n')).toContain('The trace has no pid column');
    } finally {
      cleanup(d);
    }
  });

  it("Loongson's MIPS kernel: kvm_aux 'FPU & MSA & LASX'", async () => {
    const d = tempDir();
    try {
      const pc = 'PC: 0xffffffff80201080';
      const f = writeFile(
        d,
        'loongson.txt',
        [
          `       CPU 0/KVM-2345  [000] .... 10000.000500: kvm_enter: ${pc}`,
          `       CPU 0/KVM-2345  [000] .... 10000.000510: kvm_exit: [MSA Disabled]${pc}`,
          `       CPU 0/KVM-2345  [000] .... 10000.000511: kvm_aux: restore FPU & MSA & LASX ${pc}`,
          `       CPU 0/KVM-2345  [000] .... 10000.000512: kvm_reenter: ${pc}`,
          '',
        ].join('\n'),
      );
      const r = await cli(['import', f]);
      expect(r.code).toBe(0);
      expect(header(r.out).arch).toBe('mips-vz');
      expect(body(r.out)[1]).toBe('{"op":"use","vcpu":0,"unit":"lasx","ts":10000.000510}');
    } finally {
      cleanup(d);
    }
  });
});
