/**
 * `vfpu sweep WORKLOAD [--grid FILE] [--set KEY=V1,V2,…]… [--seeds N] [-o OUT.ndjson] [--csv OUT]
 * [--shard-index I --shard-count N]`: every point of a grid under every seed, each workload
 * generated once per (preset parameters, seed) for all its (arch, variant, policy) simulators;
 * run rows, then a mean and 95 % interval per point (sweep/rows.ts). A shard (options, Slurm
 * array or Kubernetes Indexed Job) writes a header and its run rows only; `vfpu merge` joins them.
 */
import { CORE_VERSION } from '@vfpu/core';
import type { Command } from 'commander';
import { resolveArchVariant, withBackends } from '../backends.js';
import { withBound } from '../bound-runs.js';
import { type Context, UsageError } from '../context.js';
import { addBackend, intOption } from '../options.js';
import { type Configuration, runConfigurations } from '../run-one.js';
import {
  buildGrid,
  type GridSpec,
  parseSet,
  pointValues,
  readGridFile,
  type Value,
} from '../sweep/grid.js';
import { shardHeader, sweepId } from '../sweep/merge.js';
import { type Row, runRow, toCsv, toNdjson, withSummaries } from '../sweep/rows.js';
import { planPasses, resolveShard } from '../sweep/shard.js';
import { writeOutputs } from '../sweep/write.js';

interface SweepOptions {
  grid?: string;
  set?: [string, Value[]][];
  seeds?: number;
  events: number;
  costs?: string;
  backend?: string[];
  policyModule?: string[];
  output?: string;
  csv?: string;
  shardIndex?: number;
  shardCount?: number;
}

export function addSweep(program: Command, ctx: Context): void {
  const { io } = ctx;
  addBackend(
    program
      .command('sweep')
      .description(
        'run a workload over a grid (archs, policies, preset parameters, events, seeds): one row per (point, seed), then the mean and 95 % interval per point; NDJSON and CSV; shards for Slurm arrays and Kubernetes Indexed Jobs',
      )
      .argument('<workload>', 'preset:NAME or a workload file')
      .option('--grid <file>', 'JSON object: key → value or [values] (keys as for --set)')
      .option(
        '--set <key=v1,v2,…>',
        'grid key and its values (repeatable; overrides --grid): arch (arch[:variant]), policy, events, seed, vcpus, cpus, param.<name>',
        (v: string, prev: [string, Value[]][] | undefined) => [...(prev ?? []), parseSet(v)],
      )
      .option('--seeds <n>', 'seeds 1..N for every point', intOption('--seeds', 1, 100_000))
      .option(
        '--events <n>',
        'events per preset workload, unless "events" is a grid key',
        intOption('--events', 1, Number.MAX_SAFE_INTEGER),
        100_000,
      )
      .option(
        '--costs <file>',
        'cost table (JSON) over the backend defaults (a sample: costs/sample.json in @vfpu/cli)',
      )
      .option('-o, --output <file>', 'NDJSON output (default, or -: stdout)')
      .option('--csv <file>', 'also write the rows as CSV (not for a shard: merge writes it)')
      .option(
        '--shard-index <i>',
        'take shard I (default: SLURM_ARRAY_TASK_ID, or JOB_COMPLETION_INDEX)',
        intOption('--shard-index', 0, 1_000_000),
      )
      .option(
        '--shard-count <n>',
        'of N shards (default: SLURM_ARRAY_TASK_COUNT, or MAX − MIN + 1)',
        intOption('--shard-count', 1, 1_000_000),
      ),
  ).action(async (workload: string, o: SweepOptions) => {
    const spec: GridSpec = o.grid !== undefined ? readGridFile(o.grid) : {};
    for (const [k, values] of o.set ?? []) spec[k] = values;
    const isPreset = workload.startsWith('preset:');
    if (!isPreset && Object.keys(spec).some((k) => k === 'events' || k.startsWith('param.')))
      throw new UsageError('events and param.* grid keys apply to preset: workloads only');
    const grid = buildGrid(spec, o.seeds);
    const shard = resolveShard(o, process.env);
    if (shard !== undefined && o.csv !== undefined)
      throw new UsageError('--csv: a shard writes NDJSON only; give --csv to vfpu merge');
    const backends = await withBackends(o.backend, io.cwd ?? process.cwd());
    const archs = (spec.arch ?? [undefined]).map((a) => {
      if (a === undefined) return {};
      const { arch, variant } = resolveArchVariant(backends, String(a), 'arch');
      return { arch, variant };
    });
    const policies = (spec.policy ?? ['kvm']).map(String);
    const configs: Configuration[] = archs.flatMap((a) =>
      policies.map((policy) => ({ ...a, policy })),
    );

    const rows: Row[] = [];
    for (const pass of planPasses(grid, configs.length, shard)) {
      const values = pointValues(grid, pass.workload * configs.length);
      const param: Record<string, number> = {};
      const params: Record<string, number> = {};
      for (const [k, v] of Object.entries(values))
        if (k.startsWith('param.')) {
          param[k.slice('param.'.length)] = v as number;
          params[k] = v as number;
        }
      const events = (values.events as number | undefined) ?? o.events;
      const opts = { seed: pass.seed, events, param, policyModule: o.policyModule ?? [] };
      // each row carries its ratio to the clairvoyant bound, run in the same pass (bound-runs.ts)
      const results = await withBound(
        pass.runs.map((r) => configs[r.config] as Configuration),
        async (all) =>
          (
            await runConfigurations(
              backends,
              workload,
              all,
              o.costs !== undefined ? { ...opts, costs: o.costs } : opts,
              {},
            )
          ).map((x) => x.report),
      );
      pass.runs.forEach((r, i) => {
        const report = results[i] as (typeof results)[number];
        const policy = (configs[r.config] as Configuration).policy;
        rows.push(runRow(r.run, r.point, workload, policy, params, pass.seed, report));
        if (report.check.violations > 0) ctx.exitCode = 1;
      });
    }
    rows.sort((a, b) => (a.run as number) - (b.run as number));

    if (shard !== undefined) {
      const id = sweepId({
        vfpu: CORE_VERSION,
        workload,
        dims: grid.dims,
        seeds: grid.seeds,
        events: spec.events === undefined ? o.events : null,
        costs: o.costs ?? null,
        backends: o.backend ?? [],
      });
      const head = shardHeader({
        sweep: id,
        shard: shard.index,
        shards: shard.count,
        runs: grid.runs,
        rows: rows.length,
      });
      await writeOutputs(io, [[o.output, head + toNdjson(rows)]]);
      return;
    }
    const all = withSummaries(rows);
    await writeOutputs(io, [
      [o.output, toNdjson(all)],
      ...(o.csv !== undefined ? [[o.csv, toCsv(all)] as const] : []),
    ]);
  });
}
