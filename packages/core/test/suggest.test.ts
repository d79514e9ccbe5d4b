/** The one "did you mean" of vfpu: edit distance, near choices, the unknown-name message. */
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearChoices, unknownChoice } from '../src/suggest.js';

describe('suggest', () => {
  it('edit distance counts insertions, deletions, substitutions and transpositions', () => {
    expect(editDistance('lazy', 'lazy')).toBe(0);
    expect(editDistance('lazzy', 'lazy')).toBe(1);
    expect(editDistance('lazy', 'lzay')).toBe(1);
    expect(editDistance('kvm', 'eager')).toBe(5);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('near choices: close by edits, or a prefix; nearest first', () => {
    const archs = ['mips-vz', 'arm-vfp', 'x86-xfd', 'loongarch', 'riscv'];
    expect(nearChoices('arm', archs)).toEqual(['arm-vfp']);
    expect(nearChoices('riscv64', archs)).toEqual(['riscv']);
    expect(nearChoices('sparc', archs)).toEqual([]);
    expect(nearChoices('risc', archs)).toEqual(['riscv']);
    expect(nearChoices('lazy-per-exti', ['lazy', 'lazy-per-exit'])).toEqual(['lazy-per-exit']);
    expect(nearChoices('', archs)).toEqual([]);
  });

  it('the message', () => {
    expect(unknownChoice('policy', 'lazzy', ['kvm', 'lazy'])).toBe(
      'unknown policy "lazzy" (known: kvm, lazy); did you mean "lazy"?',
    );
    expect(didYouMean('qqq', ['kvm', 'lazy'])).toBe('');
  });
});
