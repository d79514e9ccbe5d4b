/**
 * A small sweep in the NDJSON shape `vfpu report` reads (src/html/sweep-rows.ts): policy kvm and
 * eager × param.work 500, 1000, 2000 on mips-vz, seeds 1..3: a run row per (point, seed), then a
 * summary row per point (mean, and F_ci95 the half-width of the 95 % interval, Student t with
 * 2 degrees of freedom). The figures are made up but plausible: overhead falls as work grows.
 */
const T_975_DF2 = 4.302652729911275;
const POLICIES = ['kvm', 'eager'] as const;
const WORK = [500, 1000, 2000] as const;
const SEEDS = [1, 2, 3] as const;

function figures(policy: string, work: number, seed: number): Record<string, number> {
  const traps = policy === 'kvm' ? 120 + 7 * seed : 2 + seed;
  const bytes = (policy === 'kvm' ? 190_000 : 310_000) + 1000 * seed;
  const fp = traps * 1500 + bytes / 8;
  const total = fp + 2000 * work + 10_000 * seed;
  return {
    fp_traps_to_hypervisor: traps,
    saves: 100 + seed,
    restores: 500 + 3 * seed,
    bytes_moved: bytes,
    fp_cycles: Math.round(fp),
    fp_overhead_percent: Math.round((10000 * fp) / total) / 100,
    lazyfp_exposure_events: policy === 'kvm' ? 40 + seed : 0,
    lazyfp_guest_exposure_events: 0,
    violations: 0,
  };
}

function interval(xs: readonly number[]): { mean: number; half: number | null } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (xs.length < 2) return { mean, half: null };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, half: (T_975_DF2 * Math.sqrt(variance)) / Math.sqrt(xs.length) };
}

export const SAMPLE_SWEEP_POINTS = POLICIES.length * WORK.length;
export const SAMPLE_SWEEP_RUNS = SAMPLE_SWEEP_POINTS * SEEDS.length;

/** The sample sweep's NDJSON text. */
export function sampleSweep(): string {
  const runs: Record<string, unknown>[] = [];
  const summaries: Record<string, unknown>[] = [];
  let point = 0;
  for (const policy of POLICIES)
    for (const work of WORK) {
      const keys = {
        workload: 'preset:desktop',
        arch: 'mips-vz',
        variant: 'loongson-3a4000',
        policy,
        events: 2000,
        'param.work': work,
      };
      const rows = SEEDS.map((seed) => figures(policy, work, seed));
      for (const [i, seed] of SEEDS.entries())
        runs.push({ kind: 'run', run: runs.length, point, ...keys, seed, ...rows[i] });
      const summary: Record<string, unknown> = { kind: 'summary', point, ...keys, n: SEEDS.length };
      for (const f of Object.keys(rows[0] as object)) {
        const { mean, half } = interval(rows.map((r) => r[f] as number));
        summary[f] = mean;
        summary[`${f}_ci95`] = half;
      }
      summaries.push(summary);
      point++;
    }
  return [...runs, ...summaries].map((r) => `${JSON.stringify(r)}\n`).join('');
}

/** The charts of a page from reports and one sweep, in page order. */
export const CHARTS_OF_REPORTS_AND_A_SWEEP: readonly string[] = [
  'overhead',
  'traps',
  'bytes',
  'bound',
  'exposure',
  'sweep-1-1',
  'sweep-1-2',
  'sweep-1-3',
  'sweep-1-4',
];
