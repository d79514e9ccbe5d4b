import { describe, expect, it } from 'vitest';
import type { VariantSpec } from '../src/contract/backend.js';
import { COST_KEYS, type CostTable } from '../src/costs.js';
import { BUILTIN_POLICIES } from '../src/policy/builtin.js';
import { resolvePolicy } from '../src/policy/resolve.js';
import { NO_CONTROL_WRITES } from '../src/policy/slice-costs.js';
import { buildLattice } from '../src/units.js';

const variant = { kvm: { policy: 'lazy-per-exit' } } as unknown as VariantSpec;
const lattice = buildLattice([
  { id: 'fpu', description: '', parent: 'msa', partBytes: 8, registers: 32 },
  { id: 'msa', description: '', partBytes: 8, registers: 32 },
]);
const costs = Object.fromEntries(
  COST_KEYS.map((k) => [k, { value: 1, source: 'test' }]),
) as CostTable;
const view = {
  lattice,
  vcpus: 1,
  guestEnabled: () => 0b11,
  live: () => 0,
  alsoLoads: () => 0,
  alsoLoadsAlways: () => 0,
  preloadReach: () => 0,
  controlWrites: () => NO_CONTROL_WRITES,
  costs,
  trapEnablesAll: false,
  disabledUseLoads: false,
  kernelPolicy: 'lazy',
  disabledUseExits: () => false,
  disabledUseRunsLive: () => 0,
  guestRead: () => 0,
  controlRegisters: 0,
  modeRegisters: new Int32Array(0),
  guestWriteEffect: () => -1,
  guestUseEffect: () => {},
  kernelFpuUnusableWhileLive: () => -1,
  kernelFpuIgnored: false,
};

function make(name: string, params: Record<string, number> = {}) {
  const def = BUILTIN_POLICIES.find((p) => p.name === name);
  if (!def) throw new Error(name);
  const defaults = Object.fromEntries(Object.entries(def.params).map(([k, p]) => [k, p.default]));
  return def.create(view, { ...defaults, ...params });
}

describe('policies', () => {
  it('kvm resolves through the variant', () => {
    const r = resolvePolicy('kvm', variant);
    expect(r.name).toBe('kvm');
    expect(r.definition.name).toBe('lazy-per-exit');
  });
  it('parse parameters and reject bad ones', () => {
    expect(resolvePolicy('adaptive:threshold=3:wrap=16', variant).params).toEqual({
      threshold: 3,
      wrap: 16,
      initial: 0,
    });
    expect(() => resolvePolicy('adaptive:limit=3', variant)).toThrow('bad parameter "limit=3"');
    expect(() => resolvePolicy('adaptive:threshold=0', variant)).toThrow('outside');
    expect(() => resolvePolicy('fastest', variant)).toThrow('unknown policy "fastest"');
  });
  it('lazy grants exactly the unit (with what it contains); eager preloads what is enabled', () => {
    expect(make('lazy').grant(0, 0)).toBe(0b01);
    expect(make('lazy').grant(0, 1)).toBe(0b11);
    expect(make('lazy').preload(0)).toBe(0);
    expect(make('eager').preload(0)).toBe(0b11);
    expect(make('lazy-per-exit').saveAtExit(0)).toBe(true);
    expect(make('lazy').saveAtExit(0)).toBe(false);
  });
  it('widest grants the widest unit used so far', () => {
    const w = make('widest');
    expect(w.grant(0, 0)).toBe(0b01);
    w.used(0, 1);
    expect(w.grant(0, 0)).toBe(0b11);
  });
  it('adaptive preloads after `threshold` consecutive slices with use and goes lazy again on wrap', () => {
    const a = make('adaptive', { threshold: 2, wrap: 4 });
    const slice = (use: boolean) => {
      a.sliceBegin(0);
      if (use) a.used(0, 0);
      a.sliceEnd(0);
    };
    slice(true);
    expect(a.preload(0)).toBe(0);
    slice(true);
    expect(a.preload(0)).toBe(0b01); // counter 2 ≥ threshold
    slice(true);
    expect(a.preload(0)).toBe(0b01); // 3
    slice(true);
    expect(a.preload(0)).toBe(0); // 4 wraps to 0: lazy again
    slice(true);
    slice(true);
    expect(a.preload(0)).toBe(0b01);
    slice(false);
    expect(a.preload(0)).toBe(0); // a slice without use resets
  });
});
