/**
 * Shard files: a header line `{"format":"vfpu-sweep-shard","version":1,"sweep":ID,"shard":I,
 * "shards":N,"runs":R,"rows":K}` then the shard's K run rows. ID is a digest of everything that
 * decides the sweep's rows (workload, grid, seeds, cost table, backends, vfpu version), so shards
 * of different sweeps are told apart. `mergeShards` checks the set (one sweep, every shard once,
 * each whole) and gives back the run rows in order.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describeIoError, InputError } from '@vfpu/core';
import type { Row } from './rows.js';

export const SHARD_FORMAT = 'vfpu-sweep-shard';

export interface ShardHeader {
  readonly format: typeof SHARD_FORMAT;
  readonly version: 1;
  readonly sweep: string;
  readonly shard: number;
  readonly shards: number;
  readonly runs: number;
  readonly rows: number;
}

/** The sweep's identity: a SHA-256 of the canonical JSON of what decides its rows. */
export function sweepId(what: unknown): string {
  return createHash('sha256').update(JSON.stringify(what)).digest('hex');
}

export function shardHeader(h: Omit<ShardHeader, 'format' | 'version'>): string {
  return `${JSON.stringify({ format: SHARD_FORMAT, version: 1, ...h })}\n`;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function readShard(path: string): { header: ShardHeader; rows: Row[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(path, 0, '', `cannot read: ${describeIoError(e)}`);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const parsed = lines.map((l, i) => {
    try {
      return JSON.parse(l) as Record<string, unknown>;
    } catch {
      throw new InputError(path, i + 1, '', 'not JSON: not a whole vfpu sweep shard');
    }
  });
  const h = parsed[0];
  if (
    h === undefined ||
    h.format !== SHARD_FORMAT ||
    h.version !== 1 ||
    typeof h.sweep !== 'string' ||
    !isInt(h.shard) ||
    !isInt(h.shards) ||
    !isInt(h.runs) ||
    !isInt(h.rows)
  )
    throw new InputError(path, 1, '', `not a vfpu sweep shard (no "${SHARD_FORMAT}" v1 header)`);
  const header = h as unknown as ShardHeader;
  const rows = parsed.slice(1) as Row[];
  if (rows.length !== header.rows)
    throw new InputError(path, 0, '', `${rows.length} rows where its header says ${header.rows}`);
  rows.forEach((r, i) => {
    if (r.kind !== 'run' || !isInt(r.run) || r.run >= header.runs || !isInt(r.point))
      throw new InputError(path, i + 2, 'run', 'not a run row of this sweep');
  });
  return { header, rows };
}

/** The run rows of every shard in output order, after checking that they make one whole sweep. */
export function mergeShards(paths: readonly string[]): Row[] {
  const shards = paths.map((path) => ({ path, ...readShard(path) }));
  const first = shards[0];
  if (first === undefined) return [];
  const byIndex = new Map<number, string>();
  for (const s of shards) {
    const h = s.header;
    if (h.sweep !== first.header.sweep || h.shards !== first.header.shards)
      throw new InputError(
        s.path,
        0,
        '',
        `a shard of another sweep than ${first.path} (sweep ${h.sweep.slice(0, 12)}…, ${h.shards} shards; ${first.path}: ${first.header.sweep.slice(0, 12)}…, ${first.header.shards} shards)`,
      );
    const other = byIndex.get(h.shard);
    if (other !== undefined)
      throw new InputError(s.path, 0, '', `shard ${h.shard} of ${h.shards} again (also ${other})`);
    byIndex.set(h.shard, s.path);
  }
  const n = first.header.shards;
  const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0)
    throw new InputError(
      first.path,
      0,
      '',
      `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${n} missing (given: ${paths.join(' ')})`,
    );
  const runs: (Row | undefined)[] = Array.from({ length: first.header.runs }, () => undefined);
  for (const s of shards)
    for (const r of s.rows) {
      const i = r.run as number;
      if (runs[i] !== undefined)
        throw new InputError(s.path, 0, 'run', `run ${i} is in two shards`);
      runs[i] = r;
    }
  const hole = runs.indexOf(undefined);
  if (hole >= 0) throw new InputError(first.path, 0, 'run', `run ${hole} is in no shard`);
  return runs as Row[];
}
