/** Option parsing shared by the commands: the usage error, value parsers and option groups. */
import { DEFAULT_SEED } from '@vfpu/core';
import type { Command } from 'commander';
import { BACKENDS } from './backends.js';
import { type Io, UsageError } from './context.js';

export function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new UsageError(`${name}: expected an integer, got "${value}"`);
    const n = Number(value);
    if (n < min || n > max) throw new UsageError(`${name}: ${n} is outside ${min}..${max}`);
    return n;
  };
}

function collectParam(value: string, prev: Record<string, number>): Record<string, number> {
  const m = /^([a-z0-9-]+)=([0-9.eE+-]+)$/.exec(value);
  if (m === null || Number.isNaN(Number(m[2])))
    throw new UsageError(`--param: expected key=number, got "${value}"`);
  return { ...prev, [m[1] as string]: Number(m[2]) };
}

function collectBackend(value: string, prev: readonly string[] | undefined): string[] {
  return [...(prev ?? []), value];
}

export interface CommonOptions {
  arch?: string;
  variant?: string;
  seed: number;
  events: number;
  param: Record<string, number>;
  costs?: string;
  backend?: string[];
}

/** --seed, --events, --param: what a generated workload is made of. */
export function addGeneration(cmd: Command): Command {
  return cmd
    .option(
      '--seed <n>',
      `seed of the state oracle and generators (default ${DEFAULT_SEED})`,
      intOption('--seed', 0, 0xffffffff),
      DEFAULT_SEED,
    )
    .option(
      '--events <n>',
      'events to generate for preset: workloads',
      intOption('--events', 1, Number.MAX_SAFE_INTEGER),
      100_000,
    )
    .option(
      '--param <key=value>',
      'preset parameter override (repeatable; see vfpu list)',
      collectParam,
      {},
    );
}

/** --backend: extra backend modules (repeatable), for run, explain and list. */
export function addBackend(cmd: Command): Command {
  return cmd.option(
    '--backend <module>',
    'load a backend from a package name or file path (repeatable); select it with --arch',
    collectBackend,
  );
}

export function addCommon(cmd: Command): Command {
  return addBackend(
    addGeneration(cmd)
      .option(
        '--arch <arch>',
        `backend (${BACKENDS.map((b) => b.id).join(', ')}); default: the workload's, else ${BACKENDS[0]?.id}`,
      )
      .option(
        '--variant <variant>',
        "backend variant; default: the workload's, or the backend's default",
      )
      .option('--costs <file>', 'cost table (JSON) overriding the backend defaults'),
  );
}

export function progressReporter(io: Io): ((n: number) => void) | undefined {
  if (!io.progress) return undefined;
  return (n) => io.stderr.write(`\r${n.toLocaleString('en-US')} events…`);
}
