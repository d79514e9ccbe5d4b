/** Shared helpers of the CLI tests: run `main` in-process with in-memory streams, temp workloads. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { main } from '../src/index.js';

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** A writable that keeps everything written to it. */
export function collector(): { stream: NodeJS.WritableStream; text: () => string } {
  let buf = '';
  const stream = {
    write(s: string | Uint8Array): boolean {
      buf += typeof s === 'string' ? s : Buffer.from(s).toString('utf8');
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { stream, text: () => buf };
}

/** Runs the whole program in-process. */
export async function cli(argv: readonly string[]): Promise<CliResult> {
  const out = collector();
  const err = collector();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream, progress: false });
  return { code, out: out.text(), err: err.text() };
}

/** The header used by most tests (mips-vz, 2 pCPUs, 2 vCPUs, one host thread). */
export const HEADER = {
  format: 'vfpu-workload',
  version: 1,
  arch: 'mips-vz',
  cpus: 2,
  vcpus: 2,
  threads: ['bash'],
  config: {},
} as const;

export type Line = string | Record<string, unknown> | readonly unknown[] | null;

/** NDJSON text: strings are written as is, everything else through JSON.stringify. */
export function ndjson(lines: readonly Line[]): string {
  return `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;
}

/** A fresh temp directory, removed by `cleanup`. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vfpu-cli-test-'));
}

export function cleanup(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes `content` (text, or lines) to `dir/name` and returns the path. */
export function writeFile(
  dir: string,
  name: string,
  content: string | readonly Line[] | Uint8Array,
): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    typeof content === 'string' || content instanceof Uint8Array ? content : ndjson(content),
  );
  return path;
}

/** Events that put vcpu 0 in guest mode on cpu 0. */
export const IN_GUEST: readonly Line[] = [
  { op: 'load', vcpu: 0, cpu: 0 },
  { op: 'enter', vcpu: 0 },
];

/**
 * A workload for the toy backend (@vfpu/testkit/toy) under id `arch`: vcpu 0 writes fp reg 1 on
 * cpu 0 (trap: restore 256 bytes), reads it (live, no trap), is put (save 256 bytes), runs on
 * cpu 1 and reads reg 1 (trap: restore 256) then writes reg 2 (live).
 */
export function toyLines(arch: string): Line[] {
  return [
    { format: 'vfpu-workload', version: 1, arch, cpus: 2, vcpus: 1 },
    { op: 'run', vcpu: 0, cpu: 0 },
    { op: 'use', vcpu: 0, unit: 'fp', access: 'write', reg: 1 },
    { op: 'use', vcpu: 0, unit: 'fp', access: 'read', reg: 1 },
    { op: 'sched-out', vcpu: 0 },
    { op: 'run', vcpu: 0, cpu: 1 },
    { op: 'use', vcpu: 0, unit: 'fp', access: 'read', reg: 1 },
    { op: 'use', vcpu: 0, unit: 'fp', access: 'write', reg: 2 },
  ];
}

/** The report of `toyLines`: 2 traps, 2 restores (512 bytes), 1 save (256), 2 reads checked. */
export function expectToyReport(json: string, arch: string): void {
  const r = JSON.parse(json);
  expect(r.arch).toBe(arch);
  expect(r.workload.events).toBe(7);
  expect(r.traps).toEqual({ fp_disabled: 2 });
  expect(r.ops).toEqual({
    toy_restore: { calls: 2, bytes: 512 },
    toy_save: { calls: 1, bytes: 256 },
  });
  expect(r.bytes).toEqual({ saved: 256, restored: 512 });
  expect(r.check).toMatchObject({ reads: 2, violations: 0 });
}
