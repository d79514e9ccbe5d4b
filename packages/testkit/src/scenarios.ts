/**
 * Conformance scenarios: a workload (`NAME.ndjson`) and what the kernel does with it
 * (`NAME.expect.json`), checked against a backend's report, call sequence and state.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type BackendV2, type ReportV1, runText } from '@vfpu/core';

/** The expectation file of a scenario. */
export interface ScenarioExpectation {
  /** What the scenario reproduces, in one line. */
  readonly title: string;
  /** Kernel functions the scenario follows (`vz.c kvm_trap_vz_handle_cop_unusable`, …). Required. */
  readonly follows: readonly string[];
  /** Policy to run (default `kvm`). */
  readonly policy?: string;
  /**
   * Report sections compared exactly: every key listed must match, every key not listed must be 0.
   * `ops` entries are `{calls, bytes}`.
   */
  readonly exits?: Readonly<Record<string, number>>;
  /** Expected `traps` counts (compared like `exits`). */
  readonly traps?: Readonly<Record<string, number>>;
  /** Expected kernel routines: calls and bytes of each (compared like `exits`). */
  readonly ops?: Readonly<
    Record<
      string,
      {
        /** Times the routine runs. */
        calls: number;
        /** Bytes it moves in all. */
        bytes: number;
      }
    >
  >;
  /** Expected `outcomes` counts (compared like `exits`). */
  readonly outcomes?: Readonly<Record<string, number>>;
  /** Expected bytes saved and restored in all. */
  readonly bytes?: {
    /** Bytes saved. */
    saved: number;
    /** Bytes restored. */
    restored: number;
  };
  /** Expected number of oracle violations (default 0). */
  readonly violations?: number;
  /**
   * Kernel functions in call order. The recorded calls, keeping only the names that appear in this
   * list, must equal it exactly.
   */
  readonly calls?: readonly string[];
  /** A partial match against the backend's `inspect()` at the end of the run. */
  readonly state?: unknown;
}

/** One scenario of a backend: a workload and what the kernel does with it. */
export interface Scenario {
  /** The file name without `.ndjson` (`01-first-fpu-use`). */
  readonly name: string;
  /** The workload's NDJSON text. */
  readonly workload: string;
  /** Its `.expect.json`. */
  readonly expect: ScenarioExpectation;
}

/** Loads every `*.ndjson` with a sibling `*.expect.json` in `dir`, sorted by name. */
export function loadScenarios(dir: string): Scenario[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .sort()
    .map((f) => {
      const name = basename(f, '.ndjson');
      const expect = JSON.parse(
        readFileSync(join(dir, `${name}.expect.json`), 'utf8'),
      ) as ScenarioExpectation;
      if (!Array.isArray(expect.follows) || expect.follows.length === 0) {
        throw new Error(
          `${name}.expect.json: "follows" must name the kernel functions the scenario follows`,
        );
      }
      return { name, workload: readFileSync(join(dir, f), 'utf8'), expect };
    });
}

/** Differences between a scenario's expectation and what the backend did (empty: conforms). */
export function checkScenario(backend: BackendV2, s: Scenario): string[] {
  const result = runText(
    s.workload,
    { backends: [backend], policy: s.expect.policy ?? 'kvm', recordCalls: true },
    s.name,
  );
  const r = result.report;
  const problems: string[] = [];
  const e = s.expect;
  for (const section of ['exits', 'traps', 'outcomes'] as const) {
    const want = e[section];
    if (want !== undefined) compareCounts(section, want, r[section], problems);
  }
  if (e.ops !== undefined) {
    for (const [name, got] of Object.entries(r.ops)) {
      const want = e.ops[name] ?? { calls: 0, bytes: 0 };
      if (got.calls !== want.calls || got.bytes !== want.bytes) {
        problems.push(
          `ops.${name}: expected ${want.calls} calls / ${want.bytes} bytes, got ${got.calls} / ${got.bytes}`,
        );
      }
    }
    for (const name of Object.keys(e.ops))
      if (!(name in r.ops)) problems.push(`ops.${name}: no such routine`);
  }
  if (
    e.bytes !== undefined &&
    (e.bytes.saved !== r.bytes.saved || e.bytes.restored !== r.bytes.restored)
  ) {
    problems.push(`bytes: expected ${JSON.stringify(e.bytes)}, got ${JSON.stringify(r.bytes)}`);
  }
  const violations = e.violations ?? 0;
  if (r.check.violations !== violations) {
    problems.push(
      `violations: expected ${violations}, got ${r.check.violations} (first: ${JSON.stringify(r.check.first)})`,
    );
  }
  if (e.calls !== undefined) {
    const names = new Set(e.calls);
    const got = result.calls.filter((c) => names.has(c));
    if (got.join(',') !== e.calls.join(',')) {
      problems.push(`calls: expected ${e.calls.join(' → ')}\n       got      ${got.join(' → ')}`);
    }
  }
  if (e.state !== undefined) matchPartial('state', e.state, result.state, problems);
  return problems;
}

function compareCounts(
  section: string,
  want: Readonly<Record<string, number>>,
  got: ReportV1['exits'],
  problems: string[],
): void {
  for (const [name, n] of Object.entries(got)) {
    const w = want[name] ?? 0;
    if (n !== w) problems.push(`${section}.${name}: expected ${w}, got ${n}`);
  }
  for (const name of Object.keys(want))
    if (!(name in got)) problems.push(`${section}.${name}: no such counter`);
}

function matchPartial(path: string, want: unknown, got: unknown, problems: string[]): void {
  if (typeof want === 'object' && want !== null) {
    if (typeof got !== 'object' || got === null) {
      problems.push(`${path}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
      return;
    }
    for (const [k, v] of Object.entries(want))
      matchPartial(`${path}.${k}`, v, (got as Record<string, unknown>)[k], problems);
    return;
  }
  if (want !== got)
    problems.push(`${path}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
}
