/**
 * Validation of a workload's line 1 (the header), and the value checks the event parser shares.
 * Unknown fields are errors; every error names the file, the line and the field.
 */
import { InputError } from '../errors.js';
import { duplicateKey, tooDeep } from './duplicates.js';
import { HEADER_KEYS, LIMITS } from './format.js';

export interface WorkloadHeader {
  readonly format: 'vfpu-workload';
  readonly version: 1;
  readonly name?: string;
  readonly arch?: string;
  readonly variant?: string;
  readonly cpus: number;
  readonly vcpus: number;
  readonly threads: readonly string[];
  readonly config: Readonly<Record<string, unknown>>;
  /** Where the workload came from (`vfpu import`): carried into the report. */
  readonly source?: Readonly<Record<string, unknown>>;
  /** What the workload assumes that its source could not show: printed in every report. */
  readonly assumptions?: readonly string[];
}

/** The message for a key given twice in one line. */
/** The message for a `null` where a field's default was meant. */
export const NULL_FIELD = 'null is not a value here; omit the field to take its default';

export const DUPLICATE = 'given twice (JSON would keep only the last; give each field once)';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** A key as a message's field: quoted when empty or not a plain name (`""`, `"a b"`). */
export function fieldLabel(key: string): string {
  return /^[A-Za-z0-9_$-]+$/.test(key) ? key : JSON.stringify(key);
}

export function describe(x: unknown): string {
  if (x === undefined) return 'nothing (the field is missing)';
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string')
    return `the string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)}`;
  if (typeof x === 'object') return 'an object';
  return `${typeof x} ${String(x)}`;
}

export function parseJson(text: string, file: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(file, line, '', `malformed JSON (${(e as Error).message})`);
  }
}

export function intField(
  obj: Record<string, unknown>,
  key: string,
  min: number,
  max: number,
  file: string,
  line: number,
): number {
  const v = obj[key];
  if (v === undefined) throw new InputError(file, line, key, 'missing');
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new InputError(file, line, key, `expected an integer, got ${describe(v)}`);
  }
  if (v < min || v > max) throw new InputError(file, line, key, `${v} is outside ${min}..${max}`);
  return v;
}

/** Parses line 1. */
export function parseHeader(text: string, file: string): WorkloadHeader {
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const obj = parseJson(json, file, 1);
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new InputError(file, 1, '', `the header must be a JSON object, got ${describe(obj)}`);
  }
  // before anything walks it recursively (a backend's option checks)
  const deep = tooDeep(json, LIMITS.depth);
  if (deep !== undefined)
    throw new InputError(file, 1, fieldLabel(deep), `nested more than ${LIMITS.depth} levels deep`);
  const dup = duplicateKey(json);
  if (dup !== undefined) throw new InputError(file, 1, dup, DUPLICATE);
  const h = obj as Record<string, unknown>;
  if (h.format === undefined)
    throw new InputError(file, 1, 'format', 'missing (expected "vfpu-workload")');
  if (h.format !== 'vfpu-workload') {
    throw new InputError(file, 1, 'format', `expected "vfpu-workload", got ${describe(h.format)}`);
  }
  if (h.version !== 1) {
    throw new InputError(
      file,
      1,
      'version',
      `this vfpu reads workload version 1, got ${describe(h.version)}`,
    );
  }
  for (const key of Object.keys(h)) {
    if (!(HEADER_KEYS as readonly string[]).includes(key)) {
      throw new InputError(
        file,
        1,
        fieldLabel(key),
        `unknown header field (known: ${HEADER_KEYS.join(', ')})`,
      );
    }
  }
  for (const key of ['name', 'arch', 'variant'] as const) {
    if (h[key] !== undefined && typeof h[key] !== 'string') {
      throw new InputError(file, 1, key, `expected a string, got ${describe(h[key])}`);
    }
  }
  const cpus = intField(h, 'cpus', 1, LIMITS.cpus, file, 1);
  const vcpus = intField(h, 'vcpus', 1, LIMITS.vcpus, file, 1);
  for (const key of ['threads', 'config'] as const) {
    if (h[key] === null) throw new InputError(file, 1, key, NULL_FIELD);
  }
  const threads = h.threads ?? [];
  if (!Array.isArray(threads)) {
    throw new InputError(
      file,
      1,
      'threads',
      `expected an array of names, got ${describe(threads)}`,
    );
  }
  const seen = new Set<string>();
  threads.forEach((t, i) => {
    if (typeof t !== 'string' || !NAME_RE.test(t)) {
      throw new InputError(
        file,
        1,
        `threads[${i}]`,
        `expected a name like "bash", got ${describe(t)}`,
      );
    }
    if (/^vmm\d+$/.test(t)) {
      throw new InputError(file, 1, `threads[${i}]`, `"${t}" is reserved for vCPU VMM threads`);
    }
    if (seen.has(t)) throw new InputError(file, 1, `threads[${i}]`, `"${t}" declared twice`);
    seen.add(t);
  });
  if (threads.length > LIMITS.threads) {
    throw new InputError(file, 1, 'threads', `at most ${LIMITS.threads} threads`);
  }
  const config = h.config ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new InputError(file, 1, 'config', `expected an object, got ${describe(config)}`);
  }
  const source = h.source;
  if (
    source !== undefined &&
    (typeof source !== 'object' || source === null || Array.isArray(source))
  )
    throw new InputError(file, 1, 'source', `expected an object, got ${describe(source)}`);
  const assumptions = h.assumptions;
  if (assumptions !== undefined) {
    if (!Array.isArray(assumptions))
      throw new InputError(
        file,
        1,
        'assumptions',
        `expected an array of sentences, got ${describe(assumptions)}`,
      );
    if (assumptions.length > LIMITS.assumptions)
      throw new InputError(file, 1, 'assumptions', `at most ${LIMITS.assumptions} assumptions`);
    assumptions.forEach((a, i) => {
      if (typeof a !== 'string' || a.trim() === '')
        throw new InputError(
          file,
          1,
          `assumptions[${i}]`,
          `expected a sentence, got ${describe(a)}`,
        );
    });
  }
  const header: WorkloadHeader = {
    format: 'vfpu-workload',
    version: 1,
    cpus,
    vcpus,
    threads: threads as string[],
    config: config as Record<string, unknown>,
    ...(typeof h.name === 'string' ? { name: h.name } : {}),
    ...(typeof h.arch === 'string' ? { arch: h.arch } : {}),
    ...(typeof h.variant === 'string' ? { variant: h.variant } : {}),
    ...(source !== undefined ? { source: source as Record<string, unknown> } : {}),
    ...(assumptions !== undefined ? { assumptions: assumptions as string[] } : {}),
  };
  return header;
}

/** What the event parser needs to know about the run. */
