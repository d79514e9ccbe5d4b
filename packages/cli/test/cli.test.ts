/**
 * The commands on good input: run (table, JSON, determinism, files, .gz, stdin) and gen
 * (explain, list, schema and the oracle: cli-explain-list.test.ts).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, HEADER, type Line, ndjson, tempDir, writeFile } from './helpers.js';

const CLI_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

import { type Report, report, withoutInput } from './report.js';

describe('run preset:', () => {
  it('compares three policies in a table, exit 0', async () => {
    const r = await cli([
      'run',
      'preset:overcommit',
      '--events',
      '20000',
      '--policy',
      'kvm,eager,lazy',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'preset:overcommit on mips-vz (loongson-3a4000), 20,000 events, seed 1',
    );
    const lines = r.out.split('\n');
    const head = lines.find((l) => l.includes('kvm (=lazy)'));
    expect(head).toBeDefined();
    expect(head?.trim().split(/\s{2,}/)).toEqual(['kvm (=lazy)', 'eager', 'lazy']);
    // every data row has one value per policy
    const violations = lines.find((l) => l.startsWith('state violations'));
    expect(violations?.trim().split(/\s{2,}/)).toEqual(['state violations', '0', '0', '0']);
    const traps = lines.find((l) => l.startsWith('  cop_unusable '));
    const cells = traps?.trim().split(/\s{2,}/) ?? [];
    expect(cells).toHaveLength(4);
    // eager preloads: no FP traps; kvm on mips-vz is lazy: the same counts as lazy
    expect(cells[2]).toBe('0');
    expect(cells[1]).toBe(cells[3]);
    expect(Number((cells[1] ?? '').replace(/,/g, ''))).toBeGreaterThan(0);
  });

  it('--json with one policy prints a vfpu-report v1', async () => {
    const r = await cli(['run', 'preset:overcommit', '--events', '20000', '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rep = report(r.out);
    expect(rep.format).toBe('vfpu-report');
    expect(rep.version).toBe(1);
    expect(rep.policy).toBe('kvm');
    expect(rep.config.policy).toMatchObject({ name: 'kvm', runs: 'lazy' });
    expect(rep.config.seed).toBe(1);
    expect(rep.workload.events).toBe(20000);
    expect(rep.config.input.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(rep.check.violations).toBe(0);
    expect(rep.check.first).toBeNull();
    expect(rep.check.reads).toBeGreaterThan(0);
  });

  it('--json with several policies prints a vfpu-comparison', async () => {
    const r = await cli([
      'run',
      'preset:idle',
      '--events',
      '2000',
      '--json',
      '--policy',
      'eager,lazy-per-exit',
    ]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out) as { format: string; version: number; reports: Report[] };
    expect(doc.format).toBe('vfpu-comparison');
    expect(doc.version).toBe(1);
    expect(doc.reports.map((x) => x.policy)).toEqual(['eager', 'lazy-per-exit']);
  });

  it('is deterministic: the same command twice gives byte-identical stdout', async () => {
    const argv = ['run', 'preset:overcommit', '--events', '20000', '--json'];
    const a = await cli(argv);
    const b = await cli(argv);
    expect(a.code).toBe(0);
    expect(a.out.length).toBeGreaterThan(100);
    expect(b.out).toBe(a.out);
    const t1 = await cli([
      'run',
      'preset:overcommit',
      '--events',
      '20000',
      '--policy',
      'kvm,eager',
    ]);
    const t2 = await cli([
      'run',
      'preset:overcommit',
      '--events',
      '20000',
      '--policy',
      'kvm,eager',
    ]);
    expect(t2.out).toBe(t1.out);
  });

  it('a different --seed gives a different output', async () => {
    const a = await cli(['run', 'preset:overcommit', '--events', '20000', '--json', '--seed', '1']);
    const b = await cli(['run', 'preset:overcommit', '--events', '20000', '--json', '--seed', '2']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(b.out).not.toBe(a.out);
    expect(report(b.out).config.seed).toBe(2);
    expect(withoutInput(report(b.out))).not.toEqual(withoutInput(report(a.out)));
  });

  it('--param changes the generated workload', async () => {
    const a = report((await cli(['run', 'preset:idle', '--events', '3000', '--json'])).out);
    const b = report(
      (await cli(['run', 'preset:idle', '--events', '3000', '--json', '--param', 'vec128=0.3']))
        .out,
    );
    expect(b.config.input.source).toContain('"vec128":0.3');
    expect(b.config.input.sha256).not.toBe(a.config.input.sha256);
    expect(b.traps.msa_disabled ?? 0).toBeGreaterThan(a.traps.msa_disabled ?? 0);
  });
});

describe('gen, then run the file', () => {
  let file: string;
  let fileReport: Report;

  beforeAll(async () => {
    file = join(dir, 'f.ndjson');
    const g = await cli(['gen', 'overcommit', '--events', '5000', '-o', file]);
    expect(g.err).toBe('');
    expect(g.code).toBe(0);
    expect(g.out).toBe('');
  });

  it('writes an NDJSON workload: a header, then one event a line', () => {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(5001);
    const h = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(h).toMatchObject({
      format: 'vfpu-workload',
      version: 1,
      name: 'preset:overcommit seed=1',
    });
    for (const l of lines.slice(1, 50))
      expect(typeof (JSON.parse(l) as { op: unknown }).op).toBe('string');
    // no temporary file left next to it
    expect(readdirSync(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('gen to stdout prints the same bytes as gen -o', async () => {
    const g = await cli(['gen', 'overcommit', '--events', '5000']);
    expect(g.code).toBe(0);
    expect(g.out).toBe(readFileSync(file, 'utf8'));
  });

  it('gen -o FILE.gz writes gzip of the same text', async () => {
    const gz = join(dir, 'g.ndjson.gz');
    const g = await cli(['gen', 'overcommit', '--events', '5000', '-o', gz]);
    expect(g.code).toBe(0);
    expect(gunzipSync(readFileSync(gz)).toString('utf8')).toBe(readFileSync(file, 'utf8'));
  });

  it('run FILE --json works and is deterministic', async () => {
    const a = await cli(['run', file, '--json']);
    const b = await cli(['run', file, '--json']);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(b.out).toBe(a.out);
    fileReport = report(a.out);
    expect(fileReport.workload.events).toBe(5000);
    expect(fileReport.workload.name).toBe('preset:overcommit seed=1');
    expect(fileReport.config.input.source).toBe(file);
    expect(fileReport.config.input.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(fileReport.check.violations).toBe(0);
  });

  it('the file gives the same counts as the preset it was generated from', async () => {
    const p = report((await cli(['run', 'preset:overcommit', '--events', '5000', '--json'])).out);
    const f = report((await cli(['run', file, '--json'])).out);
    expect(f.traps).toEqual(p.traps);
    expect(f.exits).toEqual(p.exits);
    expect(f.ops).toEqual(p.ops);
    expect(f.cycles).toEqual(p.cycles);
  });

  it('the same file gzipped gives the same report except config.input', async () => {
    const gz = writeFile(dir, 'f.ndjson.gz', gzipSync(readFileSync(file)));
    const plain = report((await cli(['run', file, '--json'])).out);
    const r = await cli(['run', gz, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const zipped = report(r.out);
    expect(zipped.config.input.source).toBe(gz);
    expect(zipped.config.input.sha256).not.toBe(plain.config.input.sha256);
    expect(withoutInput(zipped)).toEqual(withoutInput(plain));
  });

  it('run FILE --trace OUT writes the per-event explanation', async () => {
    const out = join(dir, 'f.trace.gz');
    const r = await cli(['run', file, '--trace', out]);
    expect(r.code).toBe(0);
    const text = gunzipSync(readFileSync(out)).toString('utf8');
    expect(text.startsWith('L2 {"op":')).toBe(true);
    expect(text).toContain('L5001 ');
  });
});

describe('run - (standard input, in a child process)', () => {
  const small: readonly Line[] = [
    HEADER,
    { op: 'load', vcpu: 0, cpu: 0 },
    { op: 'enter', vcpu: 0 },
    { op: 'use', vcpu: 0, unit: 'fpu', access: 'write', reg: 1 },
    { op: 'use', vcpu: 0, unit: 'msa', access: 'rw', reg: 2 },
    { op: 'exit', vcpu: 0, reason: 'irq' },
    { op: 'put', vcpu: 0 },
  ];

  function runBin(args: readonly string[], input: string) {
    return spawnSync(
      process.execPath,
      ['--conditions=@vfpu/source', '--import', 'tsx', 'src/bin.ts', ...args],
      {
        cwd: CLI_DIR,
        input,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
  }

  it('reads the workload from stdin: exit 0 and a JSON report', async () => {
    const text = ndjson(small);
    const child = runBin(['run', '-', '--json'], text);
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const rep = report(child.stdout);
    expect(rep.format).toBe('vfpu-report');
    expect(rep.workload.name).toBe('stdin');
    expect(rep.workload.events).toBe(6);
    expect(rep.config.input.source).toBe('-');
    // the same as running the file
    const file = writeFile(dir, 'small.ndjson', text);
    const fromFile = report((await cli(['run', file, '--json'])).out);
    expect(rep.config.input.sha256).toBe(fromFile.config.input.sha256);
    expect(rep.traps).toEqual(fromFile.traps);
    expect(rep.ops).toEqual(fromFile.ops);
  });

  it('several policies on stdin: one pass, each report equal to its own run of the file', async () => {
    const gen = await cli(['gen', 'overcommit', '--events', '3000']);
    expect(gen.code).toBe(0);
    const policies = ['kvm', 'eager', 'lazy', 'lazy-per-exit', 'widest', 'adaptive'];
    const child = runBin(['run', '-', '--json', '--policy', policies.join(',')], gen.out);
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const both = JSON.parse(child.stdout);
    expect(both.reports).toHaveLength(6);
    const file = writeFile(dir, 'gen.ndjson', gen.out);
    for (const [i, policy] of policies.entries()) {
      const alone = report((await cli(['run', file, '--json', '--policy', policy])).out);
      const one = both.reports[i];
      expect({ ...one, config: { ...one.config, input: null }, workload: null }).toEqual({
        ...alone,
        config: { ...alone.config, input: null },
        workload: null,
      });
    }
  });

  it('bad input on stdin: exit 2 and <stdin>:LINE: FIELD', () => {
    const child = runBin(['run', '-', '--json'], ndjson([HEADER, { op: 'enter', vcpu: 0 }]));
    expect(child.stdout).toBe('');
    expect(child.stderr).toBe('vfpu: <stdin>:2: vcpu: enter: vcpu 0 is not loaded\n');
    expect(child.status).toBe(2);
  });
});
