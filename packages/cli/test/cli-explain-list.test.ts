/**
 * The CLI end to end (continued): explain, policies that must coincide, list and schema, and a
 * broken mechanism caught by the state oracle.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, HEADER, type Line, tempDir, writeFile } from './helpers.js';
import { type Report, report } from './report.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

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
    expect(data.archs.map((a) => a.id)).toEqual([
      'mips-vz',
      'arm-vfp',
      'x86-xfd',
      'loongarch',
      'riscv',
    ]);
    expect(data.policies.map((p) => p.name).sort()).toEqual([
      'adaptive',
      'clairvoyant',
      'cost-aware',
      'eager',
      'kvm',
      'lazy',
      'lazy-per-exit',
      'widest',
    ]);
    expect(Object.keys(data.presets).sort()).toEqual([
      'arm64-lmbench',
      'desktop',
      'hpc',
      'idle',
      'io-heavy',
      'loongarch-pipe',
      'overcommit',
      'simd-bursty',
      'sleazy-getpid',
      'sve-bimodal',
      'x86-build-nm',
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
