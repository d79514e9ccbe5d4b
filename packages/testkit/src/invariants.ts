/**
 * Generic invariants every backend must keep under every policy, on random valid workloads.
 */
import {
  type BackendV2,
  formatHeader,
  POLICY_NAMES,
  PRESETS,
  type ReportV1,
  runPreset,
  trapWhere,
} from '@vfpu/core';
import { formatEvent, PresetGenerator, WorkloadEvent } from '@vfpu/core/internal';

/** A generated workload picked at random for the invariant checks: preset, seed, size and parameters. */
export interface RandomWorkload {
  /** The preset's name. */
  readonly preset: string;
  /** The generator's seed. */
  readonly seed: number;
  /** Number of events. */
  readonly events: number;
  /** Preset parameters over the preset's own. */
  readonly params: Readonly<Record<string, number>>;
}

/** Problems with one report (empty: the invariants hold). */
export function invariantProblems(policy: string, r: ReportV1): string[] {
  const problems: string[] = [];
  if (r.check.violations !== 0)
    problems.push(
      `${policy}: ${r.check.violations} state violations, first ${JSON.stringify(r.check.first)}`,
    );
  if (r.check.unenabled_restores !== 0) {
    problems.push(
      `${policy}: restored ${r.check.unenabled_restores} times a unit the guest never enabled`,
    );
  }
  if (policy === 'eager') {
    // first-use traps are root traps (host and guest ones are taken elsewhere)
    const firstUse = Object.entries(r.traps).filter(([k, n]) => trapWhere(k) === 'root' && n > 0);
    if (firstUse.length > 0)
      problems.push(`eager took first-use traps: ${JSON.stringify(Object.fromEntries(firstUse))}`);
    if (r.exposure.guest.events !== 0)
      problems.push(`eager left guest↔guest exposure: ${JSON.stringify(r.exposure.guest)}`);
  }
  return problems;
}

/** Runs one random workload under every policy; returns all problems found. */
export function checkInvariants(backend: BackendV2, w: RandomWorkload, variant?: string): string[] {
  const problems: string[] = [];
  for (const policy of POLICY_NAMES) {
    const { report } = runPreset(
      { preset: w.preset, events: w.events, params: w.params },
      { backends: [backend], policy, seed: w.seed, ...(variant !== undefined ? { variant } : {}) },
    );
    problems.push(...invariantProblems(policy, report));
  }
  return problems;
}

/** The names of every preset in @vfpu/core's catalog. */
export const PRESET_NAMES: readonly string[] = Object.keys(PRESETS);

/**
 * A preset's generated workload as NDJSON text with an arch, variant and `config` in the header
 * (presets carry none), e.g. to run it with a deliberately broken mechanism.
 */
export function presetText(
  preset: string,
  events: number,
  seed: number,
  header: { arch: string; variant?: string; config: Record<string, unknown> },
  params: Readonly<Record<string, number>> = {},
): string {
  const gen = new PresetGenerator(preset, events, seed, params);
  const v = gen.header.vcpus;
  const name = (ctx: number) =>
    ctx < 2 * v ? `vmm${ctx - v}` : (gen.header.threads[ctx - 2 * v] as string);
  const lines = [formatHeader({ ...gen.header, ...header })];
  const ev = new WorkloadEvent();
  while (gen.next(ev)) lines.push(formatEvent(ev, name));
  return lines.join('\n');
}
