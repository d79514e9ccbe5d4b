/**
 * Structured mutations of valid workloads. Each mutation class knows whether the workload it
 * makes must be refused (exit 2, and at which line and field) or may be accepted; `equiv`
 * mutations change only the spelling (key order, `-0`, `1.0`, CRLF, a BOM, blank lines), so the
 * exit code must be the seed's. Byte-level classes (encodings, truncation, gzip) are in
 * mutate-raw.ts. The rules are the parser's: core workload/parse-header.ts, parse-event.ts,
 * read.ts and the format's `$comment` (UTF-8, LF or CRLF, a BOM before line 1 ignored).
 */
import { gzipSync } from 'node:zlib';
import { OP_FORMATS } from '@vfpu/core';
import type { FuzzRng } from './rng.js';
import type { Seed } from './seeds.js';

export type Expect = 'refuse' | 'may' | 'equiv';

export interface Mutant {
  readonly cls: string;
  readonly expect: Expect;
  readonly data: Buffer;
  /** Written as `.ndjson.gz` (data is already compressed). */
  readonly gz: boolean;
  /** For `refuse`: the line the message must name (undefined: any line, or "before line 1"). */
  readonly line?: number;
  /** For `refuse`: the field the message must name (a prefix: `config` matches `config.x`), `*` any, null none. */
  readonly field?: string | null;
  /** What was done, for the report. */
  readonly note: string;
}

export type Mutation = (seed: Seed, rng: FuzzRng) => Mutant | undefined;

type Obj = Record<string, unknown>;
type JsonType = 'string' | 'number' | 'bool' | 'null' | 'array' | 'object';

const SAMPLES: Record<JsonType, unknown> = {
  string: 'fuzz',
  number: 7,
  bool: true,
  null: null,
  array: [1],
  object: { a: 1 },
};

const HEADER_TYPES: Record<string, JsonType[]> = {
  format: ['string'],
  version: ['number'],
  name: ['string'],
  arch: ['string'],
  variant: ['string'],
  cpus: ['number'],
  vcpus: ['number'],
  threads: ['array'],
  config: ['object'],
};

function eventTypes(op: string, key: string): JsonType[] {
  if (key === 'reg') return op === 'guest-write' ? ['string'] : ['number'];
  if (key === 'value') return ['number', 'string'];
  if (key === 'set' || key === 'clear') return ['array'];
  if (['vcpu', 'cpu', 'cycles'].includes(key)) return ['number'];
  return ['string'];
}

