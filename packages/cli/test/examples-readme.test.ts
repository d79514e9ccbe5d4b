/**
 * Every example's documented commands work with Node and npm alone (issue 18, friction 1): the
 * first `sh` block of each examples/<name>/README.md, run as written from the example's
 * directory (`vfpu` being the checkout's built CLI, as the README says), exits 0.
 * `npm start -- hpc 50000` printed "--, NaN events" and died on `unknown preset "--"`.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, tempDir } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');
const BIN = join(ROOT, 'packages/cli/dist/bin.js');

/** The commands of the first ```sh block, comments and blank lines dropped. */
function documentedCommands(readme: string): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

let scratch: string;
beforeAll(() => {
  scratch = tempDir();
});
afterAll(() => cleanup(scratch));

describe('each example’s documented commands', () => {
  const names = readdirSync(EXAMPLES).filter((n) => existsSync(join(EXAMPLES, n, 'README.md')));

  it('are npm or vfpu commands: no pnpm needed', () => {
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) {
      const readme = readFileSync(join(EXAMPLES, name, 'README.md'), 'utf8');
      const commands = documentedCommands(readme);
      expect(commands.length, name).toBeGreaterThan(0);
      for (const c of commands) expect(c, name).toMatch(/^(npm|vfpu) /);
      // a README is text and commands: no stray source line (three had one)
      expect(readme, name).not.toMatch(/^import .* from '/m);
    }
  });

  for (const name of readdirSync(EXAMPLES)) {
    it(`${name}: run as written`, () => {
      const readme = readFileSync(join(EXAMPLES, name, 'README.md'), 'utf8');
      const hasPackage = existsSync(join(EXAMPLES, name, 'package.json'));
      // an example without a package (sweep-slurm) writes its outputs: run it in a copy
      const cwd = hasPackage ? join(EXAMPLES, name) : join(scratch, name);
      if (!hasPackage) cpSync(join(EXAMPLES, name), cwd, { recursive: true });
      for (const command of documentedCommands(readme)) {
        const script = `set -e\nvfpu() { node '${BIN}' "$@"; }\n${command}\n`;
        const r = spawnSync('bash', ['-c', script], {
          cwd,
          encoding: 'utf8',
          maxBuffer: 1 << 26,
          env: { ...process.env, FORCE_COLOR: '0' },
        });
        expect(r.status, `${name}: ${command}\n${r.stderr}`).toBe(0);
        expect(r.stdout, command).not.toMatch(/NaN|unknown preset/);
      }
    }, 300_000);
  }

  it('a bad argument is refused with the usage line, exit 2', () => {
    const r = spawnSync('npm', ['start', '--silent', '--', 'desktopp'], {
      cwd: join(EXAMPLES, 'compare-policies'),
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      'compare-policies: unknown preset "desktopp" (known: idle, desktop, hpc, io-heavy, simd-bursty, overcommit, sleazy-getpid, loongarch-pipe, x86-build-nm, sve-bimodal, arm64-lmbench); did you mean "desktop"?\nusage: npm start -- [preset] [events]',
    );
    expect(r.stderr).not.toContain('    at ');
  }, 60_000);
});
