/** Bad workloads (the fields vfpu import writes): `ts`, `label`, header `source` and `assumptions`. */
import { header, type WorkloadCase } from './bad-input-shared.js';

const RUN = { op: 'run', vcpu: 0, cpu: 0 };

export const CASES_3: readonly WorkloadCase[] = [
  {
    name: 'ts below zero',
    workload: [header(), { ...RUN, ts: -0.5 }],
    line: 2,
    field: 'ts',
    message: 'expected seconds (a number ≥ 0), got number -0.5',
  },
  {
    name: 'ts as a string',
    workload: [header(), { ...RUN, ts: '12.5' }],
    line: 2,
    field: 'ts',
    message: 'expected seconds (a number ≥ 0), got the string "12.5"',
  },
  {
    name: 'label on an op that has none',
    workload: [header(), { ...RUN, label: 'IO_INSTRUCTION' }],
    line: 2,
    field: 'label',
    message: 'unknown field for op "run" (allowed: vcpu, cpu, ts)',
  },
  {
    name: 'label with a newline',
    workload: [header(), RUN, { op: 'exit', vcpu: 0, reason: 'irq', label: 'A\nB' }],
    line: 3,
    field: 'label',
    message: "expected the kernel's name for the exit",
  },
  {
    name: 'label longer than 64 characters',
    workload: [header(), RUN, { op: 'exit', vcpu: 0, label: 'X'.repeat(65) }],
    line: 3,
    field: 'label',
    message: "expected the kernel's name for the exit",
  },
  {
    name: 'source that is not an object',
    workload: [header({ source: 'trace.txt' }), RUN],
    line: 1,
    field: 'source',
    message: 'expected an object, got the string "trace.txt"',
  },
  {
    name: 'assumptions that are not an array',
    workload: [header({ assumptions: 'none' }), RUN],
    line: 1,
    field: 'assumptions',
    message: 'expected an array of sentences, got the string "none"',
  },
  {
    name: 'an empty assumption',
    workload: [header({ assumptions: ['guest FP: none', ' '] }), RUN],
    line: 1,
    field: 'assumptions[1]',
    message: 'expected a sentence, got the string " "',
  },
];
