/**
 * Regression tests for bugs found while writing the CLI tests (prototype-member names accepted,
 * unwritable output paths hanging or crashing, unbounded preset sizes, "missing" fields).
 * Each asserts the correct behaviour: exit 2, one `vfpu: FILE:LINE: FIELD: message` line, no
 * stack trace, no output file.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, cleanup, cli, HEADER, IN_GUEST, tempDir, writeFile } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

function expectInputError(r: CliResult, fragment: string): void {
  expect(r.err).not.toContain('    at ');
  expect(r.err).not.toContain('internal error');
  expect(r.err).toContain(fragment);
  expect(r.out).toBe('');
  expect(r.code).toBe(2);
}

/** Runs main, but gives up after `ms` (a promise that never settles is a bug of its own). */
async function cliWithin(
  argv: readonly string[],
  ms: number,
): Promise<CliResult | 'did not settle'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'did not settle'>((resolve) => {
    timer = setTimeout(() => resolve('did not settle'), ms);
  });
  try {
    return await Promise.race([cli(argv), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('names of Object.prototype members are taken for known names', () => {
  for (const op of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    it(`op "${op}" is an unknown op (today: TypeError, exit 3, stack trace)`, async () => {
      const file = writeFile(dir, `op-${op}.ndjson`, [HEADER, { op, vcpu: 0 }]);
      expectInputError(await cli(['run', file, '--json']), `${file}:2: op: unknown op "${op}"`);
    });
  }

  it('guest-write set ["toString"] is an unknown bit (today: accepted, sets bit 0)', async () => {
    const file = writeFile(dir, 'gw-bit.ndjson', [
      HEADER,
      ...IN_GUEST,
      { op: 'guest-write', vcpu: 0, reg: 'Status', set: ['toString'] },
    ]);
    expectInputError(await cli(['run', file, '--json']), `${file}:4: set[0]: unknown bit`);
  });

  it('config {"toString": 1} is an unknown option (today: accepted)', async () => {
    const file = writeFile(dir, 'cfg-opt.ndjson', [{ ...HEADER, config: { toString: 1 } }]);
    expectInputError(
      await cli(['run', file, '--json']),
      `${file}:1: config.toString: unknown option`,
    );
  });

  it('config.guest.Status ["toString"] is an unknown bit (today: accepted)', async () => {
    const file = writeFile(dir, 'cfg-bit.ndjson', [
      { ...HEADER, config: { guest: { Status: ['toString'] } } },
    ]);
    expectInputError(
      await cli(['run', file, '--json']),
      `${file}:1: config.guest.Status[0]: unknown bit "toString"`,
    );
  });

  it('config.guest {"constructor": []} is an unknown register (today: accepted)', async () => {
    const file = writeFile(dir, 'cfg-reg.ndjson', [
      { ...HEADER, config: { guest: { constructor: [] } } },
    ]);
    expectInputError(
      await cli(['run', file, '--json']),
      `${file}:1: config.guest.constructor: unknown register`,
    );
  });

  it('config.host {"toString": true} is an unknown host feature (today: accepted)', async () => {
    const file = writeFile(dir, 'cfg-host.ndjson', [
      { ...HEADER, config: { host: { toString: true } } },
    ]);
    expectInputError(
      await cli(['run', file, '--json']),
      `${file}:1: config.host.toString: unknown host feature`,
    );
  });

  it('config.faults ["toString"] is an unknown fault (today: accepted)', async () => {
    const file = writeFile(dir, 'cfg-fault.ndjson', [
      { ...HEADER, config: { faults: ['toString'] } },
    ]);
    expectInputError(
      await cli(['run', file, '--json']),
      `${file}:1: config.faults[0]: unknown fault "toString"`,
    );
  });

  it('--policy adaptive:constructor=3 is a bad parameter (today: accepted)', async () => {
    const file = writeFile(dir, 'policy.ndjson', [HEADER, ...IN_GUEST]);
    expectInputError(
      await cli(['run', file, '--json', '--policy', 'adaptive:constructor=3']),
      'bad parameter "constructor=3"',
    );
  });

  it('run preset:constructor is an unknown preset (today: runs, exit 0)', async () => {
    expectInputError(
      await cli(['run', 'preset:constructor', '--events', '10']),
      'unknown preset "constructor"',
    );
  });

  it('gen toString is an unknown preset (today: writes a workload, exit 0)', async () => {
    expectInputError(await cli(['gen', 'toString', '--events', '10']), 'unknown preset "toString"');
  });

  it('--param constructor=1 is an unknown preset parameter (today: accepted)', async () => {
    expectInputError(
      await cli(['run', 'preset:idle', '--events', '10', '--param', 'constructor=1']),
      'unknown parameter "constructor"',
    );
  });
});

describe('output files that cannot be written', () => {
  it('run --trace into a directory that does not exist: exit 2 (today: the promise never settles; the bin exits 13 silently)', async () => {
    const file = writeFile(dir, 'trace-ok.ndjson', [HEADER, ...IN_GUEST]);
    const out = join(dir, 'no-such-dir', 'trace.txt');
    const r = await cliWithin(['run', file, '--trace', out], 3000);
    expect(r).not.toBe('did not settle');
    if (r !== 'did not settle') expectInputError(r, out);
  });

  it('run --trace DIR (an existing directory): exit 2 (today: exit 3 with a stack trace)', async () => {
    const file = writeFile(dir, 'trace-dir.ndjson', [HEADER, ...IN_GUEST]);
    const d = join(dir, 'a-directory');
    mkdirSync(d);
    const r = await cliWithin(['run', file, '--trace', d], 3000);
    expect(r).not.toBe('did not settle');
    if (r !== 'did not settle') expectInputError(r, d);
  });

  it('gen -o into a directory that does not exist: exit 2 (today: exit 3 "internal error")', async () => {
    const out = join(dir, 'no-such-dir', 'g.ndjson');
    const r = await cliWithin(['gen', 'idle', '--events', '10', '-o', out], 3000);
    expect(r).not.toBe('did not settle');
    if (r !== 'did not settle') expectInputError(r, out);
  });

  it('gen -o DIR (an existing directory): exit 2, nothing left behind (today: exit 3 with a stack trace)', async () => {
    const d = tempDir();
    try {
      const target = join(d, 'target');
      mkdirSync(target);
      const r = await cliWithin(['gen', 'idle', '--events', '10', '-o', target], 3000);
      expect(r).not.toBe('did not settle');
      if (r !== 'did not settle') expectInputError(r, target);
      expect(readdirSync(d)).toEqual(['target']);
    } finally {
      cleanup(d);
    }
  });
});

describe('preset topology limits', () => {
  it('gen --param vcpus=5000 writes a workload that run then rejects (limits differ)', async () => {
    const out = join(dir, 'big.ndjson');
    const g = await cli(['gen', 'idle', '--events', '10', '--param', 'vcpus=5000', '-o', out]);
    if (g.code === 0) {
      // if gen accepts it, run must accept what gen wrote
      const r = await cli(['run', out, '--json']);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
    } else {
      expectInputError(g, 'vcpus');
      expect(existsSync(out)).toBe(false);
    }
  });

  it('--param vcpus=1e10 names the parameter (today: "Invalid typed array length: 10000000000")', async () => {
    const r = await cli(['run', 'preset:idle', '--events', '10', '--param', 'vcpus=1e10']);
    expectInputError(r, 'vcpus');
  });
});

describe('messages for a missing field', () => {
  it('missing op says so (today: "op: expected an op name, got undefined undefined")', async () => {
    const file = writeFile(dir, 'no-op.ndjson', [HEADER, { vcpu: 0 }]);
    const r = await cli(['run', file, '--json']);
    expectInputError(r, `${file}:2: op: `);
    expect(r.err).not.toContain('undefined');
  });

  it('missing vcpus in the header says so (today: "vcpus: expected an integer, got undefined undefined")', async () => {
    const { vcpus: _omit, ...h } = HEADER;
    const file = writeFile(dir, 'no-vcpus.ndjson', [h]);
    const r = await cli(['run', file, '--json']);
    expectInputError(r, `${file}:1: vcpus: `);
    expect(r.err).not.toContain('undefined');
  });

  it('missing format in the header says so (today: "format: expected ..., got undefined undefined")', async () => {
    const { format: _omit, ...h } = HEADER;
    const file = writeFile(dir, 'no-format.ndjson', [h]);
    const r = await cli(['run', file, '--json']);
    expectInputError(r, `${file}:1: format: `);
    expect(r.err).not.toContain('undefined');
  });
});

describe('a workload is valid or not whatever the policy (issue 12 item 5)', () => {
  // under kvm the cop_unusable handler returns to userspace (the FPU is already owned); under
  // eager no trap happens, so the user-get finds the vCPU in the guest: a pending signal makes
  // KVM_RUN return, and the ioctl runs
  const scenario = join(
    import.meta.dirname,
    '../../mips-vz/test/scenarios/06-cpu-exit-fpu-already-owned-fixed.ndjson',
  );
  it('mips-vz scenario 06 runs under every policy at once', async () => {
    const r = await cli([
      'run',
      scenario,
      '--policy',
      'kvm,eager,lazy,lazy-per-exit,widest,adaptive',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const { reports } = JSON.parse(r.out) as {
      reports: { policy: string; outcomes: Record<string, number> }[];
    };
    expect(reports.map((x) => x.policy)).toEqual([
      'kvm',
      'eager',
      'lazy',
      'lazy-per-exit',
      'widest',
      'adaptive',
    ]);
    const eager = reports[1] as { outcomes: Record<string, number> };
    expect(eager.outcomes.KVM_EXIT_INTR).toBe(1);
  });

  it('a user-set while the guest runs is a signal, not an error', async () => {
    const dir = tempDir();
    const file = writeFile(dir, 'set-in-guest.ndjson', [
      HEADER,
      ...IN_GUEST,
      { op: 'user-set', vcpu: 0, unit: 'fpu', reg: 1 },
    ]);
    const r = await cli(['run', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).outcomes['KVM_RUN returned to userspace']).toBe(1);
    cleanup(dir);
  });
});

describe('-o - is standard output, as - is standard input', () => {
  it('gen -o - writes the workload to stdout, not to a file named "-" (today: a file "-")', async () => {
    const stray = join(process.cwd(), '-');
    const before = existsSync(stray);
    try {
      const r = await cli(['gen', 'preset:overcommit', '--events', '5', '-o', '-']);
      expect(r.code).toBe(0);
      const lines = r.out.trimEnd().split('\n');
      expect(lines).toHaveLength(6);
      expect(JSON.parse(lines[0] as string).format).toBe('vfpu-workload');
      expect(existsSync(stray)).toBe(before);
    } finally {
      if (!before && existsSync(stray)) rmSync(stray);
    }
  });
});
