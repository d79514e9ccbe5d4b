/**
 * `vfpu merge SHARD… [-o OUT.ndjson] [--csv OUT.csv]`: joins the shards of one sweep into exactly
 * the bytes the unsharded sweep writes (rows in order, summaries recomputed). Shards of different
 * sweeps, a shard missing or given twice, or a truncated shard: exit 2, naming the file. A state
 * violation in any run: exit 1, as the sweep.
 */
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { mergeShards } from '../sweep/merge.js';
import { toCsv, toNdjson, withSummaries } from '../sweep/rows.js';
import { writeOutputs } from '../sweep/write.js';

interface MergeOptions {
  output?: string;
  csv?: string;
}

export function addMerge(program: Command, ctx: Context): void {
  program
    .command('merge')
    .description("join the shard outputs of one vfpu sweep into the unsharded sweep's output")
    .argument('<shard...>', 'shard files (vfpu sweep --shard-index …), in any order')
    .option('-o, --output <file>', 'NDJSON output (default, or -: stdout)')
    .option('--csv <file>', 'also write the rows as CSV')
    .action(async (paths: string[], o: MergeOptions) => {
      const all = withSummaries(mergeShards(paths));
      await writeOutputs(ctx.io, [
        [o.output, toNdjson(all)],
        ...(o.csv !== undefined ? [[o.csv, toCsv(all)] as const] : []),
      ]);
      // as the sweep itself: a state violation in any run is exit 1
      if (all.some((r) => r.kind === 'run' && (r.violations as number) > 0)) ctx.exitCode = 1;
    });
}
