import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageFailure, header } from './bad-input-shared.js';
import {
  cleanup,
  cli,
  HEADER,
  IN_GUEST,
  type Line,
  ndjson,
  tempDir,
  writeFile,
} from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

describe('bad input once accepted with exit 0 (issue 12 item 8)', () => {
  const X86 = { ...HEADER, arch: 'x86-xfd', cpus: 1, vcpus: 1, threads: ['bash'] };
  const run = (name: string, content: string | readonly Line[] | Uint8Array, ...args: string[]) => {
    const file = writeFile(dir, name, content);
    return cli(['run', file, '--json', ...args]).then((r) => ({ ...r, file }));
  };
  const ok = (r: { code: number; err: string }) => {
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  };

  it('a duplicate key in an event (JSON keeps the last) is refused with its field', async () => {
    const r = await run('dup-event.ndjson', [header(), '{"op":"load","vcpu":0,"cpu":0,"vcpu":1}']);
    expectUsageFailure(r, [`vfpu: ${r.file}:2: vcpu: given twice (JSON would keep only the last`]);
  });

  it('a duplicate op is refused', async () => {
    const r = await run('dup-op.ndjson', [
      header(),
      ...IN_GUEST,
      '{"op":"use","op":"put","vcpu":0}',
    ]);
    expectUsageFailure(r, [`vfpu: ${r.file}:4: op: given twice`]);
  });

  it('a duplicate key in the header is refused', async () => {
    const text = JSON.stringify(header()).replace('"cpus":2', '"cpus":2,"cpus":1');
    const r = await run('dup-header.ndjson', [text, ...IN_GUEST]);
    expectUsageFailure(r, [`vfpu: ${r.file}:1: cpus: given twice`]);
  });

  it('a duplicate key inside the header config is refused with its path', async () => {
    const text = JSON.stringify(header()).replace(
      '"config":{}',
      '"config":{"guest":{"Status":["CU1"],"Status":[]}}',
    );
    const r = await run('dup-config.ndjson', [text, ...IN_GUEST]);
    expectUsageFailure(r, [`vfpu: ${r.file}:1: config.guest.Status: given twice`]);
  });

  it('control: a ":" inside a string is no duplicate (the error is the unknown unit)', async () => {
    const r = await run('colon.ndjson', [
      header(),
      ...IN_GUEST,
      '{"op":"use","vcpu":0,"unit":"a:b:c"}',
    ]);
    expectUsageFailure(r, [`vfpu: ${r.file}:4: unit: unknown unit "a:b:c"`]);
  });

  for (const key of ['threads', 'config'] as const) {
    it(`"${key}": null in the header is refused (not taken as the default)`, async () => {
      const r = await run(`null-${key}.ndjson`, [header({ [key]: null }), ...IN_GUEST]);
      expectUsageFailure(r, [
        `vfpu: ${r.file}:1: ${key}: null is not a value here; omit the field to take its default`,
      ]);
    });
  }

  it('an option set to null is refused (not taken as the default)', async () => {
    const r = await run('null-option.ndjson', [header({ config: { quirks: null } }), ...IN_GUEST]);
    expectUsageFailure(r, [
      `vfpu: ${r.file}:1: config.quirks: null is not a value here; omit the option to take its default`,
    ]);
  });

  it('a null inside an option is refused with its path', async () => {
    const config = { guest: { Status: null } };
    const r = await run('null-inner.ndjson', [header({ config }), ...IN_GUEST]);
    expectUsageFailure(r, [`vfpu: ${r.file}:1: config.guest.Status: null is not a value here`]);
  });

  it('control: an option whose schema admits null (mips-vz vzRegs) still takes it', async () => {
    ok(await run('null-vzregs.ndjson', [header({ config: { vzRegs: null } }), ...IN_GUEST]));
  });

  it('x86 amxPermission naming an unknown thread is refused', async () => {
    const h = { ...X86, config: { amxPermission: ['bash', 'no-such-thread'] } };
    const r = await run('amx-unknown.ndjson', [h]);
    expectUsageFailure(r, [
      `vfpu: ${r.file}:1: config.amxPermission[1]: unknown thread "no-such-thread" (known: vmm0..vmm0, bash)`,
    ]);
  });

  it('x86 amxPermission naming the VMM thread of a vCPU the header lacks is refused', async () => {
    const r = await run('amx-vmm.ndjson', [{ ...X86, config: { amxPermission: ['vmm1'] } }]);
    expectUsageFailure(r, [`vfpu: ${r.file}:1: config.amxPermission[0]: unknown thread "vmm1"`]);
  });

  it('control: amxPermission of declared and VMM threads is accepted', async () => {
    ok(await run('amx-ok.ndjson', [{ ...X86, config: { amxPermission: ['bash', 'vmm0'] } }]));
  });

  it('non-UTF-8 bytes are refused with their line (not replaced by U+FFFD)', async () => {
    const text = ndjson([header(), ...IN_GUEST]);
    const bytes = Buffer.concat([
      Buffer.from(text),
      Buffer.from('{"op":"use","vcpu":0,"unit":"fpu'),
      Buffer.from([0xff]),
      Buffer.from('"}\n'),
    ]);
    const r = await run('latin.ndjson', bytes);
    expectUsageFailure(r, [`vfpu: ${r.file}:4: not UTF-8 text (byte 0xff)`]);
  });

  it('a character cut short at the end of the file is refused with its line', async () => {
    const bytes = Buffer.concat([
      Buffer.from(ndjson([header(), ...IN_GUEST])),
      Buffer.from([0xe2, 0x82]),
    ]);
    const r = await run('cut.ndjson', bytes);
    expectUsageFailure(r, [`vfpu: ${r.file}:4: not UTF-8 text (byte 0xe2)`]);
  });

  it('cost figures that overflow are refused (a documented bound: 1e9 cycles)', async () => {
    const w = writeFile(dir, 'costs-overflow.ndjson', [HEADER, ...IN_GUEST]);
    const costs = writeFile(dir, 'overflow.json', '{"trap":1.5e308,"exit":1.5e308}');
    expectUsageFailure(await cli(['run', w, '--json', '--costs', costs]), [
      `vfpu: ${costs}: trap: 1.5e+308 is above 1e9 cycles, the bound of one figure`,
    ]);
    const edge = writeFile(dir, 'edge.json', '{"trap":1e9,"exit":1e9}');
    const r = await cli(['run', w, '--json', '--costs', edge]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).cycles.total).toBeTypeOf('number');
  });

  it('work cycles summing past 2^53 - 1 are refused with the line (never reported inexactly)', async () => {
    const max = Number.MAX_SAFE_INTEGER;
    const work = (cycles: number) => ({ op: 'work', vcpu: 0, cycles });
    const r = await run('work-sum.ndjson', [
      header(),
      ...IN_GUEST,
      work(max - 1),
      work(1),
      work(1),
    ]);
    expectUsageFailure(r, [
      `vfpu: ${r.file}:6: cycles: work: the run's work cycles would reach 9007199254740992, above 2^53 − 1`,
    ]);
    const edge = await run('work-edge.ndjson', [header(), ...IN_GUEST, work(max - 1), work(1)]);
    ok(edge);
    expect(JSON.parse(edge.out).cycles.work).toBe(max);
  });
});
