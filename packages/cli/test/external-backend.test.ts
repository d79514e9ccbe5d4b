/**
 * What a third party does: pack @vfpu/core and @vfpu/testkit, install the tarballs into a fresh
 * project with npm, and run the built CLI there with `--backend @vfpu/testkit/toy`.
 *
 * The two tarballs install without the registry; testkit's one dependency, fast-check (and its
 * pure-rand), comes from the npm cache when it is there, else from the registry. The test skips,
 * saying so, only when it must fetch them and the registry cannot be reached.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, expectToyReport, tempDir, toyLines, writeFile } from './helpers.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(REPO, 'packages/cli/dist/bin.js');
const NETWORK =
  /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH)\b/;

const scratch = tempDir();
afterAll(() => cleanup(scratch));

/**
 * The environment of a third party: without the npm_* variables pnpm/turbo set for scripts
 * (registry and proxies kept), and without the NODE_PATH of pnpm's bin shims (it would let
 * Node find the workspace's own packages).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(registry|cache|https?_proxy|proxy|noproxy)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => k !== 'NODE_PATH' && (!/^npm_/i.test(k) || keep.test(k)),
    ),
  );
}

function sh(cmd: string, args: readonly string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, out: r.stdout ?? '', err: `${r.stderr ?? ''}${r.error ?? ''}` };
}

function pack(pkg: string): string {
  const r = sh(
    'bash',
    [join(REPO, 'scripts/pnpm.sh'), 'pack', '--pack-destination', scratch],
    join(REPO, 'packages', pkg),
  );
  expect(r.code, `pnpm pack ${pkg}: ${r.err}`).toBe(0);
  const tgz = readdirSync(scratch).find((f) => f.startsWith(`vfpu-${pkg}-`) && f.endsWith('.tgz'));
  expect(tgz, `no tarball for ${pkg}`).toBeDefined();
  return tgz as string;
}

describe('a third-party project', () => {
  it('installs the packed core and testkit and runs the toy with --backend', {
    timeout: 90_000,
  }, (ctx) => {
    for (const f of [
      BIN,
      join(REPO, 'packages/core/dist/index.js'),
      join(REPO, 'packages/testkit/dist/toy.js'),
    ])
      expect(existsSync(f), `${f} is missing: build first (npm test does)`).toBe(true);

    const core = pack('core');
    const testkit = pack('testkit');
    writeFile(
      scratch,
      'package.json',
      JSON.stringify({
        name: 'vfpu-third-party',
        private: true,
        type: 'module',
        dependencies: { '@vfpu/core': `file:./${core}`, '@vfpu/testkit': `file:./${testkit}` },
      }),
    );
    const flags = [
      'install',
      '--no-audit',
      '--no-fund',
      '--fetch-retries=0',
      '--fetch-timeout=15000',
    ];
    let r = sh('npm', [...flags, '--offline'], scratch);
    if (r.code !== 0 && /ENOTCACHED/.test(r.err)) {
      r = sh('npm', [...flags, '--prefer-offline'], scratch);
      if (r.code !== 0 && NETWORK.test(r.err)) {
        ctx.skip(
          'fast-check (the dependency of @vfpu/testkit) is not in the npm cache and the registry is unreachable',
        );
      }
    }
    expect(r.code, `npm install: ${r.err}`).toBe(0);

    const w = writeFile(scratch, 'w.ndjson', toyLines('toy'));
    const run = sh(
      'node',
      [BIN, 'run', w, '--backend', '@vfpu/testkit/toy', '--arch', 'toy', '--json'],
      scratch,
    );
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expectToyReport(run.out, 'toy');

    // The package is resolved from the cwd: where it is not installed, exit 2 (no stack).
    const empty = tempDir();
    const elsewhere = sh('node', [BIN, 'run', w, '--backend', '@vfpu/testkit/toy'], empty);
    cleanup(empty);
    expect(elsewhere.code, `${elsewhere.out.slice(0, 300)} ${elsewhere.err}`).toBe(2);
    expect(elsewhere.err).toMatch(/^vfpu: --backend @vfpu\/testkit\/toy: cannot load \(.*\)\n$/);
  });
});
