/**
 * A worker of `--jobs N` (piscina): runs its share of the configurations of one workload in one
 * pass and hands back the reports (plain data).
 */
import { InputError, type ReportV1, type RunResult } from '@vfpu/core';
import { withBackends } from './backends.js';
import { UsageError } from './context.js';
import type { CommonOptions } from './options.js';
import { type Configuration, runConfigurations } from './run-one.js';

export interface JobTask {
  readonly workload: string;
  readonly configs: readonly Configuration[];
  readonly options: CommonOptions;
  readonly cwd: string;
}

/** The reports, or the message of a bad input or usage (the main thread prints it, exit 2). */
export type JobResult = { readonly reports: ReportV1[] } | { readonly refused: string };

/** The reports of a share of the configurations, or the message of a bad input or usage. */
export async function reportsOrRefusal(run: () => Promise<RunResult[]>): Promise<JobResult> {
  try {
    return { reports: (await run()).map((r) => r.report) };
  } catch (e) {
    if (InputError.isInstance(e) || e instanceof UsageError)
      return { refused: (e as Error).message };
    throw e;
  }
}

export default function run(task: JobTask): Promise<JobResult> {
  return reportsOrRefusal(async () =>
    runConfigurations(
      await withBackends(task.options.backend, task.cwd),
      task.workload,
      task.configs,
      task.options,
      {},
    ),
  );
}
