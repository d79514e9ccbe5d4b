/** `vfpu run`: run a workload under one or more policies; a summary table or the JSON report. */
import type { ReportV1, RunRequest } from '@vfpu/core';
import { type Command, Option } from 'commander';
import { withBackends } from '../backends.js';
import { withBound } from '../bound-runs.js';
import { type Context, UsageError } from '../context.js';
import { runInWorkers } from '../jobs.js';
import { addCommon, type CommonOptions, intOption, oneOf, progressReporter } from '../options.js';
import { fileSink, type Sink } from '../output.js';
import { PerfettoWriter } from '../perfetto.js';
import { type Configuration, runConfigurations } from '../run-one.js';
import { renderBreakdown, renderSummary } from '../summary.js';

type RunOptions = CommonOptions & {
  policy: string;
  json?: boolean;
  trace?: string;
  by?: 'vcpu' | 'cpu';
  perfetto?: string;
  jobs: number;
  bound?: boolean;
};

export function addRun(program: Command, ctx: Context): void {
  const { io } = ctx;
  addCommon(
    program
      .command('run')
      .description(
        'run a workload (file, - for stdin, .gz, or preset:NAME) and report traps, exits, routines, bytes and cycles',
      )
      .argument('<workload>')
      .option(
        '--policy <list>',
        'policy, or a comma-separated list to compare (kvm, eager, lazy, …; name:key=value for parameters)',
        'kvm',
      )
      .option(
        '--json',
        'print the report (JSON, format vfpu-report v1); several policies: a vfpu-comparison',
      )
      .option(
        '--bound',
        "also run the clairvoyant bound (docs/clairvoyant.md) and give each policy's FP cycles as a ratio to it",
      )
      .option('--trace <file>', 'write the per-event explanation to a file')
      .option(
        '--perfetto <file>',
        'write a timeline (Chrome trace-event JSON: a track per pCPU; opens in ui.perfetto.dev)',
      )
      .option(
        '--jobs <n>',
        'worker threads for several policies (each reads the workload itself)',
        intOption('--jobs', 1, 64),
        1,
      )
      .addOption(
        oneOf(
          new Option('--by <what>', 'also show the FP work of each vCPU or pCPU'),
          '--by',
          'breakdown',
          ['vcpu', 'cpu'],
        ),
      ),
  ).action(async (workload: string, o: RunOptions) => {
    const policies = o.policy.split(',').filter((p) => p !== '');
    if (policies.length === 0) throw new UsageError('--policy: give at least one policy');
    if (o.trace !== undefined && policies.length > 1)
      throw new UsageError('--trace takes one policy');
    if (o.perfetto !== undefined && policies.length > 1)
      throw new UsageError('--perfetto takes one policy');
    if (o.bound && (o.trace !== undefined || o.perfetto !== undefined))
      throw new UsageError('--bound: --trace and --perfetto follow one run');
    if (o.jobs > 1 && (o.trace !== undefined || o.perfetto !== undefined))
      throw new UsageError('--jobs: --trace and --perfetto run in one thread');
    const backends = await withBackends(o.backend, io.cwd ?? process.cwd());
    const trace: Sink | undefined = o.trace !== undefined ? fileSink(o.trace) : undefined;
    const timeline: Sink | undefined = o.perfetto !== undefined ? fileSink(o.perfetto) : undefined;
    const perfetto = timeline !== undefined ? new PerfettoWriter(timeline) : undefined;
    let reports: ReportV1[];
    try {
      const extra: Partial<RunRequest> = {};
      const progress = progressReporter(io);
      if (progress) (extra as { progress?: (n: number) => void }).progress = progress;
      if (trace) {
        (extra as { explain?: RunRequest['explain'] }).explain = (line, text, lines) => {
          trace.write(
            `${line > 0 ? `L${line} ` : ''}${text}\n${lines.length ? `${lines.join('\n')}\n` : ''}`,
          );
        };
      }
      if (perfetto)
        (extra as { timeline?: RunRequest['timeline'] }).timeline = (st, view) =>
          perfetto.step(st, view);
      // one pass over the workload for every policy (stdin is read once); or a pass per worker
      const configs = policies.map((policy) => ({
        policy,
        ...(o.arch !== undefined ? { arch: o.arch } : {}),
        ...(o.variant !== undefined ? { variant: o.variant } : {}),
      }));
      const runConfigs = async (all: readonly Configuration[]) =>
        o.jobs > 1
          ? await runInWorkers(backends, workload, all, o, o.jobs, io.cwd ?? process.cwd())
          : (await runConfigurations(backends, workload, all, o, extra)).map((r) => r.report);
      reports = o.bound ? await withBound(configs, runConfigs) : await runConfigs(configs);
      if (progress) io.stderr.write('\r\x1b[K');
      await trace?.commit();
      perfetto?.end();
      await timeline?.commit();
    } catch (e) {
      trace?.abort();
      timeline?.abort();
      throw e;
    }
    if (o.json) {
      const doc =
        reports.length === 1 ? reports[0] : { format: 'vfpu-comparison', version: 1, reports };
      io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
      io.stdout.write(renderSummary(reports, o.costs));
      if (o.by !== undefined) io.stdout.write(renderBreakdown(reports, o.by));
    }
    if (reports.some((r) => r.check.violations > 0)) ctx.exitCode = 1;
  });
}