export function text(lines: readonly string[]): Buffer {
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** The seed with line `k` (1-based) replaced. */
function withLine(seed: Seed, k: number, line: string): Buffer {
  const lines = seed.lines.slice();
  lines[k - 1] = line;
  return text(lines);
}

/** A random line number (1-based); `header` false: an event line. */
function anyLine(seed: Seed, rng: FuzzRng, header = true): number | undefined {
  if (seed.lines.length < 2 && !header) return undefined;
  return header && rng.chance(0.2) ? 1 : 2 + rng.int(seed.lines.length - 1);
}

const RAW = '@@FUZZ-RAW@@';
/** JSON of `obj` with `key`'s value written as the raw text `raw`. */
function withRaw(obj: Obj, key: string, raw: string): string {
  return JSON.stringify({ ...obj, [key]: RAW }).replace(`"${RAW}"`, raw);
}

function parse(seed: Seed, k: number): Obj {
  return JSON.parse(seed.lines[k - 1] as string) as Obj;
}

function mutant(
  cls: string,
  expect: Expect,
  data: Buffer,
  note: string,
  line?: number,
  field?: string | null,
): Mutant {
  return {
    cls,
    expect,
    data,
    gz: false,
    note,
    ...(line !== undefined ? { line } : {}),
    ...(field !== undefined ? { field } : {}),
  };
}

/** Helper: a mutation of one key of one line. */
function keyed(
  pick: (k: number, obj: Obj, rng: FuzzRng) => string[],
  make: (seed: Seed, k: number, obj: Obj, key: string, rng: FuzzRng) => Mutant | undefined,
  header = true,
): Mutation {
  return (seed, rng) => {
    const k = anyLine(seed, rng, header);
    if (k === undefined) return undefined;
    const obj = parse(seed, k);
    const keys = pick(k, obj, rng);
    if (keys.length === 0) return undefined;
    return make(seed, k, obj, rng.pick(keys), rng);
  };
}

const allKeys = (_k: number, o: Obj) => Object.keys(o);

const fieldType: Mutation = keyed(allKeys, (seed, k, obj, key, rng) => {
  const ok = k === 1 ? HEADER_TYPES[key] : eventTypes(String(obj.op), key);
  if (ok === undefined) return undefined;
  const t = rng.pick((Object.keys(SAMPLES) as JsonType[]).filter((x) => !ok.includes(x)));
  const line = JSON.stringify({ ...obj, [key]: SAMPLES[t] });
  return mutant('field-type', 'refuse', withLine(seed, k, line), `${key} → ${t}`, k, key);
});

const unknownKey: Mutation = (seed, rng) => {
  const k = anyLine(seed, rng) as number;
  const key = rng.pick(['zz_fuzz', 'Op', 'vCPU', 'comment', '__proto__x']);
  const line = JSON.stringify({ ...parse(seed, k), [key]: rng.pick([1, 'x', null]) });
  return mutant('unknown-key', 'refuse', withLine(seed, k, line), key, k, key);
};

const emptyKey: Mutation = (seed, rng) => {
  const k = anyLine(seed, rng) as number;
  const line = JSON.stringify({ ...parse(seed, k), '': 1 });
  return mutant('empty-key', 'refuse', withLine(seed, k, line), '"" key', k, '""');
};

const duplicateKey: Mutation = keyed(allKeys, (seed, k, obj, key, rng) => {
  const raw = seed.lines[k - 1] as string;
  const value = rng.chance(0.5) ? JSON.stringify(obj[key]) : JSON.stringify(rng.pick([0, 'x']));
  const line = `${raw.slice(0, raw.lastIndexOf('}'))},${JSON.stringify(key)}:${value}}`;
  return mutant('duplicate-key', 'refuse', withLine(seed, k, line), `${key} twice`, k, key);
});

/** Values out of a numeric field's range (or not integers), by field. */
function outOfRange(seed: Seed, k: number, obj: Obj, key: string): unknown[] {
  const h = parse(seed, 1) as { cpus: number; vcpus: number };
  const common = [-1, 2 ** 53, 1e308, 1.5, -0.5];
  if (k === 1) {
    if (key === 'cpus') return [0, 1025, ...common];
    if (key === 'vcpus') return [0, 4097, ...common];
    if (key === 'version') return [0, 2, 1.5];
    return [];
  }
  if (typeof obj[key] !== 'number' && key !== 'value') return [];
  if (key === 'vcpu') return [h.vcpus, ...common];
  if (key === 'cpu') return [h.cpus, ...common];
  if (key === 'reg') return [100000, ...common];
  if (key === 'cycles') return [2 ** 53, -1, 1e308, 2.5];
  if (key === 'value') return [-1, 2 ** 32, 1e308, 0.5, '0x123456789', '0x', '12', '-0x1'];
  return [];
}

const range: Mutation = keyed(allKeys, (seed, k, obj, key, rng) => {
  const vals = outOfRange(seed, k, obj, key);
  if (vals.length === 0) return undefined;
  const v = rng.pick(vals);
  const line = JSON.stringify({ ...obj, [key]: v });
  return mutant('out-of-range', 'refuse', withLine(seed, k, line), `${key}=${v}`, k, key);
});

const notJsonNumber: Mutation = keyed(
  (_k, o) => Object.keys(o).filter((x) => typeof o[x] === 'number'),
  (seed, k, obj, key, rng) => {
    const raw = rng.pick(['NaN', 'Infinity', '-Infinity', '0x10', '01', '+1', '1.', '.5', '1e']);
    const line = withRaw(obj, key, raw);
    return mutant('nan-as-text', 'refuse', withLine(seed, k, line), `${key}=${raw}`, k, null);
  },
);

/** Number literals JSON reads as Infinity or as an inexact huge integer. */
const hugeLiteral: Mutation = keyed(
  (k, o) =>
    Object.keys(o).filter(
      (x) => typeof o[x] === 'number' && (k > 1 || ['version', 'cpus', 'vcpus'].includes(x)),
    ),
  (seed, k, obj, key, rng) => {
    const raw = rng.pick(['1e400', '-1e400', '123456789012345678901234567890', '9007199254740993']);
    const line = withRaw(obj, key, raw);
    return mutant('huge-literal', 'refuse', withLine(seed, k, line), `${key}=${raw}`, k, key);
  },
);

/** Same number, other spelling: -0 for 0, 1.0, 1e0, 10e-1. */
const equivNumber: Mutation = keyed(
  (_k, o) => Object.keys(o).filter((x) => Number.isInteger(o[x])),
  (seed, k, obj, key, rng) => {
    const n = obj[key] as number;
    const raw =
      n === 0
        ? rng.pick(['-0', '0.0', '0e5', '-0.0'])
        : rng.pick([`${n}.0`, `${n}e0`, `${n}0e-1`, `${n}.000`]);
    const line = withRaw(obj, key, raw);
    return mutant('equiv-number', 'equiv', withLine(seed, k, line), `${key}=${raw}`);
  },
);

const ENUM_KEYS = ['unit', 'access', 'reason', 'condition', 'thread', 'name', 'id', 'op', 'reg'];

const badEnum: Mutation = keyed(
  (k, o) =>
    k === 1
      ? []
      : Object.keys(o).filter(
          (x) => ENUM_KEYS.includes(x) && (x !== 'reg' || o.op === 'guest-write'),
        ),
  (seed, k, obj, key, rng) => {
    const v = String(obj[key]);
    const swapped = [...v]
      .map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))
      .join('');
    const choices = [`no-such-${key}`, `${v} `, ` ${v}`, '', `${v}\u0000`];
    if (swapped !== v && key !== 'id') choices.push(swapped);
    const vmm = /^vmm(\d+)$/.exec(v);
    if (vmm !== null) choices.push(`vmm0${vmm[1]}`, `vmm+${vmm[1]}`, `vmm${vmm[1]}.0`);
    const bad = rng.pick(choices);
    const line = JSON.stringify({ ...obj, [key]: bad });
    return mutant(
      'bad-enum',
      'refuse',
      withLine(seed, k, line),
      `${key}=${JSON.stringify(bad)}`,
      k,
      key,
    );
  },
  false,
);

