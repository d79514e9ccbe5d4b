/**
 * `vfpu report`'s chart specs and page: which charts exist for which input, their data rows, the
 * sweep's means and intervals, each report once, determinism, a page that needs no network.
 * (The page in a real browser: html-chromium.ts, run by scripts/test-html.sh.)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResults } from '../src/html/results.js';
import { buildCharts, type Chart } from '../src/html/specs.js';
import { cleanup, cli, tempDir, writeFile } from './helpers.js';
import {
  CHARTS_OF_REPORTS_AND_A_SWEEP,
  SAMPLE_SWEEP_POINTS,
  SAMPLE_SWEEP_RUNS,
  sampleSweep,
} from './html-samples.js';

let dir: string;
let run: string; // vfpu run --json: mips-vz kvm
let runBound: string; // the same with --bound (as compare gives every report its bound)
let policiesBound: string; // vfpu run --policy kvm,eager --bound --json
let compare: string; // vfpu compare --arch mips-vz,arm-vfp --policy kvm,lazy --json
let sweep: string;

const GEN = ['preset:desktop', '--events', '600'];

async function json(name: string, args: readonly string[]): Promise<string> {
  const r = await cli(args);
  expect(r.err).toBe('');
  return writeFile(dir, name, r.out);
}

beforeAll(async () => {
  dir = tempDir();
  run = await json('run.json', ['run', ...GEN, '--json']);
  // compare gives each report its bound: run --bound gives the same reports
  runBound = await json('run-bound.json', ['run', ...GEN, '--bound', '--json']);
  policiesBound = await json('policies-bound.json', [
    'run',
    ...GEN,
    '--policy',
    'kvm,eager',
    '--bound',
    '--json',
  ]);
  compare = await json('compare.json', [
    'compare',
    ...GEN,
    '--arch',
    'mips-vz,arm-vfp',
    '--policy',
    'kvm,lazy',
    '--json',
  ]);
  sweep = writeFile(dir, 'sweep.ndjson', sampleSweep());
});
afterAll(() => cleanup(dir));

const ids = (charts: readonly Chart[]) => charts.map((c) => c.id);
const values = (spec: Readonly<Record<string, unknown>>) =>
  (spec.data as { values: Record<string, unknown>[] }).values;

describe('vfpu report: chart specs', () => {
  it('a run report gives the four per-policy × architecture charts with one row', () => {
    const charts = buildCharts(readResults([run]));
    expect(ids(charts)).toEqual(['overhead', 'traps', 'bytes', 'exposure']);
    const report = JSON.parse(readFileSync(run, 'utf8'));
    const row = values((charts[0] as Chart).spec)[0];
    expect(values((charts[0] as Chart).spec)).toHaveLength(1);
    expect(row).toMatchObject({
      simulator: 'mips-vz/loongson-3a4000',
      policy: 'kvm',
      bytes_saved: report.bytes.saved,
      bytes_restored: report.bytes.restored,
      bytes_moved: report.bytes.saved + report.bytes.restored,
      lazyfp_exposure_events: report.exposure.events,
    });
    const enc = (charts[0] as Chart).spec.encoding as Record<string, { field: string }>;
    expect([enc.x?.field, enc.xOffset?.field, enc.y?.field]).toEqual([
      'policy',
      'simulator',
      'fp_overhead_percent',
    ]);
  });

  it('a compare document gives a row per simulator, policies in their order', () => {
    const charts = buildCharts(readResults([compare]));
    const rows = values((charts[1] as Chart).spec);
    expect(rows.map((r) => `${r.simulator} ${r.policy}`)).toEqual([
      'mips-vz/loongson-3a4000 kvm',
      'mips-vz/loongson-3a4000 lazy',
      'arm-vfp/arm64-e5 kvm',
      'arm-vfp/arm64-e5 lazy',
    ]);
    const doc = JSON.parse(readFileSync(compare, 'utf8'));
    expect(rows.map((r) => r.fp_traps_to_hypervisor)).toEqual(
      doc.simulators.map(
        (s: { normalized: { fp_traps_to_hypervisor: number } }) =>
          s.normalized.fp_traps_to_hypervisor,
      ),
    );
    const x = ((charts[1] as Chart).spec.encoding as Record<string, { sort?: unknown }>).x;
    expect(x?.sort).toEqual(['kvm', 'lazy']);
  });

  it('a report given twice is shown once; two different reports of one simulator by file', async () => {
    // run-bound.json's report is policies-bound.json's first and compare.json's first
    const r = readResults([runBound, policiesBound, compare, runBound]);
    expect(r.simulators.map((s) => `${s.row.simulator} ${s.row.policy}`)).toEqual([
      'mips-vz/loongson-3a4000 kvm',
      'mips-vz/loongson-3a4000 eager',
      'mips-vz/loongson-3a4000 lazy',
      'arm-vfp/arm64-e5 kvm',
      'arm-vfp/arm64-e5 lazy',
    ]);
    // the same run alone (no bound) and inside a compare (with its bound): one, with the bound
    const mixed = readResults([run, compare]).simulators.filter(
      (s) => s.row.simulator.startsWith('mips-vz') && s.row.policy === 'kvm',
    );
    expect(mixed.map((s) => s.row.simulator)).toEqual(['mips-vz/loongson-3a4000']);
    expect(mixed[0]?.report.bound).toBeDefined();
    const other = await json('seed2.json', ['run', ...GEN, '--seed', '2', '--json']);
    const two = readResults([run, other]).simulators.map((s) => s.row.simulator);
    expect(two).toEqual([`mips-vz/loongson-3a4000 (${run})`, `mips-vz/loongson-3a4000 (${other})`]);
  });

  it('a sweep gives a chart per figure: x the swept number, a series per policy', () => {
    const charts = buildCharts(readResults([sweep]));
    expect(ids(charts)).toEqual(['sweep-1-1', 'sweep-1-2', 'sweep-1-3', 'sweep-1-4']);
    const [band, line, seeds] = (charts[0] as Chart).spec.layer as {
      mark: { type: string };
      data: { values: Record<string, unknown>[] };
      encoding: Record<string, { field: string; type?: string }>;
    }[];
    expect([band?.mark.type, line?.mark.type, seeds?.mark.type]).toEqual([
      'errorband',
      'line',
      'point',
    ]);
    expect(band?.encoding.x).toMatchObject({
      field: 'x',
      type: 'quantitative',
      title: 'param.work',
    });
    expect(band?.encoding.y?.field).toBe('lo');
    expect(band?.encoding.y2?.field).toBe('hi');
    const means = line?.data.values ?? [];
    expect(means).toHaveLength(SAMPLE_SWEEP_POINTS);
    expect(seeds?.data.values).toHaveLength(SAMPLE_SWEEP_RUNS);
    // the first point: kvm, work 500, seeds 1..3 (html-samples.ts), from the NDJSON itself
    const lines = sampleSweep()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const s0 = lines.find((l) => l.kind === 'summary' && l.point === 0);
    expect(means[0]).toEqual({
      x: 500,
      series: 'kvm',
      mean: s0.fp_overhead_percent,
      lo: s0.fp_overhead_percent - s0.fp_overhead_percent_ci95,
      hi: s0.fp_overhead_percent + s0.fp_overhead_percent_ci95,
    });
    const runs0 = lines.filter((l) => l.kind === 'run' && l.point === 0);
    expect(seeds?.data.values.slice(0, 3)).toEqual(
      runs0.map((l) => ({
        x: 500,
        series: 'kvm',
        seed: l.seed,
        value: l.fp_overhead_percent,
      })),
    );
    expect((charts[0] as Chart).title).toContain('FP overhead');
  });

  it('one point, one seed: no interval (null bounds), the mean drawn at the first key', () => {
    const text = [
      {
        kind: 'run',
        run: 0,
        point: 0,
        policy: 'kvm',
        'param.work': 1,
        seed: 1,
        fp_traps_to_hypervisor: 5,
      },
      {
        kind: 'summary',
        point: 0,
        policy: 'kvm',
        'param.work': 1,
        n: 1,
        fp_traps_to_hypervisor: 5,
        fp_traps_to_hypervisor_ci95: null,
      },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const charts = buildCharts(readResults([writeFile(dir, 'one.ndjson', text)]));
    expect(ids(charts)).toEqual(['sweep-1-1']);
    const layer = (charts[0] as Chart).spec.layer as { data: { values: unknown[] } }[];
    expect(layer[0]?.data.values).toEqual([
      { x: 'kvm', series: 'all points', mean: 5, lo: null, hi: null },
    ]);
  });

  it('reports and a sweep together: the simulator charts, then the sweep charts', () => {
    expect(ids(buildCharts(readResults([compare, sweep])))).toEqual(CHARTS_OF_REPORTS_AND_A_SWEEP);
  });
});

describe('vfpu report: the page', () => {
  it('is self-contained and byte-identical for the same input', async () => {
    const a = join(dir, 'a.html');
    const b = join(dir, 'b.html');
    expect(await cli(['report', run, compare, sweep, '-o', a])).toEqual({
      code: 0,
      out: '',
      err: '',
    });
    expect((await cli(['report', run, compare, sweep, '-o', b])).code).toBe(0);
    const html = readFileSync(a, 'utf8');
    expect(readFileSync(b, 'utf8')).toBe(html);
    // -o - is stdout (as for gen, import, sweep and merge), the same page
    expect((await cli(['report', run, compare, sweep, '-o', '-'])).out).toBe(html);
    expect(html).toContain("default-src 'none'");
    // outside the inlined libraries, nothing that loads: no src, no link, no image
    const markup = html.replace(/<script>[\s\S]*?<\/script>/g, '<script></script>');
    expect(markup.length).toBeLessThan(60_000);
    expect(markup).not.toMatch(/ src=|<link |<img |https?:\/\/(?!vega\.github\.io\/schema)/i);
    expect(/sourceMappingURL/.test(html)).toBe(false);
    expect(html.match(/<script>/g)).toHaveLength(4); // vega, vega-lite, vega-embed, boot
    expect(html).toContain('vega 5.33.1, vega-lite 5.23.0, vega-embed 6.29.0');
    const specs = /<script type="application\/json" id="vfpu-charts">(.*?)<\/script>/s.exec(html);
    expect(JSON.parse(specs?.[1] ?? 'null')).toEqual(
      JSON.parse(JSON.stringify(buildCharts(readResults([run, compare, sweep])))),
    );
    // the cost sources of every figure
    const costs = JSON.parse(readFileSync(run, 'utf8')).config.costs;
    for (const f of Object.values(costs) as { source: string }[])
      expect(html).toContain(
        f.source
          .replace(/&/g, '&amp;')
          .replace(/</g, '&lt;')
          .replace(/>/g, '&gt;')
          .replace(/"/g, '&quot;')
          .replace(/'/g, '&#39;'),
      );
  });

  it('escapes what comes from the input', async () => {
    const doc = JSON.parse(readFileSync(run, 'utf8'));
    doc.workload.name = '</script><b>x</b>';
    doc.config.costs.trap.source = '<img src=x onerror=alert(1)>';
    const evil = writeFile(dir, 'evil.json', JSON.stringify(doc));
    const out = join(dir, 'evil.html');
    expect((await cli(['report', evil, '-o', out])).code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toContain('<b>x</b>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('\\u003c/script>\\u003cb>x\\u003c/b>');
  });
});

describe('vfpu report: bad input', () => {
  const cases: [string, string, RegExp][] = [
    [
      'malformed.json',
      '{\n  "format": "vfpu-report",\n  "version": 1,\n}\n',
      /^vfpu: .*malformed\.json:4: malformed JSON/,
    ],
    [
      'truncated.json',
      '{\n  "format": "vfpu-report",\n',
      /^vfpu: .*truncated\.json:2: malformed JSON/,
    ],
    [
      'unknown.json',
      '{"format":"vfpu-workload","version":1}',
      /^vfpu: .*unknown\.json:1: format: unknown document shape/,
    ],
    ['array.json', '[1, 2]', /^vfpu: .*array\.json:1: unknown document shape/],
    ['empty.json', '\n', /^vfpu: .*empty\.json:1: empty file/],
    [
      'missing.json',
      '{"format":"vfpu-comparison","version":1,"reports":[{"format":"vfpu-report","version":1}]}',
      /^vfpu: .*missing\.json:1: reports\[0\]\.arch: missing/,
    ],
    [
      'badrow.ndjson',
      '{"kind":"run","point":0,"seed":1}\n{"kind":"summary","point":0,"n":1,"a":1,"a_ci95":null}\n{"kind":"total","point":0}\n',
      /^vfpu: .*badrow\.ndjson:3: kind: unknown row shape/,
    ],
    [
      'badline.ndjson',
      '{"kind":"run","point":0,"seed":1}\n{"kind":"summary",\n',
      /^vfpu: .*badline\.ndjson:2: malformed JSON/,
    ],
    [
      'nosummary.ndjson',
      '{"kind":"run","point":0,"seed":1}\n{"kind":"run","point":0,"seed":2}\n',
      /^vfpu: .*nosummary\.ndjson:1: a sweep without summary rows/,
    ],
    [
      'badci.ndjson',
      '{"kind":"summary","point":0,"n":2,"a":1,"a_ci95":"wide"}\n',
      /^vfpu: .*badci\.ndjson:1: a_ci95: expected a number/,
    ],
  ];
  for (const [name, text, message] of cases)
    it(`${name}: exit 2, FILE:LINE: …, no output file`, async () => {
      const file = writeFile(dir, name, text);
      const out = join(dir, `${name}.html`);
      const r = await cli(['report', run, file, '-o', out]);
      expect(r.err).toMatch(message);
      expect(r.err.split('\n')).toHaveLength(2);
      expect(r.code).toBe(2);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });

  it('a report missing a cost source names it', async () => {
    const doc = JSON.parse(readFileSync(compare, 'utf8'));
    delete doc.simulators[2].report.config.costs.exit.source;
    const r = await cli([
      'report',
      writeFile(dir, 'nosource.json', JSON.stringify(doc)),
      '-o',
      join(dir, 'x.html'),
    ]);
    expect(r.err).toMatch(
      /nosource\.json:1: simulators\[2\]\.report\.config\.costs\.exit\.source: missing/,
    );
    expect(r.code).toBe(2);
  });

  it('a file that cannot be read, and no -o', async () => {
    const r = await cli(['report', join(dir, 'nope.json'), '-o', join(dir, 'y.html')]);
    expect(r.err).toMatch(/^vfpu: .*nope\.json: cannot read/);
    expect(r.code).toBe(2);
    expect((await cli(['report', run])).code).toBe(2);
  });
});
