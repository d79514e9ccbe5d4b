/**
 * A worker of `--jobs N` (piscina): runs its share of the configurations of one workload in one
 * pass and hands back the reports (plain data).
 */
import { InputError, type ReportV1 } from '@vfpu/core';
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

export default async function run(task: JobTask): Promise<JobResult> {
  try {
    const backends = await withBackends(task.options.backend, task.cwd);
    const results = await runConfigurations(
      backends,
      task.workload,
      task.configs,
      task.options,
      {},
    );
    return { reports: results.map((r) => r.report) };
  } catch (e) {
    if (InputError.isInstance(e) || e instanceof UsageError)
      return { refused: (e as Error).message };
    throw e;
  }
}
