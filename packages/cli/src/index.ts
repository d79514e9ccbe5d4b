/**
 * The `vfpu` command: run, gen, explain, list, schema. `main` is the whole program, with its
 * streams injected so tests can run it in-process. Exit codes: 0 ok, 1 state violation,
 * 2 bad input or usage.
 */
import { readFileSync } from 'node:fs';
import { armVfp } from '@vfpu/arm-vfp';
import {
  type BackendV1,
  BUILTIN_POLICIES,
  COST_MEANING,
  DEFAULT_SEED,
  describeIoError,
  formatEvent,
  formatHeader,
  InputError,
  PARAM_HELP,
  PRESETS,
  PresetGenerator,
  type ReportV1,
  type RunRequest,
  type RunResult,
  runFile,
  runPreset,
  UNIT_CLASSES,
  WorkloadEvent,
  workloadSchema,
} from '@vfpu/core';
import { mipsVz } from '@vfpu/mips-vz';
import { x86Xfd } from '@vfpu/x86-xfd';
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { fileSink, type Sink, streamSink } from './output.js';
import { renderSummary } from './summary.js';

export interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** Progress is shown only when stderr is a terminal. */
  readonly progress: boolean;
}

export const BACKENDS: readonly BackendV1[] = [mipsVz(), armVfp(), x86Xfd()];

class UsageError extends Error {}

