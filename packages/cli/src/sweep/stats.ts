/**
 * Mean and 95 % confidence interval over seeds: x̄ ± t(0.975, n−1) · s / √n, with s the sample
 * standard deviation (n − 1 in the denominator) and t Student's quantile (jStat); n = 1 has no
 * interval.
 */
import { createRequire } from 'node:module';

/** jStat, loaded on first use (not at startup: every command would pay for it). */
let jStat: typeof import('jstat').default | undefined;
function tQuantile(p: number, dof: number): number {
  jStat ??= createRequire(import.meta.url)('jstat') as typeof import('jstat').default;
  return jStat.studentt.inv(p, dof);
}

export function mean(xs: readonly number[]): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

/** The half-width of the 95 % interval of the mean of `xs`, or null for fewer than 2 values. */
export function ci95(xs: readonly number[]): number | null {
  const n = xs.length;
  if (n < 2) return null;
  const m = mean(xs);
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  const s = Math.sqrt(ss / (n - 1));
  return (tQuantile(0.975, n - 1) * s) / Math.sqrt(n);
}
