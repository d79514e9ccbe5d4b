/**
 * Byte-level mutations: a BOM (ignored before line 1 by the parser, garbage elsewhere), CRLF and
 * lone-CR line ends, bytes that are not UTF-8, control characters, truncated lines and files,
 * an over-long line (the format's limit is LIMITS.lineChars), and gzip: valid, corrupted or cut.
 * For gzip the truth is zlib's own: a file `gunzipSync` refuses must be refused.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { LIMITS } from '@vfpu/core';
import { type Mutant, type Mutation, mutant, text } from './mutate.js';
import type { FuzzRng } from './rng.js';
import type { Seed } from './seeds.js';

/** Byte offset of the start of line k (1-based) in the seed's text, and the line's byte length. */
function lineSpan(seed: Seed, k: number): [number, number] {
  let off = 0;
  for (let i = 0; i < k - 1; i++) off += Buffer.byteLength(seed.lines[i] as string) + 1;
  return [off, Buffer.byteLength(seed.lines[k - 1] as string)];
}

function anyLine(seed: Seed, rng: FuzzRng): number {
  return 1 + rng.int(seed.lines.length);
}

function splice(buf: Buffer, at: number, insert: Uint8Array, remove = 0): Buffer {
  return Buffer.concat([buf.subarray(0, at), insert, buf.subarray(at + remove)]);
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const bom: Mutation = (seed, rng) => {
  const data = text(seed.lines);
  if (rng.chance(0.5))
    return mutant('bom', 'equiv', Buffer.concat([BOM, data]), 'BOM before line 1');
  const k = 2 + rng.int(seed.lines.length - 1);
  if (k > seed.lines.length) return undefined;
  const [off] = lineSpan(seed, k);
  return mutant('bom', 'refuse', splice(data, off, BOM), `BOM before line ${k}`, k, null);
};

const crlf: Mutation = (seed, rng) => {
  if (rng.chance(0.6))
    return mutant('line-ends', 'equiv', Buffer.from(`${seed.lines.join('\r\n')}\r\n`), 'CRLF');
  if (seed.lines.length < 2) return undefined;
  // a lone CR is not a line end: two lines run together (CR is JSON whitespace)
  const k = 1 + rng.int(seed.lines.length - 1);
  const lines = seed.lines.slice();
  lines.splice(k - 1, 2, `${lines[k - 1]}\r${lines[k]}`);
  return mutant('line-ends', 'refuse', text(lines), `CR alone after line ${k}`, k, null);
};

const BAD_UTF8: readonly number[][] = [
  [0xff],
  [0xfe],
  [0xc0, 0x80],
  [0x80],
  [0xed, 0xa0, 0x80],
  [0xf5, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf4, 0x90, 0x80, 0x80],
  [0xc3],
];

const nonUtf8: Mutation = (seed, rng) => {
  const k = anyLine(seed, rng);
  const [off, len] = lineSpan(seed, k);
  const bytes = rng.pick(BAD_UTF8);
  const at = off + rng.int(len + 1);
  const data = splice(text(seed.lines), at, Uint8Array.from(bytes));
  return mutant(
    'non-utf8',
    'refuse',
    data,
    `${bytes.map((b) => b.toString(16))} in line ${k}`,
    k,
    null,
  );
};

const controlChar: Mutation = (seed, rng) => {
  const k = anyLine(seed, rng);
  const line = seed.lines[k - 1] as string;
  // inside a string value or between tokens: never valid JSON (U+0000–U+001F other than whitespace)
  const quote = line.indexOf('"', 2);
  const at = quote > 0 && rng.chance(0.5) ? quote + 1 : 1 + rng.int(Math.max(1, line.length - 1));
  const c = rng.pick(['\u0000', '\u0001', '\u001b', '\u000c', '\u007f\u0000']);
  const lines = seed.lines.slice();
  lines[k - 1] = line.slice(0, at) + c + line.slice(at);
  return mutant(
    'control-char',
    'refuse',
    text(lines),
    `${JSON.stringify(c)} in line ${k}`,
    k,
    null,
  );
};

const truncate: Mutation = (seed, rng) => {
  const k = anyLine(seed, rng);
  const line = seed.lines[k - 1] as string;
  const lines = seed.lines.slice(0, k);
  if (rng.chance(0.5)) {
    // cut inside the line (with or without a final newline)
    lines[k - 1] = line.slice(0, 1 + rng.int(line.length - 1));
    const data = rng.chance(0.5) ? text(lines) : Buffer.from(lines.join('\n'));
    return mutant('truncate-line', 'refuse', data, `line ${k} cut`, k, null);
  }
  const data = rng.chance(0.5) ? text(lines) : Buffer.from(lines.join('\n'));
  return mutant('truncate-file', 'may', data, `after line ${k}`);
};

const empty: Mutation = (_seed, rng) => {
  const v = rng.pick(['', '\n', '\r\n', '   \n', '\ufeff']);
  return mutant('empty-file', 'refuse', Buffer.from(v), JSON.stringify(v), undefined, undefined);
};

const longLine: Mutation = (seed, rng) => {
  const k = 2 + rng.int(seed.lines.length);
  const pad = LIMITS.lineChars + 1 + rng.int(100);
  const line = rng.chance(0.5)
    ? `{"op":"work","cycles":1,${' '.repeat(pad)}"vcpu":0}`
    : `{"op":"work","cycles":1,"vcpu":0,"x":"${'é'.repeat(pad)}"}`;
  const lines = seed.lines.slice();
  lines.splice(k - 1, 0, line);
  return mutant('long-line', 'refuse', text(lines), `${pad} characters at line ${k}`, k, null);
};

const joinLines: Mutation = (seed, rng) => {
  if (seed.lines.length < 2) return undefined;
  const k = 1 + rng.int(seed.lines.length - 1);
  const lines = seed.lines.slice();
  lines.splice(k - 1, 2, `${lines[k - 1]}${rng.pick(['', ' ', ',', '\t'])}${lines[k]}`);
  return mutant('join-lines', 'refuse', text(lines), `lines ${k} and ${k + 1} joined`, k, null);
};

/** The file reader's chunk size (fs.createReadStream's highWaterMark). */
const CHUNK = 1 << 16;

/**
 * A character split across the reader's 64 KiB chunks: the header's name padded so that a
 * multi-byte character, a CRLF, or a byte that is not UTF-8 straddles the boundary.
 */
const chunkBoundary: Mutation = (seed, rng) => {
  const h = JSON.parse(seed.lines[0] as string) as Record<string, unknown>;
  const probe = Buffer.from(JSON.stringify({ ...h, name: '@' }));
  const at = probe.indexOf('@'); // the name's offset in the header line
  const r = rng.int(3);
  const crlf = r === 1;
  const rest = seed.lines.slice(1);
  const join = (head: Buffer): Buffer =>
    Buffer.concat([head, Buffer.from(crlf ? `\r\n${rest.join('\r\n')}\r\n` : `\n${text(rest)}`)]);
  const header = (name: string): Buffer => Buffer.from(JSON.stringify({ ...h, name }));
  if (r === 0) {
    const ch = rng.pick(['é', '€', '😀']);
    const len = Buffer.byteLength(ch);
    const shift = 1 + rng.int(len - 1); // bytes of the character in the first chunk
    const name = `${'a'.repeat(CHUNK - at - shift)}${ch}`;
    return mutant(
      'chunk-boundary',
      'equiv',
      join(header(name)),
      `${ch} split ${shift}+${len - shift}`,
    );
  }
  if (r === 1) {
    // the header's CR the last byte of the first chunk, its LF the first of the second
    const pad = CHUNK - probe.length;
    return mutant('chunk-boundary', 'equiv', join(header('a'.repeat(pad))), 'CR | LF');
  }
  const bad = Uint8Array.from(rng.pick(BAD_UTF8));
  const shift = rng.int(bad.length + 1);
  const head = header('a'.repeat(CHUNK - at - shift));
  const data = splice(head, CHUNK - shift, bad);
  return mutant(
    'chunk-boundary',
    'refuse',
    join(data),
    `${bad.length} bad bytes at the boundary`,
    1,
    null,
  );
};

/**
 * Arrays nested deep: in the header's config (refused past LIMITS.depth, naming `config`) or in
 * an unknown key of an event with a nested object beside it (the duplicate scan runs; refused
 * naming the key). A recursive walker would overflow the stack (exit 3).
 */
const deepNesting: Mutation = (seed, rng) => {
  const n = rng.pick([LIMITS.depth + 1, 1000, 50_000]);
  const deep = `${'['.repeat(n)}${']'.repeat(n)}`;
  const lines = seed.lines.slice();
  if (rng.chance(0.5)) {
    const h = lines[0] as string;
    const cfg = JSON.stringify({ ...JSON.parse(h), config: '@@DEEP@@' });
    lines[0] = cfg.replace('"@@DEEP@@"', `{"fuzz":${deep}}`);
    return mutant('deep-nesting', 'refuse', text(lines), `config ${n} deep`, 1, 'config');
  }
  if (lines.length < 2) return undefined;
  const k = 2 + rng.int(lines.length - 1);
  const e = lines[k - 1] as string;
  lines[k - 1] = `${e.slice(0, e.lastIndexOf('}'))},"zz":${deep},"zy":{"a":1}}`;
  return mutant('deep-nesting', 'refuse', text(lines), `event ${n} deep`, k, 'zz');
};

function gz(m: Omit<Mutant, 'gz'>): Mutant {
  return { ...m, gz: true };
}

const gzip: Mutation = (seed, rng) => {
  const plain = text(seed.lines);
  const data = gzipSync(plain);
  const r = rng.int(4);
  if (r === 0) return gz(mutant('gzip', 'equiv', data, 'valid gzip'));
  let bad: Buffer;
  let note: string;
  if (r === 1) {
    const n = rng.int(data.length);
    bad = data.subarray(0, n);
    note = `gzip cut to ${n} of ${data.length} bytes`;
  } else {
    bad = Buffer.from(data);
    const flips = 1 + rng.int(3);
    const at: number[] = [];
    for (let i = 0; i < flips; i++) {
      const p = rng.int(bad.length);
      at.push(p);
      bad[p] = (bad[p] as number) ^ (1 + rng.int(255));
    }
    note = `gzip bytes ${at.join(',')} of ${data.length} flipped`;
  }
  let out: Buffer | undefined;
  try {
    out = gunzipSync(bad);
  } catch {
    out = undefined;
  }
  if (out === undefined) return gz(mutant('gzip', 'refuse', bad, note, undefined, undefined));
  return gz(
    mutant('gzip', out.equals(plain) ? 'equiv' : 'may', bad, `${note} (gunzip accepts it)`),
  );
};

export const RAW_MUTATIONS: Readonly<Record<string, Mutation>> = {
  bom,
  'line-ends': crlf,
  'non-utf8': nonUtf8,
  'control-char': controlChar,
  truncate,
  'empty-file': empty,
  'long-line': longLine,
  'join-lines': joinLines,
  'chunk-boundary': chunkBoundary,
  'deep-nesting': deepNesting,
  gzip,
};
