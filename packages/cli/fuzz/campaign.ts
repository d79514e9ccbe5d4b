/**
 * A mutation campaign: `runs` mutants of the seeds, each run through the in-process CLI and
 * checked (check.ts), with a summary by mutation class. Used by `npm run fuzz` (main.ts) and by
 * the CI-sized test (test/fuzz.test.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CaseResult, type Problem, runCase } from './check.js';
import { FIELD_MUTATIONS, type Mutant, type Mutation, mutate, text } from './mutate.js';
import { EVENT_MUTATIONS, HEADER_MUTATIONS } from './mutate-events.js';
import { RAW_MUTATIONS } from './mutate-raw.js';
import { FuzzRng } from './rng.js';
import { loadSeeds, type Seed } from './seeds.js';

export const CLASSES: readonly [string, Mutation][] = [
  ...Object.entries(FIELD_MUTATIONS),
  ...Object.entries(HEADER_MUTATIONS),
  ...Object.entries(EVENT_MUTATIONS),
  ...Object.entries(RAW_MUTATIONS),
];

const PROBLEMS: readonly Problem[] = [
  'crash',
  'hang',
  'accepted',
  'message',
  'leftover',
  'nondeterministic',
];

interface Row {
  cases: number;
  exit: [number, number, number];
  mustRefuse: number;
  problems: Record<Problem, number>;
  findings: number;
}

export interface Report {
  readonly cases: number;
  readonly failed: boolean;
  readonly problems: Record<Problem, number>;
  readonly findings: number;
  readonly lines: string[];
  /** The failing cases, for a test's message. */
  readonly failures: string[];
  readonly ms: number;
}

export interface CampaignOptions {
  readonly runs: number;
  readonly seed: number;
  /** Every `sample`th case runs twice (determinism); default 20. */
  readonly sample?: number;
  /** Progress every so many cases (to stderr); 0 for none. */
  readonly progressEvery?: number;
  /** Only these mutation classes (default every one). */
  readonly only?: readonly string[];
}

function describe(seed: Seed, m: Mutant, r: CaseResult, dir: string): string {
  const shown =
    m.gz || m.data.length > 2000
      ? `(${m.data.length} bytes, kept in ${dir})`
      : `\n${m.data.toString('utf8').trimEnd()}`;
  const what = r.problems.map((p) => `${p.kind}: ${p.detail}`).join('; ') || r.finding;
  return `[${m.cls}/${m.expect}] ${m.note} — seed ${seed.name}\n  vfpu ${r.argv.join(' ')} → exit ${r.code}: ${what}\n  stderr: ${r.stderr.trimEnd().slice(0, 300)}${shown}`;
}

