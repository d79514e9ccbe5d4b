/**
 * `npm run fuzz` part 2: random VALID workloads beyond the presets (every op each variant
 * supports; @vfpu/testkit random-workload.ts), `runs` per variant × every policy, in process.
 * A violation, a refusal (exit 2 on a workload valid by its own lifecycle) or a crash fails the
 * run; the first failing workload is shrunk and printed as NDJSON.
 *
 * Alone: `npx tsx packages/cli/fuzz/valid.ts [runs] [seed]`.
 */
import { POLICY_NAMES } from '@vfpu/core';
import { checkValidWorkloads } from '@vfpu/testkit';
import { BACKENDS } from '../src/backends.js';

export async function runValid(o: {
  runs: number;
  seed: number;
}): Promise<{ lines: string[]; failed: boolean }> {
  const lines: string[] = [];
  let failed = false;
  const total = { workloads: 0, events: 0, violations: 0, refusals: 0, crashes: 0 };
  const start = Date.now();
  let n = 0;
  for (const backend of BACKENDS) {
    for (const variant of backend.variants) {
      const t = Date.now();
      n++;
      const r = checkValidWorkloads(backend, {
        variant: variant.id,
        runs: o.runs,
        seed: o.seed + n,
        determinismEvery: 97,
      });
      total.workloads += r.workloads;
      total.events += r.events;
      total.violations += r.violations;
      total.refusals += r.refusals;
      total.crashes += r.crashes;
      lines.push(
        `valid ${backend.id}/${variant.id}: ${r.workloads} workloads, ${r.events} events, ${POLICY_NAMES.length} policies, ${r.violations} violations, ${r.refusals} refusals, ${r.crashes} crashes, ${((Date.now() - t) / 1000).toFixed(1)} s`,
      );
      if (r.failure !== undefined) {
        failed = true;
        lines.push(...r.failure.problems.map((p) => `  ${p.split('\n', 1)[0]}`));
        lines.push('  minimal workload (NDJSON):', ...r.failure.ndjson.split('\n'));
      }
    }
  }
  lines.push(
    `valid total: ${total.workloads} workloads, ${total.events} events, ${total.violations} violations, ${total.refusals} refusals, ${total.crashes} crashes, ${((Date.now() - start) / 1000).toFixed(1)} s`,
  );
  return { lines, failed };
}

const self = process.argv[1];
if (self !== undefined && import.meta.url === new URL(`file://${self}`).href) {
  const runs = Number(process.argv[2] ?? 1000);
  const seed = Number(process.argv[3] ?? 1);
  runValid({ runs, seed }).then(({ lines, failed }) => {
    for (const l of lines) console.log(l);
    process.exitCode = failed ? 1 : 0;
  });
}
