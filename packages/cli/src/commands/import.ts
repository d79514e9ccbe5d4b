/** `vfpu import`: a kernel trace (trace-cmd report / perf script text) as a workload (NDJSON). */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import {
  addTraceOptions,
  type TraceCliOptions,
  traceImportOptions,
} from '../import/cli-options.js';
import { importText } from '../import/index.js';
import { outputSink } from '../output.js';

type ImportCliOptions = TraceCliOptions & { output?: string };

const list = (r: Readonly<Record<string, number>>) =>
  Object.entries(r)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

export function addImport(program: Command, ctx: Context): void {
  const { io } = ctx;
  addTraceOptions(
    program
      .command('import')
      .description(
        'read a kernel trace (trace-cmd report or perf script text) and write it as a workload (NDJSON)',
      )
      .argument('<trace>', 'the trace text (.gz is read compressed; - for standard input)')
      .option(
        '-o, --output <file>',
        'output file (written whole or not at all; .gz compresses); default, or -: stdout',
      ),
  ).action(async (trace: string, o: ImportCliOptions) => {
    const imp = await importText(trace, traceImportOptions(o));
    const sink = outputSink(o.output, io.stdout);
    try {
      for await (const block of imp.text()) {
        if (typeof block === 'string') sink.write(block);
        else sink.writeBytes(block);
        await sink.ready();
      }
      await sink.commit();
    } catch (e) {
      sink.abort();
      throw e;
    }
    const s = imp.summary;
    const events = Object.values(s.stats.events).reduce((a, b) => a + b, 0);
    const skipped = Object.values(s.stats.skipped).reduce((a, b) => a + b, 0);
    io.stderr.write(
      `vfpu import: ${trace === '-' ? '<stdin>' : trace}: ${s.stats.lines} lines (${s.stats.format}, ${imp.arch}), ${events} events read → ${s.workloadLines} workload lines\n`,
    );
    if (skipped > 0)
      io.stderr.write(`  skipped ${skipped} events of unread kinds: ${list(s.stats.skipped)}\n`);
    if (Object.keys(s.adjusted).length > 0) io.stderr.write(`  adjusted: ${list(s.adjusted)}\n`);
  });
}
