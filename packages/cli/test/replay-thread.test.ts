/**
 * The built `vfpu run` and `vfpu compare` read a big workload file on a second thread
 * (core's dist/replay-worker.js: read, inflate, hash, fast-path parse), `VFPU_REPLAY_THREADS=2`
 * forcing it whatever the size; `VFPU_REPLAY_THREADS=1` reads it in the main thread. Both must
 * give the same bytes, messages and exit code: plain and `.gz` files of many batches, several
 * policies, several variants (the worker stops after the header), lines the fast path leaves,
 * bad lines and impossible events in a later batch, a broken `.gz`, an empty file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, tempDir, writeFile } from './helpers.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BIN = join(HERE, '..', 'dist', 'bin.js');
const built = (args: string[], threads: '1' | '2') => {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, VFPU_REPLAY_THREADS: threads },
  });
  return { out: r.stdout, err: r.stderr, code: r.status };
};

/** Both ways agree: output, messages, exit code. */
function same(args: string[]): { out: string; err: string; code: number | null } {
  const one = built(args, '1');
  expect(built(args, '2')).toEqual(one);
  return one;
}

let dir: string;
let FILE: string;
let LINES: string[];
beforeAll(() => {
  // without it, core reads in the calling thread whatever VFPU_REPLAY_THREADS says
  expect(existsSync(join(HERE, '..', '..', 'core', 'dist', 'replay-worker.js'))).toBe(true);
  dir = tempDir();
  FILE = join(dir, 'w.ndjson');
  const r = built(['gen', 'preset:overcommit', '--events', '60000', '-o', FILE], '1');
  expect(r.code).toBe(0);
  LINES = readFileSync(FILE, 'utf8').split('\n');
});
afterAll(() => cleanup(dir));

describe('replay on a second thread (built CLI)', () => {
  it('gives the same report for a plain and a .gz file of several batches', () => {
    const gz = join(dir, 'w.ndjson.gz');
    writeFile(dir, 'w.ndjson.gz', gzipSync(readFileSync(FILE)));
    for (const f of [FILE, gz]) {
      const r = same(['run', f, '--arch', 'arm-vfp', '--policy', 'eager', '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out).workload.events).toBe(60_000);
    }
  });

  it('gives the same comparison over several policies, and over several variants', () => {
    expect(same(['compare', FILE, '--arch', 'mips-vz', '--policy', 'kvm,lazy,eager']).code).toBe(0);
    expect(same(['compare', FILE, '--arch', 'mips-vz,x86-xfd', '--csv']).code).toBe(0);
  });

  it('gives the full parser the lines the fast path leaves, in order', () => {
    // a blank line, a key with a blank after its colon: full-path lines among fast ones
    const lines = LINES.slice();
    lines.splice(40_000, 0, '');
    lines[50_000] = (lines[50_000] as string).replace('"op":', '"op": ');
    const f = writeFile(dir, 'mixed.ndjson', lines.join('\n'));
    const r = same(['run', f, '--arch', 'riscv', '--json']);
    expect(r.code).toBe(0);
  });

  it('reports a bad line or an impossible event in a later batch with its line', () => {
    const bad = LINES.slice();
    bad[45_000] = '{"op":"use","vcpu":99,"unit":"scalar"}';
    const r = same(['run', writeFile(dir, 'bad.ndjson', bad.join('\n')), '--arch', 'mips-vz']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('bad.ndjson:45001');
    // valid as a line, impossible in the workload's lifecycle: a put of a vCPU never loaded
    const impossible = LINES.slice(0, 50_000);
    impossible.push('{"op":"enter","vcpu":0}', '{"op":"enter","vcpu":0}');
    const i = same([
      'run',
      writeFile(dir, 'imp.ndjson', impossible.join('\n')),
      '--arch',
      'x86-xfd',
    ]);
    expect(i.code).toBe(2);
    expect(i.err).toMatch(/imp\.ndjson:5000[12]/);
  });

  it('reports a broken .gz, an empty file and a bad header as the main thread does', () => {
    const gz = gzipSync(readFileSync(FILE));
    const cut = writeFile(dir, 'cut.ndjson.gz', gz.subarray(0, gz.length >> 1));
    const c = same(['run', cut, '--arch', 'mips-vz']);
    expect(c.code).toBe(2);
    expect(c.err).toContain('cut.ndjson.gz:');
    expect(same(['run', writeFile(dir, 'empty.ndjson', ''), '--arch', 'mips-vz']).code).toBe(2);
    const h = same(['run', writeFile(dir, 'h.ndjson', '{"format":"nope"}\n'), '--arch', 'mips-vz']);
    expect(h.code).toBe(2);
    expect(h.err).toContain('h.ndjson:1');
  });
});
