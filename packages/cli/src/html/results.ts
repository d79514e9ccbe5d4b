/**
 * The RESULTS `vfpu report` reads, recognized by shape: a report v1 (`vfpu run --json`), a
 * `vfpu-comparison` (`run --policy a,b --json`), a `vfpu-compare` document (`vfpu compare --json`),
 * or a sweep's NDJSON (sweep-rows.ts). Anything else, or malformed JSON, is an InputError
 * `FILE:LINE: …`. Every report is checked for the fields the page uses.
 */
import type { ReportV1 } from '@vfpu/core';
import { type Normalized, normalize } from '../compare-table.js';
import { readText } from '../read-text.js';
import {
  type At,
  arrayAt,
  at,
  failAt,
  isObject,
  type Json,
  numbersAt,
  objectAt,
  parseDocument,
  stringAt,
} from './json-input.js';
import { readSweep, type Sweep } from './sweep-rows.js';

/** One simulator's figures, as charted: who it is, then what every architecture shares. */
export interface SimRow extends Normalized {
  readonly file: string;
  readonly workload: string;
  readonly arch: string;
  readonly variant: string;
  readonly policy: string;
  /** `arch/variant`: a chart's series. */
  readonly simulator: string;
  readonly bytes_saved: number;
  readonly bytes_restored: number;
  readonly lazyfp_exposure_bytes: number;
}

export interface Simulator {
  readonly row: SimRow;
  readonly report: ReportV1;
}

export interface Results {
  readonly simulators: readonly Simulator[];
  readonly sweeps: readonly Sweep[];
}

const DOCUMENTS = 'a vfpu-report, vfpu-comparison or vfpu-compare document, or a sweep (NDJSON)';

/** The resolved configuration's fields the page's tables show. */
function checkConfig(v: unknown, a: At): void {
  const c = objectAt(v, a);
  stringAt(c.kernel, at(a, 'kernel'));
  for (const [k, x] of Object.entries(objectAt(c.versions, at(a, 'versions'))))
    stringAt(x, at(at(a, 'versions'), k));
  const policy = objectAt(c.policy, at(a, 'policy'));
  stringAt(policy.runs, at(at(a, 'policy'), 'runs'));
  const params = objectAt(policy.params, at(at(a, 'policy'), 'params'));
  numbersAt(params, Object.keys(params), at(at(a, 'policy'), 'params'));
  const input = objectAt(c.input, at(a, 'input'));
  for (const k of ['source', 'sha256']) stringAt(input[k], at(at(a, 'input'), k));
  const costs = objectAt(c.costs, at(a, 'costs'));
  for (const [k, x] of Object.entries(costs)) {
    const here = at(at(a, 'costs'), k);
    numbersAt(objectAt(x, here), ['value'], here);
    stringAt((x as Json).source, at(here, 'source'));
  }
}

/** Checks the fields of a report v1 the page reads; throws `FILE:LINE: PATH: …` on the first. */
export function checkReport(v: unknown, a: At): ReportV1 {
  const r = objectAt(v, a);
  if (r.format !== 'vfpu-report' || r.version !== 1)
    failAt(at(a, 'format'), 'expected a vfpu-report version 1');
  for (const k of ['arch', 'variant', 'policy']) stringAt(r[k], at(a, k));
  const w = objectAt(r.workload, at(a, 'workload'));
  stringAt(w.name, at(at(a, 'workload'), 'name'));
  numbersAt(w, ['events', 'seed'], at(a, 'workload'));
  for (const k of ['traps', 'per_exit_reason', 'ops'] as const) {
    const o = objectAt(r[k], at(a, k));
    for (const [key, x] of Object.entries(o))
      if (k === 'traps') numbersAt(o, [key], at(a, k));
      else
        numbersAt(
          objectAt(x, at(at(a, k), key)),
          k === 'ops' ? ['calls'] : ['saves', 'restores'],
          at(at(a, k), key),
        );
  }
  numbersAt(objectAt(r.bytes, at(a, 'bytes')), ['saved', 'restored'], at(a, 'bytes'));
  numbersAt(objectAt(r.cycles, at(a, 'cycles')), ['total', 'fp'], at(a, 'cycles'));
  const e = objectAt(r.exposure, at(a, 'exposure'));
  numbersAt(e, ['events', 'bytes'], at(a, 'exposure'));
  numbersAt(
    objectAt(e.guest, at(at(a, 'exposure'), 'guest')),
    ['events'],
    at(at(a, 'exposure'), 'guest'),
  );
  numbersAt(objectAt(r.check, at(a, 'check')), ['violations'], at(a, 'check'));
  arrayAt(r.warnings, at(a, 'warnings'));
  checkConfig(r.config, at(a, 'config'));
  return r as unknown as ReportV1;
}

