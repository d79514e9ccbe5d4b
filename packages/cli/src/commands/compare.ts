/**
 * `vfpu compare WORKLOAD --arch a,b[:variant] --policy p,q`: one workload (read or generated once)
 * under every (architecture, variant, policy), in one pass; one table with a section every
 * architecture shares and each one's kernel names below it.
 */
import type { ReportV1, UnitClass } from '@vfpu/core';
import type { Command } from 'commander';
import { resolveArchVariant, withBackends } from '../backends.js';
import { withBound } from '../bound-runs.js';
import { comparisonCsv, normalize, renderComparison } from '../compare-table.js';
import { type Context, UsageError } from '../context.js';
import { runInWorkers } from '../jobs.js';
import { addBackend, addGeneration, type CommonOptions, intOption } from '../options.js';
import { type Configuration, runConfigurations } from '../run-one.js';

type CompareOptions = Omit<CommonOptions, 'arch' | 'variant'> & {
  arch: string;
  policy: string;
  json?: boolean;
  csv?: boolean;
  jobs: number;
};

function list(flag: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.length === 0 || items.some((s) => s === ''))
    throw new UsageError(`${flag}: expected a comma-separated list, got "${value}"`);
  return items;
}

export function addCompare(program: Command, ctx: Context): void {
  const { io } = ctx;
  addBackend(
    addGeneration(
      program
        .command('compare')
        .description(
          "one workload (file, -, .gz or preset:NAME; architecture-neutral: unit classes) on several architectures and policies in one pass: one table, a section every architecture shares, then each one's kernel names",
        )
        .argument('<workload>')
        .requiredOption(
          '--arch <list>',
          'architectures, comma-separated; arch:variant picks a variant',
        )
        .option('--policy <list>', 'policies, comma-separated', 'kvm')
        .option(
          '--costs <file>',
          'cost table (JSON) over the backend defaults (a sample: costs/sample.json in @vfpu/cli)',
        )
        .option('--json', 'print the comparison as JSON (vfpu-compare v1)')
        .option('--csv', 'print one CSV line per simulator')
        .option(
          '--jobs <n>',
          'worker threads (each reads the workload itself)',
          intOption('--jobs', 1, 64),
          1,
        ),
    ),
  ).action(async (workload: string, o: CompareOptions) => {
    if (o.json && o.csv) throw new UsageError('--json and --csv: choose one');
    const backends = await withBackends(o.backend, io.cwd ?? process.cwd());
    const archs = list('--arch', o.arch).map((a) => resolveArchVariant(backends, a, '--arch'));
    const policies = list('--policy', o.policy);
    const configs: Configuration[] = archs.flatMap((a) =>
      policies.map((policy) => ({ arch: a.arch, variant: a.variant, policy })),
    );
    // every comparison carries each simulator's ratio to the clairvoyant bound (bound-runs.ts)
    const reports: ReportV1[] = await withBound(configs, async (all) =>
      o.jobs > 1
        ? await runInWorkers(backends, workload, all, o, o.jobs, io.cwd ?? process.cwd())
        : (await runConfigurations(backends, workload, all, o, {})).map((r) => r.report),
    );
    if (o.json) {
      const doc = {
        format: 'vfpu-compare',
        version: 1,
        simulators: reports.map((r) => ({
          arch: r.arch,
          variant: r.variant,
          policy: r.policy,
          normalized: normalize(r),
          report: r,
        })),
      };
      io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else if (o.csv) io.stdout.write(comparisonCsv(reports));
    else {
      const maps = new Map<string, Readonly<Record<UnitClass, string>>>(
        archs.map((a) => [`${a.arch}/${a.variant}`, a.classMap]),
      );
      io.stdout.write(renderComparison(reports, maps, o.costs));
    }
    if (reports.some((r) => r.check.violations > 0)) ctx.exitCode = 1;
  });
}
