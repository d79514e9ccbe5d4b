/**
 * The contract is checked when a machine is created (a missing hook or capability group is named
 * then, not at the first event that needs it); ids come by name; errors carry a marker.
 */
import { describe, expect, it } from 'vitest';
import { ContractError, ImpossibleEvent, InputError, VfpuError } from '../src/errors.js';
import type { Machine, PolicyDefinition } from '../src/index.js';
import { runText } from '../src/run.js';
import { backendProblem } from '../src/variant.js';
import { recordingToy, toyWorkload } from './fixtures/recording.js';

const RUN = ['{"op":"run","vcpu":0,"cpu":0}', '{"op":"use","vcpu":0,"unit":"fp"}'];

function error(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

function without(m: Machine, key: string): Machine {
  const copy = Object.create(m) as Record<string, unknown>;
  copy[key] = undefined;
  return copy as unknown as Machine;
}

describe('capability checks at creation', () => {
  it('names a missing required hook before any event runs', () => {
    const { backend } = recordingToy({ machine: (m) => without(m, 'guestRead') });
    const e = error(() => runText(toyWorkload([]), { backends: [backend], policy: 'kvm' }));
    expect(ContractError.isInstance(e)).toBe(true);
    expect(e.message).toBe('backend toy: only: the machine lacks the required hook guestRead()');
  });

  it('a variant that declares syscalls needs the syscalls group', () => {
    const { backend } = recordingToy({
      variant: (v) => ({
        ...v,
        syscalls: [{ name: 'KVM_NOP', description: '', vcpu: false, value: false }],
      }),
    });
    const e = error(() => runText(toyWorkload([]), { backends: [backend], policy: 'kvm' }));
    expect(e.message).toBe(
      'backend toy: only: the variant declares syscalls but the machine has no syscalls group',
    );
  });

  it('a group with a missing hook is named', () => {
    const { backend } = recordingToy({
      machine: (m) => {
        const copy = Object.create(m) as Record<string, unknown>;
        copy.uapi = { userRead: () => null };
        return copy as unknown as Machine;
      },
    });
    const e = error(() => runText(toyWorkload([]), { backends: [backend], policy: 'kvm' }));
    expect(e.message).toBe("backend toy: only: the machine's uapi group lacks userWrite()");
  });

  it('a machine without host threads refuses host events as input errors', () => {
    const { backend } = recordingToy({ machine: (m) => without(m, 'hostThreads') });
    const text = toyWorkload(
      ['{"op":"switch","cpu":0,"thread":"bash"}', '{"op":"host-use","cpu":0,"unit":"fp"}'],
      '"cpus":1,"vcpus":1,"threads":["bash"]',
    );
    const e = error(() => runText(text, { backends: [backend], policy: 'kvm' }, 'w'));
    expect(InputError.isInstance(e)).toBe(true);
    expect(e.message).toBe('w:3: op: host-use: the only machine does not model host threads');
  });
});

describe('ids by name', () => {
  it('a variant exit reason gets the id after the common ones, whatever the declaration order', () => {
    const seen: number[] = [];
    const { backend } = recordingToy({
      variant: (v) => ({
        ...v,
        exitReasons: [
          { name: 'zeta', description: '' },
          { name: 'alpha', description: '' },
        ],
      }),
      machine: (m) => {
        const copy = Object.create(m) as Machine;
        copy.exit = (v, reason, save) => {
          seen.push(reason);
          return m.exit(v, reason, save);
        };
        return copy;
      },
    });
    runText(
      toyWorkload([
        RUN[0] as string,
        '{"op":"exit","vcpu":0,"reason":"alpha"}',
        '{"op":"enter","vcpu":0}',
        '{"op":"exit","vcpu":0,"reason":"zeta"}',
      ]),
      { backends: [backend], policy: 'kvm' },
    );
    expect(seen).toEqual([7, 6]);
  });
});

describe('policies from outside and trap granularity', () => {
  it('a PolicyDefinition object runs through the API', () => {
    const preloadAll: PolicyDefinition = {
      name: 'mine',
      description: 'preload everything at entry',
      origin: 'a test',
      params: {},
      create: (view) => ({
        grant: (_v, u) => view.lattice.closure[u] as number,
        preload: () => view.lattice.all,
        saveAtExit: () => false,
        used: () => {},
        sliceBegin: () => {},
        sliceEnd: () => {},
      }),
    };
    const { backend } = recordingToy();
    const r = runText(toyWorkload(RUN), { backends: [backend], policy: preloadAll });
    expect(r.report.policy).toBe('mine');
    expect(r.report.traps.fp_disabled ?? 0).toBe(0);
    expect(r.report.ops.toy_restore?.calls).toBe(1);
  });

  it('widest and lazy coincide where one trap enables every unit, and the report says why', () => {
    const { backend } = recordingToy({
      variant: (v) => ({
        ...v,
        trapGranularity: { scope: 'all', why: 'the toy traps its one bank' },
      }),
    });
    const r = runText(toyWorkload(RUN), { backends: [backend], policy: 'widest' });
    expect(r.report.warnings).toContain(
      'widest = lazy here: the toy traps its one bank, so what a policy grants on a trap cannot matter',
    );
    const lazy = runText(toyWorkload(RUN), { backends: [backend], policy: 'lazy' });
    expect(lazy.report.warnings).toEqual([]);
  });
});

describe('errors carry a marker, not a class identity', () => {
  it('isInstance recognises an error from another copy of the package', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('vfpu.error')]: true,
      kind: 'input',
    });
    expect(VfpuError.isInstance(foreign)).toBe(true);
    expect(InputError.isInstance(foreign)).toBe(true);
    expect(ImpossibleEvent.isInstance(foreign)).toBe(false);
    expect(VfpuError.isInstance(new Error('plain'))).toBe(false);
  });

  it('a backend of another contract version is named as such', () => {
    expect(backendProblem({ specificationVersion: 'v1' })).toMatch(
      /contract v1; this vfpu needs v2/,
    );
    expect(backendProblem(42)).toMatch(/not a backend/);
    expect(backendProblem(recordingToy().backend)).toBeUndefined();
  });
});

describe('trap location', () => {
  it('names where a report trap kind was taken, and sums the root ones', async () => {
    const { rootTraps, trapWhere } = await import('../src/report.js');
    expect(['msa_disabled', 'host:nm_xfd', 'guest:undef'].map(trapWhere)).toEqual([
      'root',
      'host',
      'guest',
    ]);
    expect(rootTraps({ traps: { a: 2, b: 3, 'host:c': 5, 'guest:d': 7 } })).toBe(5);
  });
});
