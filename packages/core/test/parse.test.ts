/** The workload parser in-process: every refusal names file, line and field (the CLI tests its exit codes). */
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { runText } from '../src/run.js';
import { recordingToy, toyWorkload } from './fixtures/recording.js';

const cases: [string, string, string][] = [
  ['an unknown field', '{"op":"load","vcpu":0,"cpu":0,"speed":3}', 'w:2: speed: unknown field'],
  ['an unknown unit', '{"op":"use","vcpu":0,"unit":"avx"}', 'w:2: unit: unknown unit "avx"'],
  ['a vCPU out of range', '{"op":"load","vcpu":4,"cpu":0}', 'w:2: vcpu:'],
  [
    'an unknown exit reason',
    '{"op":"exit","vcpu":0,"reason":"nmi"}',
    'w:2: reason: expected one of mmio, irq',
  ],
  ['not JSON', '{"op":', 'w:2:'],
];

describe('parse errors name file, line and field', () => {
  for (const [what, line, prefix] of cases) {
    it(what, () => {
      const { backend } = recordingToy();
      let err: unknown;
      try {
        runText(toyWorkload([line]), { backends: [backend], policy: 'kvm' }, 'w');
      } catch (e) {
        err = e;
      }
      expect(InputError.isInstance(err)).toBe(true);
      expect((err as Error).message.startsWith(prefix)).toBe(true);
    });
  }

  it('the header: unknown arch lists the backends given', () => {
    const { backend } = recordingToy();
    const text = '{"format":"vfpu-workload","version":1,"arch":"sparc","cpus":1,"vcpus":1}';
    expect(() => runText(text, { backends: [backend], policy: 'kvm' }, 'w')).toThrow(
      'w:1: arch: unknown arch "sparc" (known: toy)',
    );
  });
});
