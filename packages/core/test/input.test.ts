/**
 * Issue 12 item 8, in-process: duplicate keys, nulls taken as defaults, non-UTF-8 bytes (across
 * chunk boundaries), cost figures that overflow and work totals past 2^53 − 1 are refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Accounting } from '../src/accounting.js';
import { unknownOption } from '../src/backend-utils/options.js';
import { COST_KEYS, COST_MAX, type CostTable, mergeCosts } from '../src/costs.js';
import { ImpossibleEvent } from '../src/errors.js';
import { duplicateKey, mayHaveDuplicates, tooDeep } from '../src/workload/duplicates.js';
import { parseHeader } from '../src/workload/parse-header.js';
import { openLineSource } from '../src/workload/read.js';
import { firstInvalidUtf8, incompleteTail } from '../src/workload/utf8.js';

const dir = mkdtempSync(join(tmpdir(), 'vfpu-core-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('duplicate keys', () => {
  const cases: [string, string | undefined][] = [
    ['{"op":"load","vcpu":0,"cpu":0}', undefined],
    ['{"op":"load","vcpu":0,"cpu":0,"vcpu":1}', 'vcpu'],
    ['{ "a" : 1 , "b" : { "c" : [ 1 , { "d" : 2 , "d" : 3 } ] } }', 'b.c[1].d'],
    ['{"a":"x\\":\\"","a":"y"}', 'a'],
    ['{"a\\u0062":1,"ab":2}', 'ab'],
    ['{"a":{"x":1},"b":{"x":1}}', undefined],
    ['{"s":"a:b:c","t":[],"u":{}}', undefined],
    ['{}', undefined],
  ];
  for (const [text, dup] of cases) {
    it(`${text} → ${dup ?? 'none'}`, () => {
      const keys = Object.keys(JSON.parse(text)).length;
      expect(duplicateKey(text)).toBe(dup);
      // the fast filter never lets a duplicate through
      if (dup !== undefined) expect(mayHaveDuplicates(text, keys)).toBe(true);
    });
  }

  it('a line nested 500,000 deep is scanned without a stack overflow (found by fuzzing)', () => {
    const deep = `${'['.repeat(500_000)}${']'.repeat(500_000)}`;
    expect(duplicateKey(`{"a":${deep},"b":{"c":1,"c":2}}`)).toBe('b.c');
    expect(duplicateKey(`{"a":${deep},"b":{"c":1}}`)).toBeUndefined();
  });

  it('tooDeep names the top-level key whose value nests past the limit', () => {
    expect(tooDeep('{"a":[[1]],"b":{"c":[{}]}}', 4)).toBeUndefined();
    expect(tooDeep('{"a":[[1]],"b":{"c":[{}]}}', 3)).toBe('b');
    expect(tooDeep('{"s":"[[[[{{{{","t":{"u":":[["}}', 2)).toBeUndefined();
    expect(tooDeep('{"k\\"":[[[]]]}', 3)).toBe('k"');
  });

  it('the fast filter passes a flat line without a scan', () => {
    expect(mayHaveDuplicates('{"op":"use","vcpu":0,"unit":"fpu"}', 3)).toBe(false);
  });

  it('the header: a duplicate anywhere names its path', () => {
    const h = '{"format":"vfpu-workload","version":1,"cpus":1,"vcpus":1,"config":{"a":1,"a":2}}';
    expect(() => parseHeader(h, 'w')).toThrow('w:1: config.a: given twice');
  });
});

describe('null is never the default', () => {
  it('threads and config in the header', () => {
    const base = '{"format":"vfpu-workload","version":1,"cpus":1,"vcpus":1';
    expect(() => parseHeader(`${base},"threads":null}`, 'w')).toThrow('w:1: threads: null');
    expect(() => parseHeader(`${base},"config":null}`, 'w')).toThrow('w:1: config: null');
  });

  it('unknownOption: a null the schema does not admit, at any depth', () => {
    const options = {
      a: { description: '', schema: { type: 'boolean' }, default: false },
      b: { description: '', schema: { type: ['integer', 'null'] }, default: null },
      c: { description: '', schema: { type: 'object' }, default: {} },
    };
    expect(unknownOption({ a: null }, options)).toMatchObject({ field: 'a' });
    expect(unknownOption({ b: null }, options)).toBeUndefined();
    expect(unknownOption({ c: { x: [1, null] } }, options)).toMatchObject({ field: 'c.x[1]' });
    expect(unknownOption({ c: { x: { y: null } } }, options)).toMatchObject({ field: 'c.x.y' });
  });
});

describe('strict UTF-8', () => {
  it('firstInvalidUtf8 and incompleteTail', () => {
    const b = (...x: number[]) => Uint8Array.from(x);
    expect(firstInvalidUtf8(Buffer.from('a€😀é'))).toBe(-1);
    expect(firstInvalidUtf8(b(0x61, 0xff))).toBe(1);
    expect(firstInvalidUtf8(b(0x61, 0xc0, 0x80))).toBe(1); // overlong
    expect(firstInvalidUtf8(b(0xed, 0xa0, 0x80))).toBe(0); // surrogate
    expect(firstInvalidUtf8(b(0xf4, 0x90, 0x80, 0x80))).toBe(0); // above U+10FFFF
    expect(firstInvalidUtf8(b(0x61, 0xe2, 0x82))).toBe(1); // truncated
    expect(incompleteTail(b(0x61, 0xe2, 0x82))).toBe(2);
    expect(incompleteTail(Buffer.from('a€'))).toBe(0);
    expect(incompleteTail(b(0xf0))).toBe(1);
  });

  async function readAll(path: string): Promise<{ lines: string[]; error?: string }> {
    const lines: string[] = [];
    try {
      for await (const batch of openLineSource(path).batches()) lines.push(...batch);
    } catch (e) {
      return { lines, error: (e as Error).message };
    }
    return { lines };
  }

  it('a character split across two 64 KiB chunks is read whole', async () => {
    const path = join(dir, 'split-ok.txt');
    writeFileSync(path, `${'a'.repeat(65535)}€\nb\n`);
    const { lines, error } = await readAll(path);
    expect(error).toBeUndefined();
    expect(lines).toEqual([`${'a'.repeat(65535)}€`, 'b']);
  });

  it('a bad sequence split across two chunks names its line', async () => {
    const path = join(dir, 'split-bad.txt');
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from(`x\n${'a'.repeat(65533)}`),
        Buffer.from([0xe2, 0x41]),
        Buffer.from('\n'),
      ]),
    );
    const { lines, error } = await readAll(path);
    expect(error).toBe(`${path}:2: not UTF-8 text (byte 0xe2); workloads are UTF-8`);
    expect(lines).toEqual(['x']);
  });

  it('the lines before a bad byte in the same chunk are handed out first', async () => {
    const path = join(dir, 'mid-chunk.txt');
    const bytes = Buffer.from('x\n'.repeat(40000));
    bytes[70000] = 0xc3; // line 35001: "\xc3\n"
    writeFileSync(path, bytes);
    const { lines, error } = await readAll(path);
    expect(error).toBe(`${path}:35001: not UTF-8 text (byte 0xc3); workloads are UTF-8`);
    expect(lines).toHaveLength(35000);
  });
});

describe('costs and totals', () => {
  const table = Object.fromEntries(
    COST_KEYS.map((k) => [k, { value: 1, source: 'test' }]),
  ) as unknown as CostTable;

  it('a figure above COST_MAX is refused; COST_MAX itself is taken', () => {
    expect(COST_MAX).toBe(1e9);
    expect(mergeCosts(table, { trap: 1.5e308 })).toMatchObject({ ok: false, field: 'trap' });
    expect(mergeCosts(table, { exit: { value: 2e9, source: 'x' } })).toMatchObject({
      ok: false,
      field: 'exit',
    });
    expect(mergeCosts(table, { trap: 1e9 }).ok).toBe(true);
  });

  it('work cycles: exact up to 2^53 − 1, refused past it', () => {
    const a = new Accounting(table, 1);
    a.work(Number.MAX_SAFE_INTEGER - 5);
    a.work(5);
    expect(a.cyclesWork).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => a.work(1)).toThrow(ImpossibleEvent);
    expect(a.cyclesWork).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('an empty option name', () => {
  it('is quoted as the field', () => {
    expect(unknownOption({ '': 1 }, {})?.field).toBe('""');
    expect(
      unknownOption(
        { quirks: 'kernel' },
        { quirks: { description: '', schema: {}, default: 'kernel' } },
      ),
    ).toBeUndefined();
  });
});
