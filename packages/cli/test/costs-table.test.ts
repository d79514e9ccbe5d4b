/**
 * Cost tables (issue 18, friction 3 and 8): the summary says which table ran from whether --costs
 * was given, never from a figure's text; the sample file ships and is accepted; every built-in
 * figure's source is something a reader can look up (a paper, a URL), not a private note.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/backends.js';
import { cleanup, cli, tempDir, writeFile } from './helpers.js';

const SAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', 'costs', 'sample.json');

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

const labelOf = (out: string) => out.split('\n')[1];

describe('the cost-table label', () => {
  it('without --costs: the default table, on every architecture (x86 said "user table")', async () => {
    for (const arch of ['mips-vz', 'arm-vfp', 'x86-xfd', 'loongarch', 'riscv']) {
      const r = await cli(['run', 'preset:idle', '--events', '200', '--arch', arch]);
      expect(r.code).toBe(0);
      expect(labelOf(r.out)).toBe('cycles are estimates: default table');
    }
  });

  it('with --costs: the user table, whatever its sources say (one saying "estimate" said "default table")', async () => {
    const file = writeFile(
      dir,
      'mine.json',
      '{"trap": {"value": 900, "source": "estimate, mine"}}',
    );
    for (const arch of ['mips-vz', 'x86-xfd']) {
      const r = await cli([
        'run',
        'preset:idle',
        '--events',
        '200',
        '--arch',
        arch,
        '--costs',
        file,
      ]);
      expect(r.code).toBe(0);
      expect(labelOf(r.out)).toBe(
        `cycles are estimates: user table ${file} (the default for a figure it leaves out)`,
      );
    }
    const e = await cli(['explain', 'preset:idle', '--events', '5', '--costs', file]);
    expect(e.out).toContain(`cycles are estimates: user table ${file}`);
  });

  it('compare says it too', async () => {
    const file = writeFile(dir, 'mine2.json', '{"exit": 10}');
    const compare = ['compare', 'preset:idle', '--events', '200', '--arch', 'mips-vz,riscv'];
    const plain = await cli(compare);
    expect(plain.out.split('\n')[0]).toMatch(/cycles are estimates: each backend's default table$/);
    const mine = await cli([...compare, '--costs', file]);
    expect(mine.out.split('\n')[0]).toMatch(/cycles are estimates: user table .*mine2\.json/);
  });
});

describe('the sample cost file', () => {
  it('exists, is named in the help and the README, and run --costs takes it on every arch', async () => {
    expect(existsSync(SAMPLE)).toBe(true);
    const help = (await cli(['run', '--help'])).out.replace(/\s+/g, ' ');
    expect(help).toContain('costs/sample.json');
    const readme = readFileSync(join(dirname(SAMPLE), '..', 'README.md'), 'utf8');
    expect(readme).toContain('(costs/sample.json)');
    for (const arch of ['mips-vz', 'arm-vfp', 'x86-xfd', 'loongarch', 'riscv']) {
      const r = await cli([
        'run',
        'preset:desktop',
        '--events',
        '500',
        '--arch',
        arch,
        '--costs',
        SAMPLE,
        '--json',
      ]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.out);
      expect(report.config.costs.trap.value).toBe(4000);
      expect(report.config.costs.save_per_byte).toEqual({ value: 0.1, source: 'user' });
    }
  });
});

describe('cost sources', () => {
  it('cite nothing outside the package: no private notes (".md", "row N"), a paper or a URL otherwise', () => {
    const sample = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, unknown>;
    const sources: [string, string][] = [];
    for (const b of BACKENDS)
      for (const v of b.variants)
        for (const [k, f] of Object.entries(v.costs))
          sources.push([`${b.id}/${v.id} ${k}`, f.source]);
    for (const [k, f] of Object.entries(sample))
      if (typeof f === 'object' && f !== null)
        sources.push([`sample ${k}`, (f as { source: string }).source]);
    for (const [where, source] of sources) {
      expect(source, where).not.toMatch(/\.md\b|\brow \d|§|reference\b|UNCONFIRMED/);
      // a figure that is not an estimate names where it comes from: a paper (with its year) or a
      // repository address (written without a scheme: the HTML report links nothing)
      if (!source.startsWith('estimate') && source !== 'user')
        expect(source, where).toMatch(/\bgithub\.com\/\S+|\b(19|20)\d\d\b/);
    }
  });
});

describe('the README links', () => {
  it('point inside the repository, to files that exist', () => {
    const root = join(dirname(SAMPLE), '..', '..', '..');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).not.toContain('../shared/');
    const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1] as string);
    expect(links).toContain('docs/design.md');
    for (const link of links.filter((l) => !/^[a-z]+:/.test(l)))
      expect(existsSync(join(root, link)), link).toBe(true);
  });
});