export function simRow(file: string, r: ReportV1): SimRow {
  return {
    file,
    workload: r.workload.name,
    arch: r.arch,
    variant: r.variant,
    policy: r.policy,
    simulator: `${r.arch}/${r.variant}`,
    ...normalize(r),
    bytes_saved: r.bytes.saved,
    bytes_restored: r.bytes.restored,
    lazyfp_exposure_bytes: r.exposure.bytes,
  };
}

function documentReports(doc: Json, a: At): ReportV1[] {
  switch (doc.format) {
    case 'vfpu-report':
      return [checkReport(doc, a)];
    case 'vfpu-comparison':
      if (doc.version !== 1) failAt(at(a, 'version'), 'expected 1');
      return arrayAt(doc.reports, at(a, 'reports')).map((r, i) =>
        checkReport(r, at(at(a, 'reports'), i)),
      );
    case 'vfpu-compare':
      if (doc.version !== 1) failAt(at(a, 'version'), 'expected 1');
      return arrayAt(doc.simulators, at(a, 'simulators')).map((s, i) => {
        const here = at(at(a, 'simulators'), i);
        return checkReport(objectAt(s, here).report, at(here, 'report'));
      });
    default:
      return failAt(at(a, 'format'), `unknown document shape (expected ${DOCUMENTS})`);
  }
}

/** A file's whole text as one JSON value, or undefined when it is NDJSON (a first line parses). */
function wholeDocument(text: string, file: string): Json | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (isObject(v) && v.format === undefined) return undefined; // a one-line sweep
    if (!isObject(v))
      failAt({ file, line: 1, path: '' }, `unknown document shape (expected ${DOCUMENTS})`);
    return v;
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    const first = text.split('\n', 1)[0] ?? '';
    try {
      if (isObject(JSON.parse(first))) return undefined;
    } catch {}
    parseDocument(text, file); // throws the whole document's error, with its line
    throw e;
  }
}

/**
 * The simulators once each: a report given twice (the same bytes in two files, or the same run
 * with and without its ratio to the bound: `compare` adds one) is kept once, with the bound where
 * one copy has it; two different reports of one (workload, architecture/variant, policy) are told
 * apart in the charts by their file (`arch/variant (FILE)`), so no bar hides another.
 */
function distinctSimulators(sims: readonly Simulator[]): Simulator[] {
  const at = new Map<string, number>();
  const unique: Simulator[] = [];
  for (const s of sims) {
    const key = JSON.stringify({ ...s.report, bound: undefined });
    const i = at.get(key);
    if (i === undefined) {
      at.set(key, unique.length);
      unique.push(s);
    } else if (unique[i]?.report.bound === undefined && s.report.bound !== undefined) unique[i] = s;
  }
  const who = (s: Simulator) => `${s.row.workload}\n${s.row.simulator}\n${s.row.policy}`;
  const counts = new Map<string, number>();
  for (const s of unique) counts.set(who(s), (counts.get(who(s)) ?? 0) + 1);
  return unique.map((s) =>
    (counts.get(who(s)) ?? 0) > 1
      ? { ...s, row: { ...s.row, simulator: `${s.row.simulator} (${s.row.file})` } }
      : s,
  );
}

export function readResults(files: readonly string[]): Results {
  const simulators: Simulator[] = [];
  const sweeps: Sweep[] = [];
  for (const file of files) {
    const text = readText(file);
    if (text.trim() === '') failAt({ file, line: 1, path: '' }, 'empty file');
    const doc = wholeDocument(text, file);
    if (doc === undefined) sweeps.push(readSweep(text, file));
    else
      for (const report of documentReports(doc, { file, line: 1, path: '' }))
        simulators.push({ row: simRow(file, report), report });
  }
  return { simulators: distinctSimulators(simulators), sweeps };
}
