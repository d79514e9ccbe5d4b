/**
 * The x86 kvm_exit body (v5.12+ form) is read without a RegExp on the hot path; this checks that
 * the hand-written reader and the kernel-format RegExp agree on every body, including the ones
 * built to trip it (reasons holding " rip 0x", missing or odd hex, extra text, control bytes).
 */
import { describe, expect, it } from 'vitest';
import { newEvent, parseBody } from '../src/import/bodies.js';

const HEX = '[0-9a-fA-F]+';
const X86_EXIT_NEW = new RegExp(
  `^vcpu (\\d+) reason (.+?) rip 0x${HEX} info1 0x${HEX} info2 0x${HEX} intr_info 0x(${HEX}) error_code 0x${HEX}$`,
);

/** What the RegExp alone says (vcpu, label, intr_info), or undefined. */
function byRegExp(body: string): [number, string, number] | undefined {
  const m = X86_EXIT_NEW.exec(body);
  if (m === null) return undefined;
  return [Number(m[1]), (m[2] as string).trim(), Number.parseInt(m[3] as string, 16)];
}

function byParser(body: string): [number, string, number] | undefined {
  const e = newEvent();
  if (parseBody('kvm_exit', body, e) !== undefined) return undefined;
  if (e.exitForm !== 1 || !body.startsWith('vcpu ') || !/ info1 /.test(body)) return undefined;
  return [e.vcpu, e.label, e.intrInfo];
}

describe('x86 kvm_exit, v5.12+ form', () => {
  it('the hand-written reader agrees with the RegExp on 20,000 generated bodies', () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;
    const hex = () => pick(['0', 'ffffffff81a0b2c4', '800000EC', 'aB', '', 'g1', '0x1', '\x10']);
    const reasons = [
      'EXTERNAL_INTERRUPT',
      'EXCEPTION_NMI',
      'IO_INSTRUCTION',
      'MSR_WRITE rip 0x',
      'A rip 0x1 B',
      ' ',
      '',
      'EPT_VIOLATION  ',
      'VMCALL [guest]',
    ];
    let matched = 0;
    for (let i = 0; i < 20_000; i++) {
      const parts = [
        pick(['vcpu ', 'vcpu ', 'vcpu ', 'vcpux ', '']),
        pick(['0', '3', '12345678901', '', 'x']),
        pick([' reason ', ' reason ', ' reason', ' reasons ']),
        pick(reasons),
        pick([' rip 0x', ' rip 0x', ' rip ', ' RIP 0x']),
        hex(),
        pick([' info1 0x', ' info1 0x', ' info1 ']),
        hex(),
        pick([' info2 0x', ' info2 0x']),
        hex(),
        pick([' intr_info 0x', ' intr_info 0x', ' intr_info']),
        hex(),
        pick([' error_code 0x', ' error_code 0x', ' error_code 0']),
        hex(),
        pick(['', '', '', ' ', ' rip 0x1 info1 0x2 info2 0x3 intr_info 0x4 error_code 0x5']),
      ];
      const body = parts.join('');
      const want = byRegExp(body);
      if (want !== undefined) matched++;
      const got = byParser(body);
      if (want !== undefined) expect(got, body).toEqual(want);
    }
    // the generator must reach both sides: bodies that match and bodies that do not
    expect(matched).toBeGreaterThan(500);
    expect(matched).toBeLessThan(19_500);
  });

  it('the common body takes the hand-written path and reads as the RegExp does', () => {
    const body =
      'vcpu 3 reason EXCEPTION_NMI rip 0xffffffff81a0b2c4 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x80000307 error_code 0x00000000';
    expect(byParser(body)).toEqual([3, 'EXCEPTION_NMI', 0x80000307]);
    expect(byRegExp(body)).toEqual([3, 'EXCEPTION_NMI', 0x80000307]);
  });

  it('a reason holding " rip 0x" is read as the RegExp reads it', () => {
    const body =
      'vcpu 1 reason A rip 0xZZ B rip 0x1 info1 0x2 info2 0x3 intr_info 0x80000307 error_code 0x0';
    expect(byParser(body)).toEqual([1, 'A rip 0xZZ B', 0x80000307]);
    expect(byRegExp(body)).toEqual([1, 'A rip 0xZZ B', 0x80000307]);
  });
});
