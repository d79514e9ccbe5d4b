/**
 * A backend's non-FP exits as a table built once per machine: a row per exit reason with its
 * trace text, the counters it bumps and where it resumes, so that an exit on the hot path only
 * counts and returns.
 */
import {
  type CounterId,
  EXIT_REASONS,
  type ExitReason,
  type MachineHost,
  type Resume,
} from './backend.js';

export interface ExitRow {
  readonly text: string;
  readonly counters: readonly CounterId[];
  readonly resume: Resume;
}

/** The rows of the common reasons in EXIT_REASONS order, then a variant's own reasons. */
export function exitTable(
  common: Readonly<Record<ExitReason, ExitRow>>,
  extra: readonly ExitRow[] = [],
): readonly ExitRow[] {
  return [...EXIT_REASONS.map((r) => common[r]), ...extra];
}

const R_OTHER = EXIT_REASONS.indexOf('other');

/** The exit handler for `reason` (any reason without a row is `other`): trace, counters, resume. */
export function takeExit(host: MachineHost, table: readonly ExitRow[], reason: number): Resume {
  const row = (table[reason] ?? table[R_OTHER]) as ExitRow;
  if (host.trace.on) host.trace.line(0, row.text);
  const c = row.counters;
  for (let i = 0; i < c.length; i++) host.count(c[i] as CounterId);
  return row.resume;
}
