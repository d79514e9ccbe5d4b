/**
 * The non-FP exits as handle_exit sees them (arch/arm/kvm/handle_exit.c, arch/arm64/kvm/
 * handle_exit.c): rows of core's exit table whose text starts with the syndrome.
 */
import type { CounterId, Resume } from '@vfpu/core';
import type { ExitRow } from '@vfpu/core/backend-utils';
import { describeSyndrome, syndrome } from './regs.js';

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
