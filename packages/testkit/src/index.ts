/**
 * @vfpu/testkit — the conformance harness every backend runs (and third parties can).
 *
 * `describeBackendConformance(backend, { scenarios })` registers vitest tests: one per scenario
 * file, and property tests of the generic invariants over random valid workloads × every policy.
 */
import type { BackendV2 } from '@vfpu/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInvariants, PRESET_NAMES } from './invariants.js';
import { checkScenario, loadScenarios } from './scenarios.js';
import { probeGuestUse } from './write-effect.js';

const FIRST_RUN = '{"op":"run","vcpu":0,"cpu":0}';

export {
  type FaultCase,
  faultOnPresetProblems,
  faultProblems,
  type WorkloadShape,
  workloadText,
} from './faults.js';
export {
  checkInvariants,
  invariantProblems,
  PRESET_NAMES,
  presetText,
  type RandomWorkload,
} from './invariants.js';
export {
  checkScenario,
  loadScenarios,
  type Scenario,
  type ScenarioExpectation,
} from './scenarios.js';
export {
  policyViewAfter,
  probeGuestUse,
  probeGuestWrite,
  type UseProbe,
  type UseProbeResult,
  type WriteEffect,
  type WriteProbe,
  type WriteProbeResult,
} from './write-effect.js';

/** Options of `describeBackendConformance`: the scenarios directory, the variants and the size of the random runs. */
export interface ConformanceOptions {
  /** Directory of `*.ndjson` + `*.expect.json` scenario pairs. */
  readonly scenarios?: string;
  /** Variants to run the invariants on (default: the backend's default). */
  readonly variants?: readonly string[];
  /** fast-check runs per variant (default 12) and events per workload (default 1500). */
  readonly runs?: number;
  /** Events per random workload (default 1500). */
  readonly events?: number;
}

/** Registers the conformance tests of a backend with vitest (call it in a test file): one test per scenario pair, and property tests of the generic invariants (no violation, eager takes no first-use trap, …) over random workloads × every policy. */
export function describeBackendConformance(
  backend: BackendV2,
  options: ConformanceOptions = {},
): void {
  describe(`${backend.id} conformance`, () => {
    if (options.scenarios !== undefined) {
      const scenarios = loadScenarios(options.scenarios);
      it('has scenarios', () => expect(scenarios.length).toBeGreaterThan(0));
      for (const s of scenarios) {
        it(`${s.name}: ${s.expect.title} [${s.expect.follows.join('; ')}]`, () => {
          expect(checkScenario(backend, s)).toEqual([]);
        });
      }
    }
    for (const variant of options.variants ?? [backend.defaultVariant]) {
      it(`${variant}: a use leaves the enable and mode registers as guestUseEffect declares`, () => {
        const units = backend.variants.find((v) => v.id === variant)?.units ?? [];
        expect(units.length).toBeGreaterThan(0);
        for (const { id } of units) {
          const r = probeGuestUse(backend, { variant, events: [FIRST_RUN], unit: id });
          expect(r.declared, `a use of ${id}`).toEqual(r.machine);
        }
      });
      it(`${variant}: random valid workloads × every policy keep the invariants`, () => {
        fc.assert(
          fc.property(
            fc.constantFrom(...PRESET_NAMES),
            fc.integer({ min: 1, max: 0x7fffffff }),
            fc.record({
              migration: fc.double({ min: 0, max: 1, noNaN: true }),
              host: fc.double({ min: 0, max: 1, noNaN: true }),
              'simd-users': fc.double({ min: 0, max: 1, noNaN: true }),
              slice: fc.integer({ min: 1, max: 60 }),
            }),
            (preset, seed, params) => {
              const problems = checkInvariants(
                backend,
                { preset, seed, events: options.events ?? 1500, params },
                variant,
              );
              return problems.length === 0 || fail(problems);
            },
          ),
          { numRuns: options.runs ?? 12 },
        );
      });
    }
  });
}

function fail(problems: string[]): never {
  throw new Error(problems.join('\n'));
}

export {
  type BoundCheckResult,
  boundReports,
  checkBound,
  checkClairvoyant,
  checkSliceDp,
} from './bound-check.js';
export { type ImportCheck, importProblems, moduleSpecifiers } from './imports.js';
export { type ArchProfile, archProfile, Picker } from './random-profiles.js';
export {
  seededValidWorkload,
  type ValidWorkload,
  type ValidWorkloadChoices,
  validWorkload,
  validWorkloadArbitrary,
  validWorkloadChoices,
} from './random-workload.js';
export { firedTracepoints } from './tracepoints.js';
export {
  checkValidWorkloads,
  type PolicyOutcome,
  runValidWorkload,
  type ValidCheckOptions,
  type ValidCheckResult,
  validWorkloadProblems,
} from './valid-check.js';
