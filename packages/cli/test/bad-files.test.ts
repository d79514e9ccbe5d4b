import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageFailure } from './bad-input-shared.js';
import { cleanup, cli, HEADER, IN_GUEST, ndjson, tempDir, writeFile } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

describe('bad input files', () => {
  it('missing file', async () => {
    const file = join(dir, 'does-not-exist.ndjson');
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}: cannot read: no such file`,
    ]);
  });

  it('a directory instead of a file', async () => {
    expectUsageFailure(await cli(['run', dir, '--json']), [
      `vfpu: ${dir}: cannot read: is a directory`,
    ]);
  });

  it('empty file', async () => {
    const file = writeFile(dir, 'empty.ndjson', '');
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}:1: empty workload: line 1 must be the header`,
    ]);
  });

  it('a .gz file that is not gzip', async () => {
    const file = writeFile(dir, 'plain.ndjson.gz', ndjson([HEADER]));
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}: cannot read: not valid gzip data (`,
    ]);
  });

  it('a truncated .gz file', async () => {
    const gz = gzipSync(Buffer.from(ndjson([HEADER, ...IN_GUEST])));
    const file = writeFile(dir, 'truncated.ndjson.gz', gz.subarray(0, 20));
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}: cannot read: not valid gzip data (`,
    ]);
  });

  it('a bad event inside a .gz file names the .gz file and the line', async () => {
    const gz = gzipSync(
      Buffer.from(ndjson([HEADER, ...IN_GUEST, { op: 'use', vcpu: 0, unit: 'avx' }])),
    );
    const file = writeFile(dir, 'bad-event.ndjson.gz', gz);
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}:4: unit: unknown unit "avx"`,
    ]);
  });
});

describe('bad cost files', () => {
  const workload = () => writeFile(dir, 'costs-workload.ndjson', [HEADER, ...IN_GUEST]);

  it('control: a valid cost file is accepted', async () => {
    const costs = writeFile(
      dir,
      'good-costs.json',
      JSON.stringify({ trap: 1, exit: { value: 2, source: 'test' } }),
    );
    const r = await cli(['run', workload(), '--json', '--costs', costs]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).config.costs.trap).toEqual({ value: 1, source: 'user' });
  });

  it('unknown cost key', async () => {
    const costs = writeFile(dir, 'unknown-key.json', JSON.stringify({ trap: 1, bogus: 2 }));
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: bogus: unknown cost "bogus" (known: trap, host_trap, exit, save_fixed, save_per_byte, restore_fixed, restore_per_byte, control)`,
    ]);
  });

  it('a costs file that is not UTF-8 says so (it said "malformed JSON (Unexpected token …)")', async () => {
    const costs = writeFile(
      dir,
      'latin1.json',
      Uint8Array.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]),
    );
    const r = await cli(['run', workload(), '--json', '--costs', costs]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${costs}: not UTF-8 text`);
  });

  it('a cost given twice (JSON would keep the last)', async () => {
    const costs = writeFile(dir, 'twice.json', '{"trap": 1, "exit": 2, "trap": 3}');
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: trap: given twice (JSON would keep only the last; give each field once)`,
    ]);
  });

  it('malformed JSON', async () => {
    const costs = writeFile(dir, 'malformed.json', '{trap: 1');
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: malformed JSON (`,
    ]);
  });

  it('not an object', async () => {
    const costs = writeFile(dir, 'array.json', '[1]');
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: (top level): a cost table is a JSON object`,
    ]);
  });

  it('negative figure', async () => {
    const costs = writeFile(dir, 'negative.json', '{"trap": -1}');
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: trap: expected a finite number ≥ 0`,
    ]);
  });

  it('figure of the wrong type', async () => {
    const costs = writeFile(dir, 'string.json', '{"trap": "fast"}');
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: trap: expected a number or {"value": number, "source": string}`,
    ]);
  });

  it('missing cost file', async () => {
    const costs = join(dir, 'no-costs.json');
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: cannot read: `,
    ]);
  });
});

describe('deeply nested JSON (found by fuzzing: a stack overflow, exit 3, before)', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  it('a header option nested 200,000 deep is refused, naming the option', async () => {
    const text = `{"format":"vfpu-workload","version":1,"arch":"mips-vz","cpus":1,"vcpus":1,"config":{"guest":${deep(200_000)}}}\n`;
    const file = writeFile(dir, 'deep-header.ndjson', text);
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}:1: config: nested more than 64 levels deep`,
    ]);
  });

  it('a header nested just within the limit gets the option message', async () => {
    const text = `{"format":"vfpu-workload","version":1,"arch":"mips-vz","cpus":1,"vcpus":1,"config":{"guest":${deep(62)}}}\n`;
    const file = writeFile(dir, 'deep-header-ok.ndjson', text);
    const r = await cli(['run', file, '--json']);
    expect(r.err).toContain(`vfpu: ${file}:1: config.guest`);
    expect(r.code).toBe(2);
  });

  it('an event with a value nested 200,000 deep (and a nested object) is refused at its line', async () => {
    const event = `{"op":"run","vcpu":0,"cpu":0,"x":${deep(200_000)},"y":{"a":1}}`;
    const file = writeFile(dir, 'deep-event.ndjson', `${JSON.stringify(HEADER)}\n${event}\n`);
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}:2: x: unknown field for op "run"`,
    ]);
  });

  it('a --costs file nested 200,000 deep is refused', async () => {
    const costs = writeFile(dir, 'deep-costs.json', `{"trap":${deep(200_000)},"exit":{"value":1}}`);
    const workload = writeFile(dir, 'deep-costs.ndjson', [HEADER, ...IN_GUEST]);
    expectUsageFailure(await cli(['run', workload, '--json', '--costs', costs]), [
      `vfpu: ${costs}: trap: `,
    ]);
  });
});