function intOption(name: string, min: number, max: number) {
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

function readCosts(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(path, 0, '', `cannot read: ${describeIoError(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(path, 0, '', `malformed JSON (${(e as Error).message})`);
  }
}

interface CommonOptions {
  arch?: string;
  variant?: string;
  seed: number;
  events: number;
  param: Record<string, number>;
  costs?: string;
}

async function runOne(
  workload: string,
  policy: string,
  o: CommonOptions,
  extra: Partial<RunRequest>,
): Promise<RunResult> {
  const req: RunRequest = {
    backends: BACKENDS,
    policy,
    seed: o.seed,
    ...(o.arch !== undefined ? { arch: o.arch } : {}),
    ...(o.variant !== undefined ? { variant: o.variant } : {}),
    ...(o.costs !== undefined ? { costs: readCosts(o.costs), costsFile: o.costs } : {}),
    ...extra,
  };
  if (workload.startsWith('preset:')) {
    return runPreset(
      { preset: workload.slice('preset:'.length), events: o.events, params: o.param },
      req,
    );
  }
  if (Object.keys(o.param).length > 0)
    throw new UsageError('--param applies to preset: workloads only');
  return runFile(workload, req);
}

/** --seed, --events, --param: what a generated workload is made of. */
function addGeneration(cmd: Command): Command {
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

function addCommon(cmd: Command): Command {
  return addGeneration(cmd)
    .option(
      '--arch <arch>',
      `backend (${BACKENDS.map((b) => b.id).join(', ')}); default: the workload's, else ${BACKENDS[0]?.id}`,
    )
    .option(
      '--variant <variant>',
      "backend variant; default: the workload's, or the backend's default",
    )
    .option('--costs <file>', 'cost table (JSON) overriding the backend defaults');
}

function progressReporter(io: Io): ((n: number) => void) | undefined {
  if (!io.progress) return undefined;
  return (n) => io.stderr.write(`\r${n.toLocaleString('en-US')} events…`);
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  let exitCode = 0;
  const program = new Command('vfpu')
    .description(
      'Simulate how hypervisors manage guest FP/SIMD register state, and compare switching policies.',
    )
    .version(pkg.version)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  addCommon(
    program
      .command('run')
      .description(
        'run a workload (file, - for stdin, .gz, or preset:NAME) and report traps, exits, routines, bytes and cycles',
      )
      .argument('<workload>')
      .option(
        '--policy <list>',
        'policy, or a comma-separated list to compare (kvm, eager, lazy, …; name:key=value for parameters)',
        'kvm',
      )
      .option(
        '--json',
        'print the report (JSON, format vfpu-report v1); several policies: a vfpu-comparison',
      )
      .option('--trace <file>', 'write the per-event explanation to a file'),
  ).action(
    async (
      workload: string,
      o: CommonOptions & { policy: string; json?: boolean; trace?: string },
    ) => {
      const policies = o.policy.split(',').filter((p) => p !== '');
      if (policies.length === 0) throw new UsageError('--policy: give at least one policy');
      if (o.trace !== undefined && policies.length > 1)
        throw new UsageError('--trace takes one policy');
      const trace: Sink | undefined = o.trace !== undefined ? fileSink(o.trace) : undefined;
      const reports: ReportV1[] = [];
      try {
        for (const policy of policies) {
          const extra: Partial<RunRequest> = {};
          const progress = progressReporter(io);
          if (progress) (extra as { progress?: (n: number) => void }).progress = progress;
          if (trace) {
            (extra as { explain?: RunRequest['explain'] }).explain = (line, text, lines) => {
              trace.write(
                `${line > 0 ? `L${line} ` : ''}${text}\n${lines.length ? `${lines.join('\n')}\n` : ''}`,
              );
            };
          }
          reports.push((await runOne(workload, policy, o, extra)).report);
          if (progress) io.stderr.write('\r\x1b[K');
        }
        await trace?.commit();
      } catch (e) {
        trace?.abort();
        throw e;
      }
      if (o.json) {
        const doc =
          reports.length === 1 ? reports[0] : { format: 'vfpu-comparison', version: 1, reports };
        io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      } else {
        io.stdout.write(renderSummary(reports));
      }
      if (reports.some((r) => r.check.violations > 0)) exitCode = 1;
    },
  );

  addCommon(
    program
      .command('explain')
      .description(
        'show, event by event, the exception as the hardware reports it, the handler, the routines and the control bits changed',
      )
      .argument('<workload>')
      .option('--policy <policy>', 'policy', 'kvm'),
  ).action(async (workload: string, o: CommonOptions & { policy: string }) => {
    const out = streamSink(io.stdout, true);
    const opts = workload.startsWith('preset:') && o.events === 100_000 ? { ...o, events: 40 } : o;
    const { report } = await runOne(workload, o.policy, opts, {
      explain: (line, text, lines) => {
        out.write(
          `${line > 0 ? `L${line} ` : ''}${text}\n${lines.length ? `${lines.join('\n')}\n` : ''}`,
        );
      },
    });
    out.write(`\n${renderSummary([report])}`);
    await out.commit();
    if (report.check.violations > 0) exitCode = 1;
  });

  addGeneration(
    program
      .command('gen')
      .description('write a generated workload (NDJSON) for a preset')
      .argument('<preset>'),
  )
    .option('-o, --output <file>', 'output file (.gz compresses); default stdout')
    .action(
      async (
        preset: string,
        o: { seed: number; events: number; param: Record<string, number>; output?: string },
      ) => {
        const name = preset.replace(/^preset:/, '');
        let gen: PresetGenerator;
        try {
          gen = new PresetGenerator(name, o.events, o.seed, o.param);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        const sink = o.output !== undefined ? fileSink(o.output) : streamSink(io.stdout);
        const threadName = (ctx: number) => {
          const v = gen.header.vcpus;
          return ctx < 2 * v ? `vmm${ctx - v}` : (gen.header.threads[ctx - 2 * v] as string);
        };
        try {
          sink.write(`${formatHeader({ ...gen.header, name: `preset:${name} seed=${o.seed}` })}\n`);
          const ev = new WorkloadEvent();
          while (gen.next(ev)) sink.write(`${formatEvent(ev, threadName)}\n`);
          await sink.commit();
        } catch (e) {
          sink.abort();
          throw e;
        }
      },
    );

  program
    .command('list')
    .description('list architectures, variants, units, options, policies, presets and cost keys')
    .option('--json', 'as JSON')
    .action((o: { json?: boolean }) => {
      const data = {
        archs: BACKENDS.map((b) => ({
          id: b.id,
          description: b.description,
          version: b.version,
          defaultVariant: b.defaultVariant,
          variants: b.variants.map((v) => ({
            id: v.id,
            description: v.description,
            kernel: v.kernel,
            units: v.units.map((u) => ({ id: u.id, description: u.description })),
            classes: v.classMap,
            controlRegisters: Object.fromEntries(
              Object.entries(v.controlRegisters).map(([name, r]) => [
                name,
                { description: r.description, ...(r.unit ? { unit: r.unit } : {}) },
              ]),
            ),
            exitReasons: { ...(v.exitReasons ?? {}) },
            ...(v.userRegisters ? { registerIds: v.userRegisters.description } : {}),
            kvm: v.kvm,
          })),
          options: Object.fromEntries(
            Object.entries(b.options).map(([k, s]) => [
              k,
              { description: s.description, default: s.default },
            ]),
          ),
        })),
        policies: [
          {
            name: 'kvm',
            description: "what the variant's kernel does (see each variant's kvm entry)",
            params: {},
          },
          ...BUILTIN_POLICIES.map((p) => ({
            name: p.name,
            description: p.description,
            origin: p.origin,
            params: p.params,
          })),
        ],
        presets: Object.fromEntries(
          Object.entries(PRESETS).map(([k, p]) => [
            k,
            { description: p.description, params: p.params },
          ]),
        ),
        presetParams: PARAM_HELP,
        unitClasses: UNIT_CLASSES,
        costs: COST_MEANING,
      };
      if (o.json) {
        io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
        return;
      }
      const lines: string[] = [];
      lines.push('architectures');
      for (const a of data.archs) {
        lines.push(`  ${a.id} ${a.version} — ${a.description}`);
        for (const v of a.variants) {
          lines.push(
            `    variant ${v.id}${v.id === a.defaultVariant ? ' (default)' : ''}: ${v.description}`,
          );
          lines.push(`      models: ${v.kernel}`);
          lines.push(
            `      units: ${v.units.map((u) => u.id).join(', ')}; classes: ${Object.entries(
              v.classes,
            )
              .map(([c, u]) => `${c}→${u}`)
              .join(', ')}`,
          );
          lines.push(
            `      guest-write registers: ${Object.entries(v.controlRegisters)
              .map(([name, r]) => (r.unit ? `${name} (${r.unit})` : name))
              .join(', ')}`,
          );
          for (const [name, what] of Object.entries(v.exitReasons))
            lines.push(`      exit reason ${name}: ${what}`);
          if (v.registerIds !== undefined)
            lines.push(`      user-get/user-set ids: ${v.registerIds}`);
          lines.push(`      kvm policy = ${v.kvm.policy}`);
        }
        lines.push('    options (workload header "config"):');
        for (const [k, s] of Object.entries(a.options))
          lines.push(`      ${k}: ${s.description} (default ${JSON.stringify(s.default)})`);
      }
      lines.push('policies');
      for (const p of data.policies) {
        const params = Object.entries(p.params).map(([k, s]) => `${k}=${s.default}`);
        lines.push(
          `  ${p.name}${params.length ? ` [${params.join(', ')}]` : ''} — ${p.description}`,
        );
      }
      lines.push('presets (run preset:NAME, or vfpu gen NAME)');
      for (const [k, p] of Object.entries(data.presets)) lines.push(`  ${k} — ${p.description}`);
      lines.push('preset parameters (--param key=value)');
      for (const [k, s] of Object.entries(PARAM_HELP)) lines.push(`  ${k} — ${s}`);
      lines.push(`unit classes: ${UNIT_CLASSES.join(', ')}`);
      lines.push('cost keys (--costs FILE: {"key": number | {"value": n, "source": "…"}})');
      for (const [k, s] of Object.entries(COST_MEANING)) lines.push(`  ${k} — ${s}`);
      io.stdout.write(`${lines.join('\n')}\n`);
    });

  program
    .command('schema')
    .description('print the JSON Schema of the workload format v1')
    .action(() => {
      io.stdout.write(`${JSON.stringify(workloadSchema(), null, 2)}\n`);
    });

  program.addOption(new Option('--no-color').hideHelp());

  try {
    await program.parseAsync(['node', 'vfpu', ...argv]);
    return exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.exitCode === 0
      )
        return 0;
      return 2; // commander already printed the message
    }
    if (e instanceof InputError || e instanceof UsageError) {
      io.stderr.write(`vfpu: ${e.message}\n`);
      return 2;
    }
    io.stderr.write(
      `vfpu: internal error (a bug in vfpu, please report it): ${(e as Error).stack ?? String(e)}\n`,
    );
    return 3;
  }
}
