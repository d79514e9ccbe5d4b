/**
 * `vfpu report RESULTS… -o report.html`: one self-contained HTML page of charts and tables from
 * results vfpu wrote (run --json, compare --json, a sweep's NDJSON). Every file is read and
 * checked before anything is written; the page is written atomically.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { renderPage } from '../html/page.js';
import { readResults } from '../html/results.js';
import { buildCharts } from '../html/specs.js';
import { outputSink } from '../output.js';

export function addReport(program: Command, ctx: Context): void {
  program
    .command('report')
    .description(
      'an HTML page (self-contained, offline) of charts and tables from results: run/compare --json documents and sweep NDJSON',
    )
    .argument('<results...>')
    .requiredOption('-o, --output <file>', 'the HTML file to write (-: stdout)')
    .action(async (files: string[], o: { output: string }) => {
      const results = readResults(files);
      const page = renderPage(results, buildCharts(results), files);
      const sink = outputSink(o.output, ctx.io.stdout);
      try {
        sink.write(page);
        await sink.commit();
      } catch (e) {
        sink.abort();
        throw e;
      }
    });
}