export async function runCampaign(o: CampaignOptions): Promise<Report> {
  const t0 = performance.now();
  const seeds = loadSeeds();
  const rng = new FuzzRng(o.seed);
  const dir = mkdtempSync(join(tmpdir(), 'vfpu-fuzz-'));
  const seedCodes = new Map<Seed, number>();
  const rows = new Map<string, Row>();
  const failures: string[] = [];
  const findings: string[] = [];
  const findingKeys = new Set<string>();
  const sample = o.sample ?? 20;
  // a summary class (drop-required, truncate-line) selects the mutation that makes it (drop, truncate)
  const wanted = (name: string) => o.only?.some((x) => x === name || x.startsWith(`${name}-`));
  const classes = o.only ? CLASSES.filter(([name]) => wanted(name)) : CLASSES;
  if (classes.length === 0) throw new Error(`no mutation class among ${o.only?.join(', ')}`);
  for (let i = 0; i < o.runs; i++) {
    const { seed, m } = mutate(seeds, rng, classes);
    let seedCode = seedCodes.get(seed);
    if (seedCode === undefined) {
      const base: Mutant = {
        cls: 'seed',
        expect: 'may',
        data: text(seed.lines),
        gz: false,
        note: 'seed',
      };
      const r0 = await runCase(base, {
        dir,
        rng: new FuzzRng(1),
        seedCode: 0,
        twice: false,
        index: -1,
      });
      seedCode = r0.code;
      seedCodes.set(seed, seedCode);
    }
    const r = await runCase(m, {
      dir,
      rng,
      seedCode,
      twice: sample > 0 && i % sample === 0,
      index: i,
    });
    let row = rows.get(m.cls);
    if (row === undefined) {
      row = {
        cases: 0,
        exit: [0, 0, 0],
        mustRefuse: 0,
        problems: Object.fromEntries(PROBLEMS.map((p) => [p, 0])) as Row['problems'],
        findings: 0,
      };
      rows.set(m.cls, row);
    }
    row.cases++;
    if (r.code >= 0 && r.code <= 2) row.exit[r.code as 0 | 1 | 2]++;
    if (m.expect === 'refuse') row.mustRefuse++;
    for (const p of new Set(r.problems.map((x) => x.kind))) row.problems[p]++;
    if (r.problems.length > 0) {
      const keep = join(dir, 'failures', `${i}${m.gz ? '.ndjson.gz' : '.ndjson'}`);
      mkdirSync(join(dir, 'failures'), { recursive: true });
      writeFileSync(keep, m.data);
      if (failures.length < 50) failures.push(`#${i} ${describe(seed, m, r, keep)}`);
    } else if (r.finding !== undefined) {
      row.findings++;
      const key = `${m.cls} ${m.note} ${seed.name}`;
      if (!findingKeys.has(key)) {
        findingKeys.add(key);
        const keep = join(dir, 'findings', `${i}${m.gz ? '.ndjson.gz' : '.ndjson'}`);
        mkdirSync(join(dir, 'findings'), { recursive: true });
        writeFileSync(keep, m.data);
        if (findings.length < 30) findings.push(`#${i} ${describe(seed, m, r, keep)}`);
      }
    }
    if (o.progressEvery && (i + 1) % o.progressEvery === 0)
      process.stderr.write(
        `fuzz: ${i + 1} cases, ${Math.round((performance.now() - t0) / 1000)} s\n`,
      );
  }
  const ms = performance.now() - t0;
  const total: Row = {
    cases: 0,
    exit: [0, 0, 0],
    mustRefuse: 0,
    problems: Object.fromEntries(PROBLEMS.map((p) => [p, 0])) as Row['problems'],
    findings: 0,
  };
  const head = [
    'class',
    'cases',
    'must-refuse',
    'exit 0',
    'exit 1',
    'exit 2',
    ...PROBLEMS.map((p) => (p === 'nondeterministic' ? 'nondet' : p)),
    'findings',
  ];
  const table: string[][] = [head];
  const add = (name: string, r: Row) =>
    table.push(
      [
        name,
        r.cases,
        r.mustRefuse,
        ...r.exit,
        ...PROBLEMS.map((p) => r.problems[p]),
        r.findings,
      ].map(String) as string[],
    );
  for (const [name, r] of [...rows].sort((a, b) => a[0].localeCompare(b[0]))) {
    add(name, r);
    total.cases += r.cases;
    total.mustRefuse += r.mustRefuse;
    for (const k of [0, 1, 2] as const) total.exit[k] += r.exit[k];
    for (const p of PROBLEMS) total.problems[p] += r.problems[p];
    total.findings += r.findings;
  }
  add('total', total);
  const widths = head.map((_, c) => Math.max(...table.map((row) => (row[c] as string).length)));
  const lines = table.map((row) =>
    row
      .map((cell, c) =>
        c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number),
      )
      .join('  '),
  );
  const failed = PROBLEMS.some((p) => total.problems[p] > 0);
  lines.push(
    '',
    `mutate: ${total.cases} cases from ${seeds.length} seeds, seed ${o.seed}, ${(ms / 1000).toFixed(1)} s; ${failed ? 'FAILED' : 'ok'}`,
  );
  if (failures.length > 0) lines.push('', 'failures (first 50):', ...failures);
  if (findings.length > 0)
    lines.push(
      '',
      `findings (${findingKeys.size} distinct; a violation or a changed exit on a mutant that parsed; not failures):`,
      ...findings,
    );
  if (failures.length === 0 && findings.length === 0) rmSync(dir, { recursive: true, force: true });
  else lines.push('', `mutants kept in ${dir}`);
  return {
    cases: total.cases,
    failed,
    problems: total.problems,
    findings: total.findings,
    lines,
    failures,
    ms,
  };
}
