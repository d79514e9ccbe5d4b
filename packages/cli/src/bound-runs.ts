/**
 * The clairvoyant bound beside the configurations asked for (core's bound.ts): a `clairvoyant`
 * run for each (arch, variant) that lacks one is added to the same pass (or the same workers),
 * every report gets its `bound`, and only the configurations asked for are handed back.
 */
import { type ReportV1, withBounds, withCandidates } from '@vfpu/core';
import type { Configuration } from './run-one.js';

export async function withBound(
  configs: readonly Configuration[],
  run: (configs: readonly Configuration[]) => Promise<readonly ReportV1[]>,
): Promise<ReportV1[]> {
  const all = withCandidates(configs, (c, policy) => ({ ...c, policy }));
  return withBounds(await run(all)).slice(0, configs.length);
}
