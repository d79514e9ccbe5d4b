/** The human-readable comparison of one or more reports (one column per policy). */
import type { ReportV1 } from '@vfpu/core';
import { ratioCell } from './compare-table.js';
import { type Row, renderTable } from './table.js';

function union(
  reports: readonly ReportV1[],
  pick: (r: ReportV1) => Record<string, unknown>,
): string[] {
  const keys: string[] = [];
  for (const r of reports)
    for (const k of Object.keys(pick(r))) if (!keys.includes(k)) keys.push(k);
  return keys;
}

function anyNonZero(reports: readonly ReportV1[], value: (r: ReportV1) => number): boolean {
  return reports.some((r) => value(r) !== 0);
}

/**
 * "FP work per exit reason": for each exit name (and the non-exit causes), the root FP traps and
 * the saves + restores charged to it (core's per-exit.ts), as `traps / swaps`, with its exit count.
 */
function perExitReason(reports: readonly ReportV1[], rows: Row[]): void {
  const names = union(reports, (r) => r.per_exit_reason);
  if (names.length === 0) return;
  rows.push(['FP work per exit reason (traps / swaps)', ...reports.map(() => '')]);
  for (const name of names) {
    const exits = reports[0]?.per_exit_reason[name]?.exits ?? 0;
    const label = exits > 0 ? `  ${name} (${exits.toLocaleString('en-US')} exits)` : `  ${name}`;
    rows.push([
      label,
      ...reports.map((r) => {
        const w = r.per_exit_reason[name];
        return w === undefined
          ? '0 / 0'
          : `${w.traps.toLocaleString('en-US')} / ${(w.saves + w.restores).toLocaleString('en-US')}`;
      }),
    ]);
  }
}

/**
 * Where the cycle figures come from, said from how the run was asked for (`--costs` given or
 * not), never read back from a figure's text: a user file may call its figures anything.
 */
export function costsLabel(costsFile: string | undefined): string {
  return costsFile === undefined
    ? 'default table'
    : `user table ${costsFile} (the default for a figure it leaves out)`;
}

/** The summary table of one run per report; `costsFile` is the --costs file, if one was given. */
export function renderSummary(reports: readonly ReportV1[], costsFile?: string): string {
  const first = reports[0];
  if (first === undefined) return '';
  const rows: Row[] = [];
  const col = (value: (r: ReportV1) => number) => reports.map(value);
  const section = (
    title: string,
    keys: string[],
    value: (r: ReportV1, k: string) => number,
    label = (k: string) => `  ${k}`,
  ) => {
    const live = keys.filter((k) => anyNonZero(reports, (r) => value(r, k)));
    if (live.length === 0) return;
    rows.push([title, ...reports.map(() => '')]);
    for (const k of live) rows.push([label(k), ...col((r) => value(r, k))]);
  };
  section(
    'traps',
    union(reports, (r) => r.traps),
    (r, k) => r.traps[k] ?? 0,
  );
  section(
    'exits',
    union(reports, (r) => r.exits),
    (r, k) => r.exits[k] ?? 0,
  );
  section(
    'routines (calls)',
    union(reports, (r) => r.ops),
    (r, k) => r.ops[k]?.calls ?? 0,
  );
  perExitReason(reports, rows);
  rows.push('rule');
  rows.push(['bytes saved', ...col((r) => r.bytes.saved)]);
  rows.push(['bytes restored', ...col((r) => r.bytes.restored)]);
  rows.push(['cycles: FP management', ...col((r) => Math.round(r.cycles.fp))]);
  if (reports.some((r) => r.bound !== undefined))
    rows.push([
      'FP cycles / clairvoyant bound',
      ...reports.map((r) => (r.bound === undefined ? '' : ratioCell(r.bound.ratio))),
    ]);
  rows.push(['cycles: total', ...col((r) => Math.round(r.cycles.total))]);
  rows.push([
    'FP overhead % of total',
    ...col((r) => (r.cycles.total ? (100 * r.cycles.fp) / r.cycles.total : 0)),
  ]);
  rows.push(['exposure events (LazyFP)', ...col((r) => r.exposure.events)]);
  rows.push(['  guest↔guest', ...col((r) => r.exposure.guest.events)]);
  section(
    'outcomes',
    union(reports, (r) => r.outcomes),
    (r, k) => r.outcomes[k] ?? 0,
  );
  rows.push('rule');
  rows.push(['state checks (reads)', ...col((r) => r.check.reads)]);
  rows.push(['state violations', ...col((r) => r.check.violations)]);
  const head = [
    `${first.workload.name} on ${first.arch} (${first.variant}), ${first.workload.events.toLocaleString('en-US')} events, seed ${first.workload.seed}`,
    `cycles are estimates: ${costsLabel(costsFile)}`,
    ...(first.workload.assumptions?.length
      ? ['assumed (the workload says its source could not show this):']
      : []),
    ...(first.workload.assumptions ?? []).map((a) => `  - ${a}`),
    '',
  ];
  const policies = reports.map((r) =>
    r.policy === 'kvm' ? `kvm (=${r.config.policy.runs})` : r.policy,
  );
  let out = `${head.join('\n')}\n${renderTable(['', ...policies], rows)}`;
  const warnings = [...new Set(reports.flatMap((r) => r.warnings))];
  if (warnings.length) out += `\nwarnings:\n${warnings.map((w) => `  - ${w}`).join('\n')}\n`;
  for (const r of reports) {
    if (r.check.first !== null) {
      const v = r.check.first;
      out += `\n${r.policy}: first violation at line ${v.line} (event ${v.event}, ${v.op}): ${v.context} ${v.unit} reg ${v.register} byte ${v.byte}: expected 0x${v.expected.toString(16)}, hardware has 0x${v.actual.toString(16)}\n`;
    }
  }
  return out;
}

/**
 * `--by vcpu|cpu`: the FP work of each vCPU or pCPU (traps to the hypervisor / saves + restores,
 * and bytes), one column per policy; `none` collects what belongs to no vCPU (host events) or no
 * pCPU.
 */
export function renderBreakdown(reports: readonly ReportV1[], by: 'vcpu' | 'cpu'): string {
  const first = reports[0];
  if (first === undefined) return '';
  const pick = (r: ReportV1) => (by === 'vcpu' ? r.per_vcpu : r.per_cpu);
  const none = (r: ReportV1) => (by === 'vcpu' ? r.per_none.vcpu : r.per_none.cpu);
  const cell = (w: { traps: number; saves: number; restores: number; bytes: number }) =>
    `${w.traps.toLocaleString('en-US')} / ${(w.saves + w.restores).toLocaleString('en-US')} / ${w.bytes.toLocaleString('en-US')} B`;
  const rows: Row[] = pick(first).map((_, i) => [
    `  ${by}${i}`,
    ...reports.map((r) => cell(pick(r)[i] as Parameters<typeof cell>[0])),
  ]);
  if (reports.some((r) => none(r).traps + none(r).saves + none(r).restores > 0))
    rows.push(['  none', ...reports.map((r) => cell(none(r)))]);
  const title = `FP work by ${by === 'vcpu' ? 'vCPU' : 'pCPU'} (traps / swaps / bytes)`;
  return `\n${renderTable([title, ...reports.map((r) => r.policy)], rows)}`;
}