const dropKey: Mutation = keyed(allKeys, (seed, k, obj, key) => {
  const rest = { ...obj };
  delete rest[key];
  const required =
    k === 1
      ? ['format', 'version', 'cpus', 'vcpus'].includes(key)
      : key === 'op' ||
        (OP_FORMATS[obj.op as keyof typeof OP_FORMATS]?.required ?? []).includes(key as never);
  const line = JSON.stringify(rest);
  if (!required) return mutant('drop-optional', 'may', withLine(seed, k, line), `-${key}`);
  return mutant('drop-required', 'refuse', withLine(seed, k, line), `-${key}`, k, '*');
});

const reorderKeys: Mutation = (seed, rng) => {
  const k = anyLine(seed, rng) as number;
  const obj = parse(seed, k);
  const keys = Object.keys(obj);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [keys[i], keys[j]] = [keys[j] as string, keys[i] as string];
  }
  const line = JSON.stringify(Object.fromEntries(keys.map((x) => [x, obj[x]])));
  return mutant('reorder-keys', 'equiv', withLine(seed, k, line), keys.join(','));
};

const notObject: Mutation = (seed, rng) => {
  const k = anyLine(seed, rng) as number;
  const v = rng.pick(['[1,2]', '42', '"x"', 'null', 'true', '[]', '{}x']);
  return mutant('not-object', 'refuse', withLine(seed, k, v), v, k, null);
};

