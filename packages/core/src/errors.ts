/**
 * vfpu's errors carry a marker symbol, so `VfpuError.isInstance(e)` works across copies of the
 * package (a backend installed beside the CLI may bring its own @vfpu/core); never use instanceof.
 */
const MARKER = Symbol.for('vfpu.error');

/** The base of every error vfpu throws on purpose (as opposed to a crash); test it with `VfpuError.isInstance`. */
export class VfpuError extends Error {
  /** The marker (`Symbol.for('vfpu.error')`) that `isInstance` looks for: the same symbol in every copy of @vfpu/core. */
  readonly [MARKER] = true;
  /** Any vfpu error, from any copy of @vfpu/core. */
  static isInstance(e: unknown): e is VfpuError {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** A user mistake: bad input, bad usage. Reported as `file:line: field: message`, exit code 2. */
export class InputError extends VfpuError {
  /** Always `'input'`: what `InputError.isInstance` checks. */
  readonly kind = 'input';
  /** The file the mistake is in (`-` for stdin, or the option for a command-line mistake). */
  readonly file: string;
  /** Its 1-based line; 0 when the mistake is not on a line. */
  readonly line: number;
  /** The field or option at fault (`arch`, `config.guest.Status`), or empty. */
  readonly field: string;
  /** What is wrong, without the place. */
  readonly detail: string;
  constructor(file: string, line: number, field: string, detail: string) {
    const where = line > 0 ? `${file}:${line}` : file;
    super(field ? `${where}: ${field}: ${detail}` : `${where}: ${detail}`);
    this.name = 'InputError';
    this.file = file;
    this.line = line;
    this.field = field;
    this.detail = detail;
  }
  static override isInstance(e: unknown): e is InputError {
    return VfpuError.isInstance(e) && (e as { kind?: unknown }).kind === 'input';
  }
}

/** Thrown by the engine for an event impossible in the current state; the driver adds file and line. */
export class ImpossibleEvent extends VfpuError {
  /** Always `'impossible'`: what `ImpossibleEvent.isInstance` checks. */
  readonly kind = 'impossible';
  /** The event's field that cannot hold (for the message the driver completes). */
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'ImpossibleEvent';
    this.field = field;
  }
  static override isInstance(e: unknown): e is ImpossibleEvent {
    return VfpuError.isInstance(e) && (e as { kind?: unknown }).kind === 'impossible';
  }
}

/** A backend that breaks the contract (a missing hook or capability group): the backend's bug. */
export class ContractError extends VfpuError {
  /** Always `'contract'`: what `ContractError.isInstance` checks. */
  readonly kind = 'contract';
  constructor(backend: string, message: string) {
    super(`backend ${backend}: ${message}`);
    this.name = 'ContractError';
  }
  static override isInstance(e: unknown): e is ContractError {
    return VfpuError.isInstance(e) && (e as { kind?: unknown }).kind === 'contract';
  }
}

/** A short reason for a file-system error, for messages (`no such file`, `is a directory`, …). */
export function describeIoError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a parent is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
      return `not valid gzip data (${err.message})`;
    default:
      return err.message;
  }
}
