/** The JSON report as the CLI tests read it. */

export interface Report {
  format: string;
  version: number;
  policy: string;
  workload: { name: string; events: number; seed: number };
  traps: Record<string, number>;
  exits: Record<string, number>;
  ops: Record<string, { calls: number; bytes: number }>;
  bytes: { saved: number; restored: number };
  cycles: { total: number; fp: number };
  check: {
    reads: number;
    violations: number;
    first: null | { line: number; op: string; context: string; unit: string; register: number };
  };
  config: {
    seed: number;
    policy: { name: string; runs: string };
    input: { source: string; sha256: string };
  };
}

export function report(out: string): Report {
  return JSON.parse(out) as Report;
}

/** The report without `config.input` (what legitimately differs between file, .gz and stdin). */
export function withoutInput(r: Report): unknown {
  const copy = structuredClone(r) as unknown as { config: Record<string, unknown> };
  delete copy.config.input;
  return copy;
}
