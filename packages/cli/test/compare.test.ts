/**
 * `vfpu compare`: one workload on several architectures and policies in one pass; each simulator's
 * report equals its own `vfpu run`, and the normalized section is computed from it.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'bin.js');
const ARCHS = ['mips-vz', 'arm-vfp', 'x86-xfd'];
const POLICIES = ['kvm', 'eager', 'lazy'];

describe('vfpu compare', () => {
  it('each simulator equals its separate vfpu run', async () => {
    const args = ['preset:desktop', '--events', '4000'];
    const r = await cli([
      'compare',
      ...args,
      '--arch',
      ARCHS.join(','),
      '--policy',
      POLICIES.join(','),
      '--json',
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.format).toBe('vfpu-compare');
    expect(doc.simulators).toHaveLength(9);
    let i = 0;
    for (const arch of ARCHS)
      for (const policy of POLICIES) {
        const alone = JSON.parse(
          (await cli(['run', ...args, '--arch', arch, '--policy', policy, '--bound', '--json']))
            .out,
        );
        const sim = doc.simulators[i++];
        expect([sim.arch, sim.policy]).toEqual([arch, policy]);
        expect(sim.report).toEqual(alone);
        expect(sim.normalized.bytes_moved).toBe(alone.bytes.saved + alone.bytes.restored);
      }
  });

  it("prints one table with the shared section, each architecture's names and the class mapping", async () => {
    const r = await cli([
      'compare',
      'preset:desktop',
      '--events',
      '2000',
      '--arch',
      'mips-vz,arm-vfp:armv7-2013',
      '--policy',
      'kvm,eager',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('every architecture');
    expect(r.out).toMatch(/mips-vz\/loongson-3a4000: traps\n {2}cop_unusable/);
    expect(r.out).toContain('arm-vfp/armv7-2013 eager');
    expect(r.out).toContain('mips-vz/loongson-3a4000: scalar→fpu, vec128→msa');
  });

  it('reads a workload from stdin once for every simulator; --csv gives a line per simulator', async () => {
    const gen = await cli(['gen', 'desktop', '--events', '2000']);
    const child = spawnSync(
      process.execPath,
      [BIN, 'compare', '-', '--arch', 'mips-vz,x86-xfd', '--policy', 'kvm,lazy', '--csv'],
      {
        input: gen.out,
        encoding: 'utf8',
      },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const lines = child.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^arch,variant,policy,events,seed,fp_traps_to_hypervisor,/);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'mips-vz,loongson-3a4000,kvm',
      'mips-vz,loongson-3a4000,lazy',
      'x86-xfd,kvm-6.16,kvm',
      'x86-xfd,kvm-6.16,lazy',
    ]);
  });

  it('refuses an unknown architecture or variant, and --json with --csv (exit 2)', async () => {
    for (const [args, msg] of [
      [['--arch', 'sparc'], 'vfpu: --arch: unknown architecture "sparc"'],
      [['--arch', 'mips-vz:nope'], 'vfpu: --arch: mips-vz has no variant "nope"'],
      [['--arch', 'mips-vz', '--json', '--csv'], 'vfpu: --json and --csv: choose one'],
    ] as const) {
      const r = await cli(['compare', 'preset:idle', ...args]);
      expect(r.code).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain(msg);
    }
  });
});
