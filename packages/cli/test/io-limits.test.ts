/**
 * Issue 12, items 6, 7, 9, 10: explain in flat memory, long lines in linear time with a length
 * limit, line numbers for broken .gz streams, empty keys named, and no temporary file left
 * behind by SIGINT/SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { LIMITS } from '@vfpu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, HEADER, IN_GUEST, ndjson, tempDir, writeFile } from './helpers.js';

const CLI_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_ARGS = ['--conditions=@vfpu/source', '--import', 'tsx'];

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

function expectRefused(r: { code: number; out: string; err: string }, fragment: string): void {
  expect(r.out).toBe('');
  expect(r.err).not.toContain('    at ');
  expect(r.err).not.toContain('internal error');
  expect(r.err).toContain(fragment);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.code).toBe(2);
}

describe('long lines (item 7)', () => {
  it('a 20 MB line is refused at the limit, fast, naming file and line', async () => {
    // before: the line was re-split with every chunk (10 s for 20 MB) and then parsed
    const file = writeFile(
      dir,
      'long.ndjson',
      `${JSON.stringify(HEADER)}\n{"op":"load","vcpu":0,"cpu":0}\n{"op":"enter","vcpu":0,"x":"${'a'.repeat(20 << 20)}"}\n`,
    );
    const t = performance.now();
    const r = await cli(['run', file, '--json']);
    expect(performance.now() - t).toBeLessThan(4000);
    expectRefused(r, `vfpu: ${file}:3: line longer than ${LIMITS.lineChars} characters`);
  });

  it('a line of exactly the limit (CRLF) is read; one character more is refused', async () => {
    const head = JSON.stringify(HEADER);
    const pad = (n: number) => `${head}${' '.repeat(n - head.length)}`;
    const ok = writeFile(dir, 'at-limit.ndjson', `${pad(LIMITS.lineChars)}\r\n`);
    const r = await cli(['run', ok, '--json']);
    // the header alone is an empty but valid run
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const bad = writeFile(dir, 'over-limit.ndjson', `${pad(LIMITS.lineChars + 1)}\r\n`);
    expectRefused(await cli(['run', bad, '--json']), `vfpu: ${bad}:1: line longer than`);
    const last = writeFile(dir, 'over-limit-last.ndjson', `${head}\n${pad(LIMITS.lineChars + 1)}`);
    expectRefused(await cli(['run', last, '--json']), `vfpu: ${last}:2: line longer than`);
  });

  it('the limit is in the JSON Schema', async () => {
    const r = await cli(['schema']);
    expect(JSON.parse(r.out).$comment).toContain(`at most ${LIMITS.lineChars} characters a line`);
  });
});

describe('messages (item 9)', () => {
  const big = () =>
    ndjson([
      HEADER,
      ...Array.from({ length: 20000 }, (_, i) =>
        i % 2 === 0 ? { op: 'load', vcpu: 0, cpu: 0 } : { op: 'put', vcpu: 0 },
      ),
    ]);

  it('a truncated .gz names the line the stream broke in', async () => {
    const gz = gzipSync(Buffer.from(big()));
    const cut = gz.subarray(0, gz.length >> 1);
    // the text a lenient gunzip gets out of the cut file: the break is in the line after it
    const text = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8');
    const line = text.split('\n').length;
    const file = writeFile(dir, 'cut.ndjson.gz', cut);
    expectRefused(
      await cli(['run', file, '--json']),
      `vfpu: ${file}:${line}: cannot read: not valid gzip data (unexpected end of file) (the stream broke in line ${line})`,
    );
  });

  it('a .gz broken before any text says "before line 1"', async () => {
    const file = writeFile(dir, 'not-gz.ndjson.gz', ndjson([HEADER]));
    expectRefused(
      await cli(['run', file, '--json']),
      `vfpu: ${file}: cannot read: not valid gzip data (incorrect header check), before line 1`,
    );
  });

  it('an empty key names the field', async () => {
    const ev = writeFile(dir, 'empty-key.ndjson', [HEADER, '{"op":"load","vcpu":0,"cpu":0,"":1}']);
    expectRefused(
      await cli(['run', ev, '--json']),
      `vfpu: ${ev}:2: "": unknown field for op "load"`,
    );
    const head = writeFile(dir, 'empty-key-header.ndjson', [{ ...HEADER, '': 1 }]);
    expectRefused(await cli(['run', head, '--json']), `vfpu: ${head}:1: "": unknown header field`);
  });
});

describe('explain streams (item 6)', () => {
  it('a long explanation (spooled) is exactly the trace then the summary', async () => {
    const trace = join(dir, 'e.trace');
    const t = await cli(['run', 'preset:desktop', '--events', '20000', '--trace', trace]);
    expect(t.code).toBe(0);
    const r = await cli(['explain', 'preset:desktop', '--events', '20000']);
    expect(r.code).toBe(0);
    const text = readFileSync(trace, 'utf8');
    expect(text.length).toBeGreaterThan(1 << 21);
    expect(r.out.startsWith(`${text}\n`)).toBe(true);
    expect(r.out.slice(text.length)).toContain('state violations');
  });

  it('an error after a long explanation leaves stdout empty and no spool file', async () => {
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith('.vfpu-explain.')).length;
    const lines = [HEADER, ...IN_GUEST];
    for (let i = 0; i < 20000; i++) lines.push({ op: 'use', vcpu: 0, unit: 'fpu', reg: i % 32 });
    lines.push({ op: 'enter', vcpu: 0 });
    const file = writeFile(dir, 'explain-late-error.ndjson', lines);
    expectRefused(
      await cli(['explain', file]),
      `vfpu: ${file}:${lines.length}: vcpu: enter: vcpu 0 is already in guest mode`,
    );
    const after = readdirSync(tmpdir()).filter((n) => n.startsWith('.vfpu-explain.')).length;
    expect(after).toBe(before);
  });

  it('explain of 1,000,000 events runs in a heap capped at 64 MB (before the streaming fix: about 400 MB for 300,000)', () => {
    // every event is printed; kept text or records per event would exhaust the capped heap
    // (an out-of-memory exit), where a streaming explain collects as it goes. RSS, which a busy
    // machine inflates (young generation, code), only has a loose bound.
    const script = `
      import { main } from './src/index.ts';
      const sink = { write: () => true, once() {} };
      const code = await main(['explain', 'preset:desktop', '--events', '1000000'],
        { stdout: sink, stderr: process.stderr, progress: false });
      process.stdout.write(JSON.stringify({ code, maxRSS: process.resourceUsage().maxRSS }));`;
    const argv = ['--max-old-space-size=64', ...NODE_ARGS, '--input-type=module', '-e', script];
    const child = spawnSync(process.execPath, argv, {
      cwd: CLI_DIR,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const { code, maxRSS } = JSON.parse(child.stdout);
    expect(code).toBe(0);
    expect(maxRSS / 1024).toBeLessThan(400);
  }, 130_000);
});

describe('interrupted output leaves no temporary file (item 10)', () => {
  /** Starts the CLI, waits for its temporary file, sends `signal`, waits for the end. */
  async function interrupt(args: readonly string[], out: string, signal: NodeJS.Signals) {
    const child = spawn(process.execPath, [...NODE_ARGS, 'src/bin.ts', ...args], {
      cwd: CLI_DIR,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, sig) => resolve({ code, signal: sig })),
    );
    const tmp = join(dirname(out), `.${out.split('/').pop()}.${child.pid}.tmp`);
    const t0 = Date.now();
    while (!existsSync(tmp) && Date.now() - t0 < 20_000)
      await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(tmp), `${tmp} never appeared: ${err}`).toBe(true);
    child.kill(signal);
    const end = await ended;
    return { ...end, err, tmp };
  }

  it('gen -o: SIGINT mid-write removes .NAME.<pid>.tmp and writes nothing', async () => {
    const out = join(dir, 'sig-gen.ndjson');
    const r = await interrupt(['gen', 'desktop', '--events', '50000000', '-o', out], out, 'SIGINT');
    expect(r.signal).toBe('SIGINT');
    expect(existsSync(r.tmp)).toBe(false);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('run --trace: SIGTERM mid-run removes the trace temporary file', async () => {
    const work = join(dir, 'sig-run.ndjson');
    const g = await cli(['gen', 'desktop', '--events', '1000000', '-o', work]);
    expect(g.code).toBe(0);
    const out = join(dir, 'sig-run.trace.gz');
    const r = await interrupt(['run', work, '--trace', out], out, 'SIGTERM');
    expect(r.signal).toBe('SIGTERM');
    expect(existsSync(r.tmp)).toBe(false);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it('run preset --trace: SIGINT during the synchronous run is handled before the rename', async () => {
    const out = join(dir, 'sig-preset.trace');
    const args = ['run', 'preset:desktop', '--events', '1000000', '--trace', out];
    const r = await interrupt(args, out, 'SIGINT');
    expect(r.signal).toBe('SIGINT');
    expect(existsSync(r.tmp)).toBe(false);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});
