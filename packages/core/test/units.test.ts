import { describe, expect, it } from 'vitest';
import { buildLattice, closeMask, maskNames, widestUnits } from '../src/units.js';

const lattice = buildLattice([
  { id: 'fpu', description: '', parent: 'msa', partBytes: 256, registers: 32 },
  { id: 'msa', description: '', parent: 'lasx', partBytes: 256, registers: 32 },
  { id: 'lasx', description: '', partBytes: 512, registers: 32 },
  { id: 'amx', description: '', partBytes: 8192, registers: 8 },
]);

describe('unit lattice', () => {
  it('closure contains every nested unit', () => {
    expect(lattice.closure).toEqual([0b0001, 0b0011, 0b0111, 0b1000]);
    expect(closeMask(lattice, 0b0010)).toBe(0b0011);
    expect(closeMask(lattice, 0b1100)).toBe(0b1111);
  });
  it('widest keeps only units not nested in another of the mask', () => {
    expect(widestUnits(lattice, 0b0111)).toBe(0b0100);
    expect(widestUnits(lattice, 0b1011)).toBe(0b1010);
  });
  it('names masks in declaration order', () => {
    expect(maskNames(lattice, 0b0101)).toBe('fpu|lasx');
    expect(maskNames(lattice, 0)).toBe('none');
  });
  it('rejects malformed declarations', () => {
    expect(() =>
      buildLattice([{ id: 'a', description: '', parent: 'b', partBytes: 1, registers: 1 }]),
    ).toThrow('unknown parent');
    expect(() =>
      buildLattice([
        { id: 'a', description: '', parent: 'b', partBytes: 1, registers: 1 },
        { id: 'b', description: '', parent: 'a', partBytes: 1, registers: 1 },
      ]),
    ).toThrow('cycle');
  });
});
