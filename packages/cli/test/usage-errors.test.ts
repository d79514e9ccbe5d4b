/**
 * Command-line mistakes (issue 18, friction 5–7): the message names the option, not the workload
 * file; near values get a "did you mean"; integer options say what they take; --variant alone
 * finds its architecture; explain's --events is taken as given; help shows each default once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageFailure } from './bad-input-shared.js';
import { cleanup, cli, HEADER, IN_GUEST, tempDir, writeFile } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

/** A workload without an arch in its header (as `vfpu gen` writes one). */
function neutral(): string {
  const { arch: _arch, config: _config, ...rest } = HEADER;
  return writeFile(dir, 'mine.ndjson', [rest, ...IN_GUEST]);
}

describe('an option mistake names the option', () => {
  it('--arch arm: the option, not the file, and the near arch', async () => {
    const r = await cli(['run', neutral(), '--arch', 'arm']);
    expectUsageFailure(r, [
      'vfpu: --arch: unknown arch "arm" (known: mips-vz, arm-vfp, x86-xfd, loongarch, riscv); did you mean "arm-vfp"?',
    ]);
    expect(r.err).not.toContain('mine.ndjson');
  });

  it('--variant of another arch says which arch has it', async () => {
    const file = writeFile(dir, 'mips.ndjson', [HEADER, ...IN_GUEST]);
    expectUsageFailure(await cli(['run', file, '--variant', 'arm64-e5']), [
      'vfpu: --variant: unknown variant "arm64-e5" of mips-vz (known: loongson-3a4000, mainline); it is a variant of arm-vfp (--arch arm-vfp)',
    ]);
    expectUsageFailure(await cli(['run', 'preset:idle', '--arch', 'x86-xfd', '--variant', 'v9']), [
      'vfpu: --variant: unknown variant "v9" of x86-xfd (known: kvm-6.16, kvm-lazy-cr0ts)',
    ]);
  });

  it('--variant alone: a variant only one arch has selects that arch', async () => {
    const r = await cli(['run', 'preset:idle', '--events', '100', '--variant', 'arm64-e5']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('preset:idle on arm-vfp (arm64-e5), 100 events, seed 1');
  });

  it('--variant near a variant of another arch suggests both options', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--variant', 'kvm-6.61']), [
      'did you mean --arch x86-xfd --variant kvm-6.16?',
    ]);
  });
});

describe('did you mean, for every closed set', () => {
  const cases: [string, string[], string][] = [
    ['policy', ['run', 'preset:idle', '--policy', 'kvm,lazzy'], 'did you mean "lazy"?'],
    ['preset', ['run', 'preset:desktopp'], 'did you mean "desktop"?'],
    ['gen preset', ['gen', 'overcomit'], 'did you mean "overcommit"?'],
    ['preset parameter', ['run', 'preset:idle', '--param', 'scalr=0.1'], 'did you mean "scalar"?'],
    ['compare arch', ['compare', 'preset:idle', '--arch', 'riscv,loongarh'], '"loongarch"?'],
    ['--by', ['run', 'preset:idle', '--by', 'vpcu'], 'vfpu: --by: unknown breakdown "vpcu"'],
    ['import --format', ['import', 'x.txt', '--format', 'perf'], 'did you mean "perf-script"?'],
    ['check --guest-fp', ['check', 'x.txt', '--guest-fp', 'nne'], 'did you mean "none"?'],
    ['schema', ['schema', 'reprot'], 'did you mean "report"?'],
  ];
  for (const [name, argv, fragment] of cases) {
    it(name, async () => expectUsageFailure(await cli(argv), [fragment]));
  }

  it('a cost key', async () => {
    const costs = writeFile(dir, 'typo-costs.json', '{"trapp": 10}');
    expectUsageFailure(await cli(['run', 'preset:idle', '--costs', costs]), [
      'unknown cost "trapp"',
      'did you mean "trap"?',
    ]);
  });

  it('nothing near: no suggestion', async () => {
    const r = await cli(['run', 'preset:idle', '--policy', 'zzzzzzzz']);
    expectUsageFailure(r, ['unknown policy "zzzzzzzz"']);
    expect(r.err).not.toContain('did you mean');
  });
});

describe('integer options say what they take', () => {
  const cases: [string[], string][] = [
    [
      ['run', 'preset:idle', '--events', '-5'],
      'vfpu: --events: must be a positive integer, got -5',
    ],
    [
      ['run', 'preset:idle', '--events', '1e3'],
      'vfpu: --events: must be a positive integer, got 1e3',
    ],
    [
      ['run', 'preset:idle', '--jobs', '100'],
      'vfpu: --jobs: must be an integer from 1 to 64, got 100',
    ],
    [['gen', 'idle', '--events', 'many'], 'vfpu: --events: must be a positive integer, got "many"'],
    [
      ['sweep', 'preset:idle', '--seeds', '0'],
      'vfpu: --seeds: must be an integer from 1 to 100000, got 0',
    ],
  ];
  for (const [argv, message] of cases) {
    it(argv.slice(-2).join(' '), async () => {
      const r = await cli(argv);
      expectUsageFailure(r, [message]);
      expect(r.err).toBe(`${message}\n`);
    });
  }

  it('--param sums are printed as given, not as float noise', async () => {
    const r = await cli(['run', 'preset:overcommit', '--param', 'scalar=2']);
    expectUsageFailure(r, [
      'vfpu: --param: scalar 2 + vec128 0.1 + vec256 0.05 + vec512 0 + matrix 0 + exit 0.05 = 2.2 > 1 (preset overcommit: the shares of a guest step add up to at most 1)\n',
    ]);
    expect(r.err).not.toMatch(/\d\.\d{6,}/);
  });
});

describe('explain --events', () => {
  it('is taken as given, even when it equals run’s default', async () => {
    const r = await cli(['explain', 'preset:idle', '--events', '100000']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('preset:idle on mips-vz (loongson-3a4000), 100,000 events, seed 1');
  }, 120_000);

  it('defaults to 40 events of a preset, and help says so', async () => {
    const r = await cli(['explain', 'preset:idle']);
    expect(r.out).toContain('preset:idle on mips-vz (loongson-3a4000), 40 events, seed 1');
    const help = await cli(['explain', '--help']);
    expect(help.out.replace(/\s+/g, ' ')).toContain('(default: 40)');
  });
});

describe('help', () => {
  const commands = ['run', 'explain', 'compare', 'gen', 'sweep', 'import', 'check', 'merge'];
  for (const c of commands) {
    it(`${c} --help shows each default once`, async () => {
      const help = (await cli([c, '--help'])).out.replace(/\s+/g, ' ');
      expect(help).toContain('Usage: vfpu');
      expect(help).not.toMatch(/\(default:? [^)]*\) \(default/);
      expect(help).not.toContain('(default: {})');
    });
  }

  it('gen --seed does not mention the oracle (gen runs none)', async () => {
    const help = (await cli(['gen', '--help'])).out;
    expect(help).not.toMatch(/oracle/);
    expect(help.replace(/\s+/g, ' ')).toContain('--seed <n> seed of the generator');
  });

  it('run with no argument prints the usage line', async () => {
    const r = await cli(['run']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Usage: vfpu run [options] <workload>');
  });
});
