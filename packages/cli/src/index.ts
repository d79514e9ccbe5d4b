/**
 * The `vfpu` command: run, compare, gen, import, explain, list, schema. `main` is the whole program, with its
 * streams injected so tests can run it in-process. Exit codes: 0 ok, 1 state violation,
 * 2 bad input or usage.
 */
import { InputError } from '@vfpu/core';
import { Command, CommanderError, Option } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { addCheck } from './commands/check.js';
import { addCompare } from './commands/compare.js';
import { addExplain } from './commands/explain.js';
import { addGen } from './commands/gen.js';
import { addImport } from './commands/import.js';
import { addList } from './commands/list.js';
import { addMerge } from './commands/merge.js';
import { addReport } from './commands/report.js';
import { addRun } from './commands/run.js';
import { addSchema } from './commands/schema.js';
import { addSweep } from './commands/sweep.js';
import { type Context, type Io, UsageError } from './context.js';

export { BACKENDS, withBackends } from './backends.js';
export type { Io } from './context.js';

/** Runs the `vfpu` command with `argv` (the arguments after `vfpu`), writing to `io`; resolves to the exit code: 0, 1 for a state violation, 2 for bad input or usage. It never calls process.exit. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const ctx: Context = { io, exitCode: 0 };
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

  addRun(program, ctx);
  addCompare(program, ctx);
  addExplain(program, ctx);
  addGen(program, ctx);
  addImport(program, ctx);
  addCheck(program, ctx);
  addList(program, ctx);
  addReport(program, ctx);
  addSchema(program, ctx);
  addSweep(program, ctx);
  addMerge(program, ctx);

  program.addOption(new Option('--no-color').hideHelp());

  try {
    await program.parseAsync(['node', 'vfpu', ...argv]);
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (
        e.code === 'commander.helpDisplayed' ||
        e.code === 'commander.version' ||
        e.exitCode === 0
      )
        return 0;
      // commander already printed the message; a missing or extra argument gets the usage line
      if (e.code === 'commander.missingArgument' || e.code === 'commander.excessArguments') {
        const cmd = program.commands.find((c) => c.name() === argv[0]);
        if (cmd !== undefined) io.stderr.write(`Usage: vfpu ${cmd.name()} ${cmd.usage()}\n`);
      }
      return 2;
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
