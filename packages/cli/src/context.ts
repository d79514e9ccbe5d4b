/** What every command is given: the injected streams, and the exit code it may raise. */

export interface Io {
  /** Where output goes (reports, tables, JSON). */
  readonly stdout: NodeJS.WritableStream;
  /** Where errors, warnings and progress go. */
  readonly stderr: NodeJS.WritableStream;
  /** Progress is shown only when stderr is a terminal. */
  readonly progress: boolean;
  /** Directory `--backend` paths and package names are resolved from (default: process.cwd()). */
  readonly cwd?: string;
}

export interface Context {
  readonly io: Io;
  /** 0 ok, 1 state violation; a thrown UsageError/InputError makes it 2. */
  exitCode: number;
}

/** Bad usage: printed as `vfpu: message`, exit 2. */
export class UsageError extends Error {}
