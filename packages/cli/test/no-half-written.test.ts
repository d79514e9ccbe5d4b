/**
 * No half-written output: a run refused or failed leaves no -o / --trace file and no .tmp.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageFailure } from './bad-input-shared.js';
import { cleanup, cli, HEADER, IN_GUEST, type Line, tempDir, writeFile } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

describe('no half-written output', () => {
  const badAtLine5: readonly Line[] = [
    HEADER,
    ...IN_GUEST,
    { op: 'use', vcpu: 0, unit: 'fpu', access: 'write' },
    { op: 'use', vcpu: 0, unit: 'avx' },
  ];

  it('control: run --trace OUT on a good workload writes OUT and nothing else', async () => {
    const d = tempDir();
    try {
      const file = writeFile(d, 'w.ndjson', badAtLine5.slice(0, 4));
      const out = join(d, 'trace.txt');
      const r = await cli(['run', file, '--trace', out]);
      expect(r.code).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain(
        'L4 {"op":"use","vcpu":0,"unit":"fpu","access":"write"}',
      );
      expect(readdirSync(d).sort()).toEqual(['trace.txt', 'w.ndjson']);
    } finally {
      cleanup(d);
    }
  });

  it('run --trace OUT with an error at line 5 leaves no OUT and no temporary file', async () => {
    const d = tempDir();
    try {
      const file = writeFile(d, 'w.ndjson', badAtLine5);
      const out = join(d, 'trace.txt');
      const r = await cli(['run', file, '--trace', out]);
      expectUsageFailure(r, [`vfpu: ${file}:5: unit: unknown unit "avx"`]);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(d)).toEqual(['w.ndjson']);
    } finally {
      cleanup(d);
    }
  });

  it('run --trace OUT with an error keeps an existing OUT unchanged', async () => {
    const d = tempDir();
    try {
      const file = writeFile(d, 'w.ndjson', badAtLine5);
      const out = join(d, 'trace.txt');
      writeFileSync(out, 'previous trace\n');
      const r = await cli(['run', file, '--trace', out]);
      expect(r.code).toBe(2);
      expect(readFileSync(out, 'utf8')).toBe('previous trace\n');
      expect(readdirSync(d).sort()).toEqual(['trace.txt', 'w.ndjson']);
    } finally {
      cleanup(d);
    }
  });

  it('run --trace OUT.gz with a bad policy leaves nothing', async () => {
    const d = tempDir();
    try {
      const file = writeFile(d, 'w.ndjson', badAtLine5.slice(0, 4));
      const r = await cli(['run', file, '--policy', 'bogus', '--trace', join(d, 'trace.txt.gz')]);
      expectUsageFailure(r, ['vfpu: --policy: unknown policy "bogus"']);
      expect(readdirSync(d)).toEqual(['w.ndjson']);
    } finally {
      cleanup(d);
    }
  });

  it('gen overcommit -o OUT --param bogus=1 leaves no OUT', async () => {
    const d = tempDir();
    try {
      const out = join(d, 'gen.ndjson');
      const r = await cli(['gen', 'overcommit', '-o', out, '--param', 'bogus=1']);
      expectUsageFailure(r, ['vfpu: --param: unknown parameter "bogus"']);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(d)).toEqual([]);
    } finally {
      cleanup(d);
    }
  });
});
