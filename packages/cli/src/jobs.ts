/**
 * `--jobs N`: the configurations of one workload spread over N worker threads (piscina), each
 * running its share in one pass of its own over the workload (a file is read by every worker;
 * stdin is first spooled to a temporary file). Reports come back in the configurations' order,
 * identical to a run in one thread.
 */
import type { ReportV1 } from '@vfpu/core';
import { UsageError } from './context.js';
import type { JobResult, JobTask } from './jobs-worker.js';
import type { CommonOptions } from './options.js';
import type { Configuration } from './run-one.js';
import { spoolStdin } from './spool.js';

/** Contiguous shares, sizes within one of each other. */
export function shares<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  const k = Math.min(n, items.length);
  for (let i = 0; i < k; i++)
    out.push(
      items.slice(Math.floor((i * items.length) / k), Math.floor(((i + 1) * items.length) / k)),
    );
  return out;
}

/** A report of the spooled stdin, named as a one-thread run of stdin names it. */
function asStdin(r: ReportV1, path: string): ReportV1 {
  return {
    ...r,
    workload: { ...r.workload, ...(r.workload.name === path ? { name: 'stdin' } : {}) },
    config: { ...r.config, input: { ...r.config.input, source: '-' } },
  };
}

export async function runInWorkers(
  workload: string,
  configs: readonly Configuration[],
  options: CommonOptions,
  jobs: number,
  cwd: string,
): Promise<ReportV1[]> {
  const spool = workload === '-' ? await spoolStdin() : undefined;
  // loaded here, not at startup: piscina alone costs every other command a third of a second
  const { Piscina } = await import('piscina');
  const pool = new Piscina({
    filename: new URL('./jobs-worker.js', import.meta.url).href,
    maxThreads: jobs,
    minThreads: jobs,
  });
  try {
    const parts = shares(configs, jobs);
    const done = await Promise.all(
      parts.map((part) => {
        const task: JobTask = { workload: spool?.path ?? workload, configs: part, options, cwd };
        return pool.run(task) as Promise<JobResult>;
      }),
    );
    const out: ReportV1[] = [];
    for (const r of done) {
      if ('refused' in r)
        throw new UsageError(spool ? r.refused.replaceAll(spool.path, '<stdin>') : r.refused);
      out.push(...r.reports.map((rep) => (spool ? asStdin(rep, spool.path) : rep)));
    }
    return out;
  } finally {
    await pool.destroy();
    spool?.remove();
  }
}