/** `key` with one character written as a \\u escape (the same key to JSON). */
function escaped(key: string, rng: FuzzRng): string {
  const i = rng.int(key.length);
  const u = `\\u${(key.charCodeAt(i) as number).toString(16).padStart(4, '0')}`;
  return `"${key.slice(0, i)}${u}${key.slice(i + 1)}"`;
}

/** A key spelled with a \\u escape: the same line; its duplicate spelled so is still a duplicate. */
const escapedKey: Mutation = keyed(
  (_k, o) => Object.keys(o).filter((x) => x !== ''),
  (seed, k, obj, key, rng) => {
    const raw = seed.lines[k - 1] as string;
    const esc = escaped(key, rng);
    if (rng.chance(0.5)) {
      const line = raw.replace(JSON.stringify(key), esc);
      return mutant('escaped-key', 'equiv', withLine(seed, k, line), esc);
    }
    const line = `${raw.slice(0, raw.lastIndexOf('}'))},${esc}:${JSON.stringify(obj[key])}}`;
    return mutant('escaped-key', 'refuse', withLine(seed, k, line), `${esc} twice`, k, key);
  },
);

/** Two `work` events whose cycles sum past 2^53 − 1: refused at the line the run's total passes it. */
const cyclesOverflow: Mutation = (seed, rng) => {
  const lines = seed.lines.slice();
  const h = parse(seed, 1) as { cpus: number };
  const big = Number.MAX_SAFE_INTEGER - rng.int(3);
  const at = 1 + rng.int(lines.length);
  const work = JSON.stringify({ op: 'work', cpu: rng.int(h.cpus), cycles: big });
  lines.splice(at, 0, work, work);
  let before = 0;
  for (let k = 2; k <= at; k++) {
    const e = parse(seed, k);
    if (e.op === 'work') before += e.cycles as number;
  }
  const line = before + big > Number.MAX_SAFE_INTEGER ? at + 1 : at + 2;
  return mutant('cycles-overflow', 'refuse', text(lines), `2 × ${big} cycles`, line, 'cycles');
};

export const FIELD_MUTATIONS: Readonly<Record<string, Mutation>> = {
  'field-type': fieldType,
  'unknown-key': unknownKey,
  'empty-key': emptyKey,
  'duplicate-key': duplicateKey,
  'out-of-range': range,
  'nan-as-text': notJsonNumber,
  'equiv-number': equivNumber,
  'huge-literal': hugeLiteral,
  'bad-enum': badEnum,
  drop: dropKey,
  'reorder-keys': reorderKeys,
  'not-object': notObject,
  'cycles-overflow': cyclesOverflow,
  'escaped-key': escapedKey,
};

/** One mutant of a random seed by a random class (retrying classes that do not apply). */
export function mutate(
  seeds: readonly Seed[],
  rng: FuzzRng,
  classes: readonly [string, Mutation][],
): { seed: Seed; m: Mutant } {
  for (;;) {
    // a class that applies to few seeds (nested config) is tried on several before another class
    const [, f] = rng.pick(classes);
    for (let tries = 0; tries < 30; tries++) {
      const seed = rng.pick(seeds);
      const m = f(seed, rng);
      if (m === undefined) continue;
      // now and then the same mutant compressed: the .gz path reports the same line and field
      if (!m.gz && rng.chance(0.08))
        return { seed, m: { ...m, data: gzipSync(m.data), gz: true, note: `${m.note} (.gz)` } };
      return { seed, m };
    }
  }
}

export { anyLine, mutant, parse, withLine };
