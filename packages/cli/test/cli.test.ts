/**
 * The commands on good input: run (table, JSON, determinism, files, .gz, stdin), gen, explain,
 * list, schema, and a deliberately broken mechanism caught by the state oracle (exit 1).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

interface Report {
  format: string;
  version: number;
  policy: string;
  workload: { name: string; events: number; seed: number };
  traps: Record<string, number>;
  exits: Record<string, number>;
  ops: Record<string, { calls: number; bytes: number }>;
  bytes: { saved: number; restored: number };
  cycles: { total: number; fp: number };
  check: {
    reads: number;
    violations: number;
    first: null | { line: number; op: string; context: string; unit: string; register: number };
  };
  config: {
    seed: number;
    policy: { name: string; runs: string };
    input: { source: string; sha256: string };
  };
}

function report(out: string): Report {
  return JSON.parse(out) as Report;
}

/** The report without `config.input` (what legitimately differs between file, .gz and stdin). */
function withoutInput(r: Report): unknown {
  const copy = structuredClone(r) as unknown as { config: Record<string, unknown> };
  delete copy.config.input;
  return copy;
}

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

  it('bad input on stdin: exit 2 and <stdin>:LINE: FIELD', () => {
    const child = runBin(['run', '-', '--json'], ndjson([HEADER, { op: 'enter', vcpu: 0 }]));
    expect(child.stdout).toBe('');
    expect(child.stderr).toBe('vfpu: <stdin>:2: vcpu: enter: vcpu 0 is not loaded\n');
    expect(child.status).toBe(2);
  });
});

