/**
 * The browser test of `vfpu report` (run by scripts/test-html.sh, not by `npm test`): the built
 * CLI (dist/bin.js) writes a run report, a policy comparison, a cross-arch compare document and a
 * sample sweep, then one HTML page from all four; headless Chromium (Debian's /usr/bin/chromium,
 * or $CHROMIUM) opens it from a file:// URL through playwright-core. The page must load with no
 * console error, no page error and no request beyond the file itself; every chart's view must
 * have marks (SVG paths/rects/symbols drawn by vega); a screenshot goes to $VFPU_REPORT_PNG
 * (default /tmp/vfpu-report.png). Exits 1 on any failure.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHARTS_OF_REPORTS_AND_A_SWEEP, sampleSweep } from './html-samples.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const PNG = process.env.VFPU_REPORT_PNG ?? '/tmp/vfpu-report.png';
const EXE = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Run in the page (plain JavaScript: the test's own code is transpiled with helpers the page
 * lacks): for each chart, its view's scenegraph data marks (role "mark", not axes or legends)
 * and the SVG paths vega drew for them.
 */
const IN_PAGE = `(async () => {
  function count(s) {
    let n = s.role === 'mark' && s.marktype !== 'group' ? (s.items || []).length : 0;
    for (const x of s.items || []) n += count(x);
    return n;
  }
  const views = await window.vfpuReport.ready;
  return window.vfpuReport.charts.map((id) => ({
    id,
    items: views[id] ? count(views[id].scenegraph().root) : 0,
    svg: document.querySelectorAll('#chart-' + id + ' svg g.role-mark > path').length,
  }));
})()`;

const vfpu = (args: readonly string[]) =>
  execFileSync('node', [BIN, ...args], { encoding: 'utf8' });

const problems: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'vfpu-html-'));
const t0 = performance.now();
try {
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const gen = ['preset:desktop', '--events', '3000'];
  const inputs = [
    file('run.json', vfpu(['run', ...gen, '--json'])),
    file('policies.json', vfpu(['run', ...gen, '--policy', 'kvm,eager,lazy', '--json'])),
    file(
      'compare.json',
      vfpu([
        'compare',
        ...gen,
        '--arch',
        'mips-vz,arm-vfp,x86-xfd',
        '--policy',
        'kvm,eager,lazy',
        '--json',
      ]),
    ),
    file('sweep.ndjson', sampleSweep()),
  ];
  const html = join(dir, 'report.html');
  vfpu(['report', ...inputs, '-o', html]);
  const t1 = performance.now();
  const url = pathToFileURL(html).href;

  const browser = await chromium.launch({ executablePath: EXE, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning')
        problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (r.url() !== url) problems.push(`request beyond the file: ${r.url()}`);
    });
    await page.goto(url, { waitUntil: 'load' });
    const charts = (await page.evaluate(IN_PAGE)) as { id: string; items: number; svg: number }[];
    const ids = charts.map((c) => c.id).join(', ');
    if (ids !== CHARTS_OF_REPORTS_AND_A_SWEEP.join(', ')) problems.push(`charts: ${ids}`);
    for (const c of charts)
      if (c.items === 0 || c.svg === 0)
        problems.push(`chart ${c.id}: ${c.items} scenegraph marks, ${c.svg} drawn`);
    const rows = await page.locator('#configuration table').first().locator('tbody tr').count();
    if (rows !== 9) problems.push(`configuration table: ${rows} rows, expected 9`);
    await page.screenshot({ path: PNG, fullPage: true });
    const t2 = performance.now();
    console.log(`html-chromium: ${charts.map((c) => `${c.id} ${c.items}/${c.svg}`).join(', ')}`);
    console.log(
      `html-chromium: report ${statSync(html).size} bytes written in ${Math.round(t1 - t0)} ms (4 inputs); loaded, checked and screenshot in ${Math.round(t2 - t1)} ms; screenshot ${PNG} (${statSync(PNG).size} bytes)`,
    );
  } finally {
    await browser.close();
  }
} catch (e) {
  problems.push(`failed: ${(e as Error).stack ?? String(e)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (problems.length) {
  console.error(`html-chromium: FAILED\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('html-chromium: ok');
