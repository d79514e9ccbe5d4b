/**
 * Workload format v1: the single description both the validator and the JSON Schema are
 * generated from.
 */
import { EXIT_REASONS } from '../backend-utils/exit-table.js';
import { UNIT_CLASSES } from '../units.js';
import { ACCESSES, type OpName } from './event.js';

export type FieldName =
  | 'vcpu'
  | 'cpu'
  | 'unit'
  | 'access'
  | 'reg'
  | 'id'
  | 'value'
  | 'set'
  | 'clear'
  | 'reason'
  | 'thread'
  | 'cycles'
  | 'condition'
  | 'preempt'
  | 'name'
  | 'ts'
  | 'label';

export interface OpFormat {
  readonly meaning: string;
  readonly required: readonly FieldName[];
  readonly optional: readonly FieldName[];
}

/** Every workload event by its `op`: what it means and its required and optional fields. */
export const OP_FORMATS: Readonly<Record<OpName, OpFormat>> = {
  load: {
    meaning: 'vcpu_load on a pCPU (KVM_RUN begins, or the vCPU thread is scheduled in)',
    required: ['vcpu', 'cpu'],
    optional: [],
  },
  enter: { meaning: 'VM entry (the vCPU must be loaded)', required: ['vcpu'], optional: [] },
  use: {
    meaning: 'the guest executes an instruction touching `unit`',
    required: ['vcpu', 'unit'],
    optional: ['access', 'reg', 'condition', 'preempt'],
  },
  'guest-write': {
    meaning: 'the guest writes a control register (`value`, or `set`/`clear` bit names)',
    required: ['vcpu', 'reg'],
    optional: ['value', 'set', 'clear'],
  },
  exit: {
    meaning: 'a VM exit unrelated to FP; the guest is re-entered by a later `enter`',
    required: ['vcpu'],
    optional: ['reason', 'label'],
  },
  put: {
    meaning: 'vcpu_put (preemption or return to userspace)',
    required: ['vcpu'],
    optional: [],
  },
  'host-use': {
    meaning: 'a host thread running on the pCPU touches FP/SIMD',
    required: ['cpu', 'unit'],
    optional: ['thread', 'access', 'reg'],
  },
  switch: {
    meaning: 'the host scheduler runs `thread` on the pCPU',
    required: ['cpu', 'thread'],
    optional: [],
  },
  'kernel-fpu': {
    meaning: 'host kernel-mode FP/SIMD use (kernel_fpu_begin / kernel_neon_begin)',
    required: ['cpu'],
    optional: [],
  },
  'user-get': {
    meaning:
      'userspace reads vCPU FP state through the uapi (ONE_REG, KVM_GET_XSAVE2, …): a unit, or one register `id`',
    required: ['vcpu'],
    optional: ['unit', 'reg', 'id'],
  },
  'user-set': {
    meaning:
      'userspace writes vCPU FP state through the uapi (fresh seeded values): a unit, or one register `id`',
    required: ['vcpu'],
    optional: ['unit', 'reg', 'id'],
  },
  work: {
    meaning: 'useful work, for overhead percentages',
    required: ['cycles'],
    optional: ['vcpu', 'cpu'],
  },
  run: { meaning: 'shorthand: load if needed, then enter', required: ['vcpu'], optional: ['cpu'] },
  'sched-out': {
    meaning: 'shorthand: exit if in guest, then put',
    required: ['vcpu'],
    optional: [],
  },
  syscall: {
    meaning:
      'the VMM makes a system call the variant models by `name` (an ioctl such as KVM_SET_CPUID2, or arch_prctl), with its `value` argument; the result is counted under outcomes',
    required: ['name'],
    optional: ['vcpu', 'value'],
  },
};

const u32 = { type: 'integer', minimum: 0, maximum: 0xffffffff };

