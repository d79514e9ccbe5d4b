/** A user mistake: bad input, bad usage. Reported as `file:line: field: message`, exit code 2. */
export class InputError extends Error {
  readonly file: string;
  readonly line: number;
  readonly field: string;
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
}

/** Thrown by the engine for an event impossible in the current state; the driver adds file and line. */
export class ImpossibleEvent extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'ImpossibleEvent';
    this.field = field;
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
