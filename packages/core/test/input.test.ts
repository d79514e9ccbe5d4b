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
import { firstInvalidUtf8 } from '../src/workload/utf8.js';

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
  it('firstInvalidUtf8', () => {
    const b = (...x: number[]) => Uint8Array.from(x);
    expect(firstInvalidUtf8(Buffer.from('a€😀é'))).toBe(-1);
    expect(firstInvalidUtf8(b(0x61, 0xff))).toBe(1);
    expect(firstInvalidUtf8(b(0x61, 0xc0, 0x80))).toBe(1); // overlong
    expect(firstInvalidUtf8(b(0xed, 0xa0, 0x80))).toBe(0); // surrogate
    expect(firstInvalidUtf8(b(0xf4, 0x90, 0x80, 0x80))).toBe(0); // above U+10FFFF
    expect(firstInvalidUtf8(b(0x61, 0xe2, 0x82))).toBe(1); // truncated
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

describe('the chunk reader', () => {
  /** Lines as `String.split` sees them (LF or CRLF ends; no empty line after a final LF). */
  function expected(text: string): string[] {
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    if (text.endsWith('\n')) lines.pop();
    return lines;
  }

  it('hands out every line whole across chunks: CRLF, multi-byte characters, long lines, no final LF', async () => {
    // deterministic mix: lines from 0 to 200,000 characters, some with €/𝄞 and CRLF ends
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const parts: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const len = rand(10) === 0 ? rand(200_000) : rand(120);
      let l = 'x'.repeat(len);
      if (rand(3) === 0) l = `${l.slice(0, len >> 1)}€𝄞${l.slice(len >> 1)}`;
      parts.push(l + (rand(4) === 0 ? '\r\n' : '\n'));
    }
    parts.push('last line without a terminator 𝄞');
    const text = parts.join('');
    const path = join(dir, 'chunks.txt');
    writeFileSync(path, text);
    const src = openLineSource(path);
    const lines: string[] = [];
    for await (const batch of src.batches()) lines.push(...batch);
    expect(lines).toEqual(expected(text));
    let counted = 0;
    for await (const c of openLineSource(path).chunks()) {
      expect(c.text.endsWith('\n')).toBe(true);
      counted += c.lines;
    }
    expect(counted).toBe(lines.length);
  });

  it('refuses a line past the limit at its line, in a chunk or across chunks', async () => {
    const path = join(dir, 'long.txt');
    writeFileSync(path, `a\n${'b'.repeat(300_000)}\nc\n`);
    const lines: string[] = [];
    let error = '';
    try {
      for await (const batch of openLineSource(path, 250_000).batches()) lines.push(...batch);
    } catch (e) {
      error = (e as Error).message;
    }
    expect(error).toBe(
      `${path}:2: line longer than 250000 characters (the workload format's limit)`,
    );
    expect(lines).toEqual(['a']);
    // 100 characters of 2 UTF-16 units each: 200 characters, over a limit of 150 in one chunk
    writeFileSync(path, `${'𝄞'.repeat(100)}\n`);
    error = '';
    try {
      for await (const _ of openLineSource(path, 150).batches());
    } catch (e) {
      error = (e as Error).message;
    }
    expect(error).toBe(`${path}:1: line longer than 150 characters (the workload format's limit)`);
    // exactly at the limit, with a CRLF end: accepted
    writeFileSync(path, `${'b'.repeat(150)}\r\n`);
    const ok: string[] = [];
    for await (const batch of openLineSource(path, 150).batches()) ok.push(...batch);
    expect(ok).toEqual(['b'.repeat(150)]);
  });
});
