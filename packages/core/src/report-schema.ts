/**
 * The JSON Schema (draft 2020-12) of report v1 (`vfpu run --json`), written from the ReportV1 type
 * in report.ts; the CLI's tests validate real reports of every backend against it.
 */
import { COST_KEYS } from './costs.js';

const count = { type: 'integer', minimum: 0 };
const counts = { type: 'object', additionalProperties: count };
const closed = (properties: Record<string, unknown>, optional: readonly string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
  properties,
});
const fpWork = closed({ traps: count, saves: count, restores: count, bytes: count });
const exitWork = closed({
  exits: count,
  traps: count,
  saves: count,
  restores: count,
  bytes: count,
});
const cost = closed({ value: { type: 'number', minimum: 0 }, source: { type: 'string' } });

/** The JSON Schema (draft 2020-12) of report v1 (`vfpu schema report`). */
export function reportSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://vfpu.dev/schema/report-v1.json',
    title: 'vfpu report v1 (vfpu run --json)',
    ...closed(
      {
        format: { const: 'vfpu-report' },
        version: { const: 1 },
        arch: { type: 'string' },
        variant: { type: 'string' },
        policy: { type: 'string' },
        workload: closed(
          {
            name: { type: 'string' },
            events: count,
            seed: count,
            not_run: count,
            assumptions: { type: 'array', items: { type: 'string' } },
            source: { type: 'object' },
          },
          ['not_run', 'assumptions', 'source'],
        ),
        traps: { ...counts, description: 'per trap kind; host: and guest: prefixes say where' },
        exits: { ...counts, description: "the kernel's exit counters" },
        per_exit_reason: {
          type: 'object',
          additionalProperties: exitWork,
          description:
            'FP work charged to each exit name (label, else reason) and to (first entry), (preemption), (host), (uapi)',
        },
        per_vcpu: { type: 'array', items: fpWork },
        per_cpu: { type: 'array', items: fpWork },
        per_none: closed({ vcpu: fpWork, cpu: fpWork }),
        ops: { type: 'object', additionalProperties: closed({ calls: count, bytes: count }) },
        bytes: closed({ saved: count, restored: count }),
        cycles: closed({
          total: count,
          work: count,
          fp: count,
          breakdown: closed({
            trap: count,
            exit: count,
            save: count,
            restore: count,
            control: count,
          }),
        }),
        bound: {
          ...closed({
            fp: count,
            by: { type: 'string' },
            ratio: { oneOf: [{ type: 'null' }, { type: 'number', minimum: 0 }] },
          }),
          description:
            "the clairvoyant bound on the same workload: clairvoyant's FP cycles (absent where an oops cut its run short), the policy whose run it is, and this report's FP cycles over it (null: the bound is 0)",
        },
        check: closed({
          reads: count,
          violations: count,
          first: {
            oneOf: [
              { type: 'null' },
              closed({
                line: count,
                event: count,
                op: { type: 'string' },
                context: { type: 'string' },
                unit: { type: 'string' },
                register: { type: 'integer' },
                byte: count,
                expected: count,
                actual: count,
              }),
            ],
          },
          unenabled_restores: count,
        }),
        exposure: closed({
          events: count,
          bytes: count,
          guest: closed({ events: count, bytes: count }),
        }),
        outcomes: counts,
        warnings: { type: 'array', items: { type: 'string' } },
        config: closed({
          versions: { type: 'object', additionalProperties: { type: 'string' } },
          backend: { type: 'string' },
          variant: { type: 'string' },
          kernel: { type: 'string' },
          policy: closed({
            name: { type: 'string' },
            runs: { type: 'string' },
            params: { type: 'object', additionalProperties: { type: 'number' } },
          }),
          options: { type: 'object' },
          costs: closed(Object.fromEntries(COST_KEYS.map((k) => [k, cost]))),
          seed: count,
          input: closed({ source: { type: 'string' }, sha256: { type: 'string' } }),
          topology: closed({
            cpus: count,
            vcpus: count,
            threads: { type: 'array', items: { type: 'string' } },
          }),
        }),
      },
      ['bound'],
    ),
  };
}