describe('explain', () => {
  it('shows the exceptions, handlers, routines and bytes of an FP use then an MSA use', async () => {
    const file = writeFile(dir, 'explain.ndjson', [
      HEADER,
      { op: 'load', vcpu: 0, cpu: 0 },
      { op: 'enter', vcpu: 0 },
      { op: 'use', vcpu: 0, unit: 'fpu', access: 'write', reg: 1 },
      { op: 'use', vcpu: 0, unit: 'msa', access: 'write', reg: 3 },
      { op: 'exit', vcpu: 0, reason: 'irq' },
      { op: 'put', vcpu: 0 },
    ]);
    const r = await cli(['explain', file]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const s of [
      'ExcCode=11',
      'CE=1',
      'kvm_own_fpu',
      '__kvm_restore_fpu',
      '256 bytes',
      'ExcCode=21',
      '__kvm_restore_msa_upper',
    ]) {
      expect(r.out).toContain(s);
    }
    // in order: the FP trap at line 4 comes before the MSA trap at line 5
    const l4 = r.out.indexOf('L4 ');
    const l5 = r.out.indexOf('L5 ');
    expect(l4).toBeGreaterThanOrEqual(0);
    expect(r.out.indexOf('ExcCode=11')).toBeGreaterThan(l4);
    expect(r.out.indexOf('ExcCode=11')).toBeLessThan(l5);
    expect(r.out.indexOf('ExcCode=21')).toBeGreaterThan(l5);
    expect(r.out.indexOf('__kvm_restore_msa_upper')).toBeGreaterThan(l5);
    // then the summary
    expect(r.out).toContain('state violations');
  });

  it('explain preset: defaults to a short run', async () => {
    const r = await cli(['explain', 'preset:desktop']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('L1 ');
    expect(r.out).toContain('L40 ');
    expect(r.out).not.toContain('L41 ');
  });
});

describe('policies that must coincide', () => {
  it('run says that widest = lazy on armv7-2013 and why, and the numbers agree', async () => {
    const r = await cli([
      'run',
      'preset:desktop',
      '--arch',
      'arm-vfp',
      '--variant',
      'armv7-2013',
      '--policy',
      'lazy,widest',
      '--events',
      '20000',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /widest = lazy here: HCPTR traps the whole VFP\/NEON bank .*so what a policy grants on a trap cannot matter/,
    );
    const json = await cli([
      'run',
      'preset:desktop',
      '--arch',
      'arm-vfp',
      '--variant',
      'armv7-2013',
      '--policy',
      'widest',
      '--events',
      '20000',
      '--json',
    ]);
    const lazy = await cli([
      'run',
      'preset:desktop',
      '--arch',
      'arm-vfp',
      '--variant',
      'armv7-2013',
      '--policy',
      'lazy',
      '--events',
      '20000',
      '--json',
    ]);
    const [w, l] = [JSON.parse(json.out), JSON.parse(lazy.out)];
    expect(w.traps).toEqual(l.traps);
    expect(w.ops).toEqual(l.ops);
  });
});

describe('list and schema', () => {
  it('list names the backend, every policy and every preset', async () => {
    const r = await cli(['list']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('mips-vz');
    for (const p of ['kvm', 'eager', 'lazy', 'lazy-per-exit', 'widest', 'adaptive']) {
      expect(r.out).toMatch(new RegExp(`^  ${p}( \\[[^\\]]*\\])? — `, 'm'));
    }
    for (const p of ['idle', 'desktop', 'hpc', 'io-heavy', 'simd-bursty', 'overcommit']) {
      expect(r.out).toMatch(new RegExp(`^  ${p} — `, 'm'));
    }
  });

  it('list says where one trap enables every unit, and which policies coincide there', async () => {
    const r = await cli(['list']);
    expect(r.out).toContain(
      '      widest = lazy here: HCPTR traps the whole VFP/NEON bank (TCP10 and TCP11 together)',
    );
    expect(r.out).toMatch(/variant loongson-3a4000[\s\S]*?traps: per unit/);
  });

  it('list --json is JSON with the same policies and presets', async () => {
    const r = await cli(['list', '--json']);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.out) as {
      archs: { id: string }[];
      policies: { name: string }[];
      presets: Record<string, unknown>;
    };
    expect(data.archs.map((a) => a.id)).toEqual(['mips-vz', 'arm-vfp', 'x86-xfd', 'loongarch']);
    expect(data.policies.map((p) => p.name).sort()).toEqual([
      'adaptive',
      'eager',
      'kvm',
      'lazy',
      'lazy-per-exit',
      'widest',
    ]);
    expect(Object.keys(data.presets).sort()).toEqual([
      'desktop',
      'hpc',
      'idle',
      'io-heavy',
      'overcommit',
      'simd-bursty',
    ]);
  });

  it('schema prints a JSON Schema: a header and 15 event entries', async () => {
    const r = await cli(['schema']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as { oneOf: { title: string; required: string[] }[] };
    expect(s.oneOf).toHaveLength(16);
    expect(s.oneOf[0]?.title).toBe('header (line 1)');
    const events = s.oneOf.slice(1);
    expect(events).toHaveLength(15);
    expect(events.map((e) => e.title)).toEqual([
      'load',
      'enter',
      'use',
      'guest-write',
      'exit',
      'put',
      'host-use',
      'switch',
      'kernel-fpu',
      'user-get',
      'user-set',
      'work',
      'run',
      'sched-out',
      'syscall',
    ]);
    for (const e of events) expect(e.required[0]).toBe('op');
  });

  it('--version and --help exit 0', async () => {
    const v = await cli(['--version']);
    expect(v.code).toBe(0);
    expect(v.out).toMatch(/^\d+\.\d+\.\d+/);
    const h = await cli(['run', '--help']);
    expect(h.code).toBe(0);
    expect(h.out).toContain('--policy');
  });
});

describe('a broken mechanism is caught by the state oracle', () => {
  /** vcpu0 uses FP then MSA; vcpu1 clobbers MSA on the same pCPU; vcpu0 comes back and reads MSA. */
  const events: readonly Line[] = [
    { op: 'load', vcpu: 0, cpu: 0 },
    { op: 'enter', vcpu: 0 },
    { op: 'use', vcpu: 0, unit: 'fpu', access: 'write', reg: 3 },
    { op: 'use', vcpu: 0, unit: 'msa', access: 'write', reg: 3 },
    { op: 'exit', vcpu: 0, reason: 'irq' },
    { op: 'put', vcpu: 0 },
    { op: 'load', vcpu: 1, cpu: 0 },
    { op: 'enter', vcpu: 1 },
    { op: 'use', vcpu: 1, unit: 'msa', access: 'write', reg: 3 },
    { op: 'exit', vcpu: 1, reason: 'irq' },
    { op: 'put', vcpu: 1 },
    { op: 'load', vcpu: 0, cpu: 0 },
    { op: 'enter', vcpu: 0 },
    { op: 'use', vcpu: 0, unit: 'fpu', access: 'read', reg: 3 },
    { op: 'use', vcpu: 0, unit: 'msa', access: 'read', reg: 3 },
  ];
  const header = (config: Record<string, unknown>) => ({ ...HEADER, cpus: 1, threads: [], config });

  it('control: without the fault, exit 0 and no violation', async () => {
    const file = writeFile(dir, 'nofault.ndjson', [header({}), ...events]);
    const r = await cli(['run', file, '--json']);
    expect(r.code).toBe(0);
    const rep = report(r.out);
    // two vector reads, each with the MSACSR read every MSA instruction makes
    expect(rep.check.reads).toBe(4);
    expect(rep.check.violations).toBe(0);
  });

  it('skip-msa-upper-restore: exit 1, violations ≥ 1, the first names msa', async () => {
    const file = writeFile(dir, 'fault.ndjson', [
      header({ faults: ['skip-msa-upper-restore'] }),
      ...events,
    ]);
    const r = await cli(['run', file, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    const rep = report(r.out);
    expect(rep.check.violations).toBeGreaterThanOrEqual(1);
    expect(rep.check.first).toMatchObject({
      unit: 'msa',
      line: 16,
      op: 'use',
      context: 'vcpu0',
      register: 3,
    });
  });

  it('the table says where the first violation is, exit 1', async () => {
    const file = writeFile(dir, 'fault2.ndjson', [
      header({ faults: ['skip-msa-upper-restore'] }),
      ...events,
    ]);
    const r = await cli(['run', file]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /kvm: first violation at line 16 \(event \d+, use\): vcpu0 msa reg 3 byte \d+/,
    );
  });

  it('a violation under one policy of several still exits 1', async () => {
    const file = writeFile(dir, 'fault3.ndjson', [
      header({ faults: ['skip-msa-upper-restore'] }),
      ...events,
    ]);
    const r = await cli(['run', file, '--policy', 'eager,kvm', '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { reports: Report[] };
    expect(doc.reports.find((x) => x.policy === 'kvm')?.check.violations).toBeGreaterThanOrEqual(1);
  });
});

it('no test left a temporary file behind in its directory', () => {
  expect(existsSync(dir)).toBe(true);
  expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
});
