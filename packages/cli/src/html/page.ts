/**
 * The report page: one self-contained HTML file. The chart libraries are inlined (libs.ts), the
 * specs are a JSON script element, and a Content-Security-Policy forbids every fetch, so the page
 * works offline and can load nothing. Vega runs with its expression interpreter (`ast: true`), so
 * the page needs no `eval`. The embeds' results are on `window.vfpuReport` (`ready`: a promise of
 * every chart's view, by id) for tests. Nothing in it depends on the time or the machine.
 */
import { configSection } from './config-tables.js';
import { esc, scriptJson } from './escape.js';
import { chartLibraries } from './libs.js';
import type { Results } from './results.js';
import type { Chart } from './specs.js';

const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}h3{font-size:1em}
.charts{display:flex;flex-wrap:wrap;gap:1.5em}figure{margin:0}
table{border-collapse:collapse;font-size:12px;margin-bottom:1em}
td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
td{max-width:28em;overflow-wrap:anywhere}th{background:#f4f4f4}.note{color:#555}`;

/** Embeds every chart; `window.vfpuReport.ready` resolves to the views by chart id. */
const BOOT = `(function () {
  var charts = JSON.parse(document.getElementById('vfpu-charts').textContent);
  var views = {};
  var ready = Promise.all(charts.map(function (c) {
    return vegaEmbed('#chart-' + c.id, c.spec, { actions: false, renderer: 'svg', ast: true })
      .then(function (r) { views[c.id] = r.view; });
  })).then(function () { return views; });
  window.vfpuReport = { charts: charts.map(function (c) { return c.id; }), ready: ready };
})();`;

export function renderPage(
  results: Results,
  charts: readonly Chart[],
  files: readonly string[],
): string {
  const libs = chartLibraries();
  const figures = charts.map((c) => `<figure><div id="chart-${c.id}"></div></figure>`).join('\n');
  const sweeps = results.sweeps
    .map(
      (s, i) =>
        `<li>sweep ${i + 1}: ${esc(s.file)}, ${s.summaries.length} points, ${s.runs.length} runs</li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vfpu report</title>
<style>${STYLE}</style>
</head>
<body>
<h1>vfpu report</h1>
<p class="note">From ${files.map(esc).join(', ')}: ${results.simulators.length} simulator report(s), ${results.sweeps.length} sweep(s). Cycles are estimates from each backend's cost table (sources below).</p>
${sweeps ? `<ul>\n${sweeps}\n</ul>\n` : ''}<section class="charts">
${figures}
</section>
${configSection(results.simulators)}<p class="note">Charts: ${libs.map((l) => `${l.name} ${l.version}`).join(', ')}, inlined.</p>
${libs.map((l) => `<script>${l.code}</script>`).join('\n')}
<script type="application/json" id="vfpu-charts">${scriptJson(charts)}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}
