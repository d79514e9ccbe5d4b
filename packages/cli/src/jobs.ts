/**
 * `--jobs N`: the configurations of one workload spread over N threads, this one and N-1 workers
 * (piscina), each running its share in one pass of its own over the workload (a file is read by
 * every thread; stdin is first spooled to a temporary file). Reports come back in the configurations' order,
 * identical to a run in one thread.
 */
import type { BackendV2, ReportV1 } from '@vfpu/core';
import { UsageError } from './context.js';
import { type JobResult, type JobTask, reportsOrRefusal } from './jobs-worker.js';
import type { CommonOptions } from './options.js';
import { type Configuration, runConfigurations } from './run-one.js';
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

/**
 * The reports of `configs` spread over `jobs` threads: the first share runs in this thread (its
 * backends are loaded already, and it would otherwise wait idle), the others in a worker each,
 * started first so that they load while this thread runs.
 */
export async function runInWorkers(
  backends: readonly BackendV2[],
  workload: string,
  configs: readonly Configuration[],
  options: CommonOptions,
  jobs: number,
  cwd: string,
): Promise<ReportV1[]> {
  const spool = workload === '-' ? await spoolStdin() : undefined;
  const path = spool?.path ?? workload;
  const [mine = [], ...theirs] = shares(configs, jobs);
  // loaded here, not at startup: piscina alone costs every other command a third of a second
  const pool =
    theirs.length === 0
      ? undefined
      : new (await import('piscina')).Piscina({
          filename: new URL('./jobs-worker.js', import.meta.url).href,
          maxThreads: theirs.length,
          minThreads: theirs.length,
        });
  try {
    const done = theirs.map(
      (part) =>
        pool?.run({
          workload: path,
          configs: part,
          options,
          cwd,
        } satisfies JobTask) as Promise<JobResult>,
    );
    // a rejected worker is awaited below; until then it must not count as unhandled
    for (const d of done) d.catch(() => {});
    const here = await reportsOrRefusal(() => runConfigurations(backends, path, mine, options, {}));
    const out: ReportV1[] = [];
    for (const r of [here, ...(await Promise.all(done))]) {
      if ('refused' in r)
        throw new UsageError(spool ? r.refused.replaceAll(spool.path, '<stdin>') : r.refused);
      out.push(...r.reports.map((rep) => (spool ? asStdin(rep, spool.path) : rep)));
    }
    return out;
  } finally {
    await pool?.destroy();
    spool?.remove();
  }
}
