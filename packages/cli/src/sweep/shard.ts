/**
 * Which runs of a sweep this process takes, and in which passes it runs them.
 *
 * A pass is one workload (the grid's `events` and `param.*` values, one seed), generated once and
 * fed to every (arch, policy) of the grid. Execution order is pass-major: workload point, seed,
 * then arch and policy. Shard I of N takes the I-th of N contiguous blocks of that order, of
 * ⌊(I+1)·R/N⌋ − ⌊I·R/N⌋ runs each (R runs in all): shares differ by one run at most, and a shard
 * splits at most two passes with its neighbours.
 */
import { UsageError } from '../context.js';
import type { Grid } from './grid.js';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export interface ShardOptions {
  readonly shardIndex?: number;
  readonly shardCount?: number;
}

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${name}: expected an integer, got "${v}"`);
  return Number(v);
}

/**
 * The shard from the options, else from a Slurm array task (SLURM_ARRAY_TASK_ID, with
 * SLURM_ARRAY_TASK_COUNT or SLURM_ARRAY_TASK_MIN/MAX/STEP), else a Kubernetes Indexed Job
 * (JOB_COMPLETION_INDEX, with --shard-count); undefined: the whole sweep.
 */
export function resolveShard(o: ShardOptions, env: NodeJS.ProcessEnv): Shard | undefined {
  let index = o.shardIndex;
  let count = o.shardCount;
  let from = '--shard-index';
  const task = envInt(env, 'SLURM_ARRAY_TASK_ID');
  if (task !== undefined) {
    const min = envInt(env, 'SLURM_ARRAY_TASK_MIN') ?? 0;
    const step = envInt(env, 'SLURM_ARRAY_TASK_STEP') ?? 1;
    const max = envInt(env, 'SLURM_ARRAY_TASK_MAX');
    index ??= Math.floor((task - min) / Math.max(step, 1));
    count ??=
      envInt(env, 'SLURM_ARRAY_TASK_COUNT') ??
      (max !== undefined ? Math.floor((max - min) / Math.max(step, 1)) + 1 : undefined);
    if (o.shardIndex === undefined) from = 'SLURM_ARRAY_TASK_ID';
  } else {
    const job = envInt(env, 'JOB_COMPLETION_INDEX');
    if (job !== undefined && index === undefined) {
      index = job;
      from = 'JOB_COMPLETION_INDEX';
    }
  }
  if (index === undefined && count === undefined) return undefined;
  if (count === undefined)
    throw new UsageError(`${from} ${index}: the number of shards is unknown: give --shard-count`);
  if (index === undefined) throw new UsageError(`--shard-count ${count}: give --shard-index too`);
  if (count < 1) throw new UsageError(`--shard-count: expected at least 1, got ${count}`);
  if (index >= count)
    throw new UsageError(`${from} ${index}: outside 0..${count - 1} (${count} shards)`);
  return { index, count };
}

export interface PlannedRun {
  /** Index in the sweep's output order (point-major, then seed). */
  readonly run: number;
  readonly point: number;
  /** Index of (arch, policy) within the pass. */
  readonly config: number;
}

export interface Pass {
  /** Index of the workload point: the grid's dimensions before arch and policy. */
  readonly workload: number;
  readonly seed: number;
  readonly runs: readonly PlannedRun[];
}

/** The passes that hold the runs of `shard` (every run without one), in execution order. */
export function planPasses(grid: Grid, configsPerPass: number, shard: Shard | undefined): Pass[] {
  const total = grid.runs;
  const first = shard ? Math.floor((shard.index * total) / shard.count) : 0;
  const end = shard ? Math.floor(((shard.index + 1) * total) / shard.count) : total;
  const seeds = grid.seeds.length;
  const passes: Pass[] = [];
  let current: { workload: number; seed: number; runs: PlannedRun[] } | undefined;
  for (let e = first; e < end; e++) {
    const config = e % configsPerPass;
    const pass = Math.floor(e / configsPerPass);
    const s = pass % seeds;
    const workload = Math.floor(pass / seeds);
    const point = workload * configsPerPass + config;
    const seed = grid.seeds[s] as number;
    if (current === undefined || current.workload !== workload || current.seed !== seed) {
      current = { workload, seed, runs: [] };
      passes.push(current);
    }
    current.runs.push({ run: point * seeds + s, point, config });
  }
  return passes;
}
