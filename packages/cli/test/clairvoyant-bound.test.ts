/**
 * The clairvoyant bound (docs/clairvoyant.md) as properties, in CI: the per-slice dynamic program
 * optimal on its model (no decision sequence cheaper than its value; its plan costs its value);
 * on random valid workloads of every variant with every event (guest writes of enable and mode
 * registers included), `clairvoyant`'s own FP cycles at or below every built-in policy's; on random valid workloads with every event,
 * every built-in at or above the bound.
 */
import { checkBound, checkClairvoyant, checkSliceDp } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/index.js';

/** CI-sized: a few seconds in all. */
const RUNS = 12;
/**
 * Workloads a variant for clairvoyant against every built-in: with every event (guest writes of
 * enable and mode registers included), enough that ignoring those writes fails (docs/clairvoyant.md).
 */
const CLAIRVOYANT_RUNS = 40;

describe('the clairvoyant bound', () => {
  it('the slice dynamic program is optimal on its model', () => {
    expect(checkSliceDp(400, 17)).toBeUndefined();
  });
  for (const backend of BACKENDS)
    for (const variant of backend.variants) {
      it(`${backend.id}/${variant.id}: no built-in below clairvoyant`, () => {
        const r = checkClairvoyant(backend, {
          variant: variant.id,
          runs: CLAIRVOYANT_RUNS,
          seed: 5,
        });
        expect(r.failure === undefined ? '' : `${r.failure.problems}\n${r.failure.ndjson}`).toBe(
          '',
        );
        expect(r.workloads).toBe(CLAIRVOYANT_RUNS);
      });
      it(`${backend.id}/${variant.id}: no built-in below the bound`, () => {
        const r = checkBound(backend, { variant: variant.id, runs: RUNS, seed: 5 });
        expect(r.failure === undefined ? '' : `${r.failure.problems}\n${r.failure.ndjson}`).toBe(
          '',
        );
        expect(r.workloads).toBe(RUNS);
      });
    }
});
