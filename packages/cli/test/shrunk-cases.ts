/** Workloads as `node scripts/bound-gaps.mjs` shrank them, for the clairvoyant tests. */

/** One shrunk workload: its class and figures, and its NDJSON lines. */
export interface ShrunkCase {
  readonly name: string;
  readonly lines: readonly string[];
}

/** One shrunk case on each of `variants` (its header's variant replaced; `{variant}` in its name). */
export function onVariants(
  variants: readonly string[],
  name: string,
  lines: readonly string[],
): ShrunkCase[] {
  return variants.map((v) => ({
    name: name.replace('{variant}', v),
    lines: lines.map((l, i) => (i === 0 ? l.replace(/"variant":"[^"]*"/, `"variant":"${v}"`) : l)),
  }));
}
