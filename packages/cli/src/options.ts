/** Option parsing shared by the commands: the usage error, value parsers and option groups. */
import { DEFAULT_SEED } from '@vfpu/core';
import { unknownChoice } from '@vfpu/core/internal';
import type { Argument, Command, Option } from 'commander';
import { BACKENDS } from './backends.js';
import { type Io, UsageError } from './context.js';

/**
 * Restricts an option or argument to `choices` (help lists them) and refuses another value with
 * the near ones: `--format: unknown format "perf" (known: …); did you mean "perf-script"?`.
 */
export function oneOf<T extends Option | Argument>(
  o: T,
  name: string,
  noun: string,
  choices: readonly string[],
): T {
  o.choices(choices);
  o.argParser((v: string) => {
    if (!choices.includes(v)) throw new UsageError(`${name}: ${unknownChoice(noun, v, choices)}`);
    return v;
  });
  return o;
}

/** What an integer option takes, in words: "a positive integer", "an integer from 0 to 64". */
function integerRange(min: number, max: number): string {
  if (max < Number.MAX_SAFE_INTEGER) return `an integer from ${min} to ${max}`;
  if (min === 0) return 'a non-negative integer';
  return min === 1 ? 'a positive integer' : `an integer ≥ ${min}`;
}

/**
 * The parser of an integer option: `--events: must be a positive integer, got -5`, one wording
 * for a value that is not an integer and for one out of range.
 */
export function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max)) {
      const got = /^[-+]?[\d.eE+-]+$/.test(value) ? value : JSON.stringify(value);
      throw new UsageError(`${name}: must be ${integerRange(min, max)}, got ${got}`);
    }
    return n;
  };
}

function collectParam(
  value: string,
  prev: Record<string, number> | undefined,
): Record<string, number> {
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
  /** --param overrides; absent when none is given (so help shows no default). */
  param?: Record<string, number>;
  costs?: string;
  backend?: string[];
  policyModule?: string[];
}

/** How a command words --seed and what --events defaults to. */
export interface GenerationHelp {
  /** What the seed seeds (`gen` has no oracle). */
  readonly seed?: string;
  /** --events' default (explain shows 40 events of a preset). */
  readonly events?: number;
}

/** --seed, --events, --param: what a generated workload is made of. */
export function addGeneration(cmd: Command, help: GenerationHelp = {}): Command {
  return cmd
    .option(
      '--seed <n>',
      help.seed ?? 'seed of the state oracle and of preset generators',
      intOption('--seed', 0, 0xffffffff),
      DEFAULT_SEED,
    )
    .option(
      '--events <n>',
      'events to generate for preset: workloads',
      intOption('--events', 1, Number.MAX_SAFE_INTEGER),
      help.events ?? 100_000,
    )
    .option(
      '--param <key=value>',
      'preset parameter override (repeatable; see vfpu list)',
      collectParam,
    );
}

/** --backend: extra backend modules (repeatable), and --policy-module (policy-module.ts). */
export function addBackend(cmd: Command): Command {
  return cmd
    .option(
      '--backend <module>',
      'load a backend from a package name or file path (repeatable); select it with --arch',
      collectBackend,
    )
    .option(
      '--policy-module <file>',
      'load policies (PolicyDefinition objects) from a JS module (repeatable); select them by name with --policy',
      collectBackend,
    );
}

export function addCommon(cmd: Command, help: GenerationHelp = {}): Command {
  return addBackend(
    addGeneration(cmd, help)
      .option(
        '--arch <arch>',
        `backend (${BACKENDS.map((b) => b.id).join(', ')}); default: the workload's, else ${BACKENDS[0]?.id}`,
      )
      .option(
        '--variant <variant>',
        "backend variant; default: the workload's, or the backend's default",
      )
      .option(
        '--costs <file>',
        'cost table (JSON) over the backend defaults (a sample: costs/sample.json in @vfpu/cli)',
      ),
  );
}

export function progressReporter(io: Io): ((n: number) => void) | undefined {
  if (!io.progress) return undefined;
  return (n) => io.stderr.write(`\r${n.toLocaleString('en-US')} events…`);
}
