/**
 * The non-FP exits as handle_exit sees them (arch/arm/kvm/handle_exit.c, arch/arm64/kvm/
 * handle_exit.c): a row per exit reason, built once per machine, so that an exit only counts and
 * returns (its trace text, with the syndrome, is made at construction, not on the hot path).
 */
import {
  type CounterId,
  EXIT_REASONS,
  type ExitReason,
  type MachineHost,
  type Resume,
} from '@vfpu/core';
import { describeSyndrome, syndrome } from './regs.js';

export interface ExitRow {
  readonly text: string;
  readonly counters: readonly CounterId[];
  readonly resume: Resume;
}

/** A row; with an exception class `ec`, the text starts with the syndrome as the hardware reports it. */
export function exitRow(
  register: 'HSR' | 'ESR_EL2',
  ec: number | null,
  iss: number,
  what: string,
  counters: readonly CounterId[],
  resume: Resume,
): ExitRow {
  const text =
    ec === null ? what : `${describeSyndrome(register, syndrome(ec, true, iss))}: ${what}`;
  return { text, counters, resume };
}

/** The rows of the common reasons in EXIT_REASONS order, then a variant's own reasons. */
export function exitTable(
  common: Readonly<Record<ExitReason, ExitRow>>,
  extra: readonly ExitRow[] = [],
): readonly ExitRow[] {
  return [...EXIT_REASONS.map((r) => common[r]), ...extra];
}

const R_OTHER = EXIT_REASONS.indexOf('other');

/** handle_exit for `reason` (any reason without a row is `other`): trace, counters, resume. */
export function takeExit(host: MachineHost, table: readonly ExitRow[], reason: number): Resume {
  const row = (table[reason] ?? table[R_OTHER]) as ExitRow;
  if (host.trace.on) host.trace.line(0, row.text);
  const c = row.counters;
  for (let i = 0; i < c.length; i++) host.count(c[i] as CounterId);
  return row.resume;
}
