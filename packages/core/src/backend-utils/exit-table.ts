/**
 * A backend's non-FP exits as a table built once per machine: a row per exit reason with its
 * trace text, the counters it bumps and where it resumes, so that an exit on the hot path only
 * counts and returns.
 */
import type { Resume } from '../contract/machine.js';
import type { CounterId, MachineHost } from '../contract/machine-host.js';
import type { ExitReason } from '../contract/registers.js';

/** Non-FP exit reasons every variant accepts, in the order of their ids (then a variant's own). */
export const EXIT_REASONS: readonly ExitReason[] = [
  'mmio',
  'irq',
  'hlt',
  'hypercall',
  'signal',
  'other',
];

/** The common reasons whose handler returns KVM_RUN to userspace on every backend (ExitReasonSpec.toUserspace). */
export const EXITS_TO_USERSPACE: readonly ExitReason[] = ['mmio', 'signal'];

/** One exit reason's handling: what the trace says, which counters it bumps, where it resumes. */
export interface ExitRow {
  /** The explanation line `vfpu explain` prints for the exit (the kernel's handler and what it does). */
  readonly text: string;
  /** The counters (`host.counter`) bumped once each. */
  readonly counters: readonly CounterId[];
  /** The handler's return: RESUME_GUEST or RESUME_HOST. */
  readonly resume: Resume;
}

/**
 * The table indexed by exit-reason id: `rows` by reason name (the common ones and the variant's
 * own), placed at the ids core gave (`ids.exitReasons`). A reason without a row takes `other`'s.
 */
export function exitTable<Row extends ExitRow>(
  ids: Readonly<Record<string, number>>,
  rows: Readonly<Record<ExitReason, Row>> & Readonly<Record<string, Row>>,
): readonly Row[] {
  const table: Row[] = [];
  for (const [name, id] of Object.entries(ids)) table[id] = rows[name] ?? rows.other;
  return table;
}

/** The exit handler for reason id `reason`: trace, counters, resume. */
export function takeExit(host: MachineHost, table: readonly ExitRow[], reason: number): Resume {
  const row = table[reason] as ExitRow;
  if (host.trace.on) host.trace.line(0, row.text);
  const c = row.counters;
  for (let i = 0; i < c.length; i++) host.count(c[i] as CounterId);
  return row.resume;
}