/** JSON Schema of each field (the validator applies the same rules, plus workload-specific bounds). */
export const FIELD_SCHEMAS: Readonly<Record<FieldName, Record<string, unknown>>> = {
  vcpu: { type: 'integer', minimum: 0, description: 'vCPU index, below the header `vcpus`' },
  cpu: { type: 'integer', minimum: 0, description: 'pCPU index, below the header `cpus`' },
  unit: {
    type: 'string',
    description: `a backend unit id, or a neutral class: ${UNIT_CLASSES.join(', ')}`,
  },
  access: { enum: [...ACCESSES], default: 'rw' },
  reg: {
    oneOf: [
      {
        type: 'integer',
        minimum: 0,
        description: 'register number (use, host-use, user-get, user-set)',
      },
      { type: 'string', description: 'control register name (guest-write)' },
    ],
  },
  id: {
    type: 'string',
    description:
      'a register id of the variant\'s uapi (user-get, user-set), e.g. MIPS "FPR_32(3)", "FCR_CSR", "0x7020000000030003" or "KVM_GET_REG_LIST"; instead of `unit`',
  },
  value: {
    oneOf: [u32, { type: 'string', pattern: '^0[xX][0-9a-fA-F]{1,8}$' }],
    description: 'new register value (guest-write), or the argument of a syscall',
  },
  set: { type: 'array', items: { type: 'string' }, description: 'bit names to set' },
  clear: { type: 'array', items: { type: 'string' }, description: 'bit names to clear' },
  reason: {
    type: 'string',
    default: 'other',
    description: `${EXIT_REASONS.join(', ')}, or a reason the variant adds (see \`vfpu list\`)`,
  },
  thread: {
    type: 'string',
    description:
      "a host thread: `vmm<N>` (vCPU N's VMM thread) or a name from the header `threads`",
  },
  cycles: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  name: {
    type: 'string',
    description:
      'a system call the variant models (syscall), e.g. x86 "KVM_SET_CPUID2" (see `vfpu list`)',
  },
  label: {
    type: 'string',
    pattern: '^[A-Za-z0-9_][A-Za-z0-9_ ./&()#:+-]{0,63}$',
    description:
      "the kernel's own name for the exit (e.g. x86 `IO_INSTRUCTION`, as a trace records it): the report counts exits, and the FP work that follows them, per label; `reason` still decides what the kernel does",
  },
  ts: {
    type: 'number',
    minimum: 0,
    description:
      'when the event happened, in seconds (as a trace recorded it: `vfpu import` keeps the timestamp); carried through, never used by the simulation',
  },
  preempt: {
    enum: ['after-trap'],
    description:
      'if the instruction traps to the hypervisor, the vCPU thread is preempted after the handler and before the re-entry (kvm_sched_out → kvm_arch_vcpu_put, kvm_sched_in → kvm_arch_vcpu_load on the same pCPU): where a kernel owns the unit decides what that costs (LoongArch Gen-1 vs the delayed load)',
  },
  condition: {
    enum: ['passes', 'fails'],
    default: 'passes',
    description:
      'the condition code of a conditional instruction (ARM): `fails` traps as any instruction would but does not execute',
  },
};

/** Optional on every op. */
export const COMMON_OPTIONAL: readonly FieldName[] = ['ts'];

export const HEADER_KEYS = [
  'format',
  'version',
  'name',
  'arch',
  'variant',
  'cpus',
  'vcpus',
  'threads',
  'config',
  'source',
  'assumptions',
] as const;

/**
 * `lineChars`: the longest line accepted, in characters after UTF-8 decoding (1 MiB: a header
 * with 4096 threads and a large config fits many times over; an event line is under 200).
 * `depth`: the deepest nesting of arrays and objects in the header (a config option nests 3).
 */
export const LIMITS = {
  /** Most pCPUs a header may declare. */
  cpus: 1024,
  /** Most vCPUs a header may declare. */
  vcpus: 4096,
  /** Most host threads a header may name. */
  threads: 4096,
  /** Most `assumptions` a header may carry. */
  assumptions: 64,
  /** Longest line accepted, in characters (see above). */
  lineChars: 1 << 20,
  /** Deepest nesting of arrays and objects in the header (see above). */
  depth: 64,
} as const;

/** JSON Schema (draft 2020-12) of one line of a workload: the header or an event. */
export function workloadSchema(): Record<string, unknown> {
  const header = {
    title: 'header (line 1)',
    type: 'object',
    additionalProperties: false,
    required: ['format', 'version', 'cpus', 'vcpus'],
    properties: {
      format: { const: 'vfpu-workload' },
      version: { const: 1 },
      name: { type: 'string' },
      arch: {
        type: 'string',
        description: 'backend id; omit for an architecture-neutral workload',
      },
      variant: { type: 'string' },
      cpus: { type: 'integer', minimum: 1, maximum: LIMITS.cpus },
      vcpus: { type: 'integer', minimum: 1, maximum: LIMITS.vcpus },
      threads: {
        type: 'array',
        items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$' },
        maxItems: LIMITS.threads,
      },
      config: { type: 'object', description: 'backend options (see `vfpu list`)' },
      source: {
        type: 'object',
        description:
          'where the workload came from (`vfpu import`: the trace file, its format, what was skipped); carried into the report',
      },
      assumptions: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        maxItems: LIMITS.assumptions,
        description:
          'what the workload assumes that its source could not show (e.g. `vfpu import --guest-fp`), one sentence each; printed in every report',
      },
    },
  };
  const events = Object.entries(OP_FORMATS).map(([op, f]) => {
    const properties: Record<string, unknown> = { op: { const: op } };
    for (const name of [...f.required, ...f.optional, ...COMMON_OPTIONAL])
      properties[name] = FIELD_SCHEMAS[name];
    return {
      title: op,
      description: f.meaning,
      type: 'object',
      additionalProperties: false,
      required: ['op', ...f.required],
      properties,
    };
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://vfpu.dev/schema/workload-v1.json',
    title: 'vfpu workload v1 (NDJSON: line 1 is the header, every other line one event)',
    $comment: `UTF-8; LF or CRLF line ends; at most ${LIMITS.lineChars} characters a line; the header nests at most ${LIMITS.depth} deep`,
    oneOf: [header, ...events],
  };
}
