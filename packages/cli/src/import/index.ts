/**
 * `vfpu import`: a kernel trace (`trace-cmd report` or `perf script` text) as a workload v1.
 * Two passes over the file: the first checks every line and counts what the header says
 * (cpus, vcpus, threads, the events per kind, the skipped ones, the steps the trace left out);
 * the second writes the lines. Standard input is spooled to a temporary file first. Memory is
 * flat in the input's length (the look-ahead of open exits is bounded: queue.ts).
 */
import { basename } from 'node:path';
import { type BackendV2, InputError } from '@vfpu/core';
import { BACKENDS } from '../backends.js';
import { UsageError } from '../context.js';
import { ArchEvidence, x86TrapUnit } from './arch.js';
import { assumptions } from './assumptions.js';
import type { TraceFormat } from './framing.js';
import { GuestFeed } from './guest.js';
import { Identity } from './identity.js';
import { Mapper } from './mapper.js';
import { type PassStats, type RecordedTracepoint, runPass } from './pass.js';
import { type Spool, spoolStdin } from './spool.js';

export type { RecordedTracepoint } from './pass.js';

export interface ImportOptions {
  readonly format: 'trace-cmd' | 'perf-script' | 'auto';
  readonly arch?: string;
  readonly variant?: string;
  readonly guestFp: 'none' | 'every-slice' | 'from-guest-trace';
  readonly guestTrace?: string;
}

export interface TraceImport {
  readonly arch: string;
  readonly variant: string | undefined;
  /** Workload NDJSON lines in order (the header first), each with the trace line it came from. */
  lines(): AsyncGenerator<{ readonly texts: string[]; readonly traceLines: number[] }>;
  /** Called for each recorded FP tracepoint (kvm_fpu, kvm_aux, FP kvm_exit), in trace order,
   *  before the batch holding the workload event of the same trace line is yielded. */
  onRecorded?: (r: RecordedTracepoint) => void;
}

/** What the first pass found, for the header and the summary. */
export interface ImportSummary {
  readonly stats: PassStats;
  readonly adjusted: Readonly<Record<string, number>>;
  readonly workloadLines: number;
  readonly guestEvents?: number;
}

function backendOf(arch: string): BackendV2 {
  const b = BACKENDS.find((x) => x.id === arch);
  if (b === undefined)
    throw new UsageError(
      `--arch: unknown architecture "${arch}" (known: ${BACKENDS.map((x) => x.id).join(', ')})`,
    );
  return b;
}

function newStats(): PassStats {
  return { format: undefined, lines: 0, cpusLine: 0, lost: 0, events: {}, skipped: {} };
}

function mapperFor(
  id: Identity,
  keep: boolean,
  variant: BackendV2['variants'][number] | undefined,
  opts: ImportOptions,
): Mapper {
  return new Mapper(id, {
    keep,
    everySlice: opts.guestFp === 'every-slice' ? (variant?.classMap.vec512 ?? 'vec512') : undefined,
    x86Trap: x86TrapUnit(variant?.id ?? ''),
    hasIo: (variant?.exitReasons ?? []).some((r) => r.name === 'io'),
  });
}

/** Opens a trace: the first pass runs here (errors in the input are thrown now). */
export async function openTraceImport(
  path: string,
  opts: ImportOptions,
): Promise<TraceImport & { readonly summary: ImportSummary }> {
  if (opts.guestFp === 'from-guest-trace' && opts.guestTrace === undefined)
    throw new UsageError('--guest-fp from-guest-trace needs --guest-trace FILE');
  if (opts.guestFp !== 'from-guest-trace' && opts.guestTrace !== undefined)
    throw new UsageError('--guest-trace needs --guest-fp from-guest-trace');
  if (opts.arch !== undefined) backendOf(opts.arch);
  let spool: Spool | undefined;
  const name = path === '-' ? '<stdin>' : path;
  if (path === '-') spool = await spoolStdin();
  const file = spool?.path ?? path;
  const format: TraceFormat | undefined = opts.format === 'auto' ? undefined : opts.format;
  try {
    // pass 1: check and count (the x86 #NM unit and the every-slice unit do not change counts)
    const id1 = new Identity();
    const stats = newStats();
    const evidence = new ArchEvidence();
    const provisional = opts.arch !== undefined ? backendOf(opts.arch) : undefined;
    const pv = provisional?.variants.find(
      (x) => x.id === (opts.variant ?? provisional.defaultVariant),
    );
    const m1 = mapperFor(id1, false, pv, opts);
    const g1 = opts.guestTrace !== undefined ? new GuestFeed(opts.guestTrace, []) : undefined;
    for await (const _ of runPass(
      { path: file, name, format, mapper: m1, evidence, guest: g1 },
      stats,
    )) {
      // counting only
    }
    const decided = evidence.decide();
    let arch: string;
    if (opts.arch !== undefined) {
      arch = opts.arch;
      if ('arch' in decided && decided.arch !== arch)
        throw new UsageError(
          `--arch ${arch}, but the trace is ${decided.arch}'s (${evidence.seen.get(decided.arch)})`,
        );
    } else if ('arch' in decided) arch = decided.arch;
    else throw new UsageError(`${decided.problem}: give --arch`);
    const backend = backendOf(arch);
    const variantId = opts.variant ?? backend.defaultVariant;
    const variant = backend.variants.find((x) => x.id === variantId);
    if (variant === undefined)
      throw new UsageError(
        `--variant: ${arch} has no variant "${variantId}" (known: ${backend.variants.map((x) => x.id).join(', ')})`,
      );
    if (
      stats.events.kvm_entry === undefined &&
      stats.events.kvm_enter === undefined &&
      stats.events.kvm_reenter === undefined
    )
      throw new InputError(
        name,
        0,
        '',
        'the trace holds no guest entry (kvm_entry, kvm_enter): nothing to import',
      );

    const widest = variant.classMap.vec512;
    const header = {
      format: 'vfpu-workload',
      version: 1,
      name: `import:${basename(name)}`,
      arch,
      ...(opts.variant !== undefined ? { variant: opts.variant } : {}),
      cpus: Math.max(stats.cpusLine, m1.maxCpu + 1, 1),
      vcpus: Math.max(id1.vcpus, 1),
      threads: id1.threads,
      config: {},
      source: {
        file: basename(name),
        format: stats.format,
        arch,
        lines: stats.lines,
        events: stats.events,
        skipped: stats.skipped,
        ...(stats.lost > 0 ? { lost: stats.lost } : {}),
        ...(Object.keys(m1.adjusted).length > 0 ? { adjusted: m1.adjusted } : {}),
        ...(g1 !== undefined
          ? {
              guestTrace: {
                file: basename(opts.guestTrace as string),
                events: g1.events,
                skipped: g1.skipped,
              },
            }
          : {}),
      },
      assumptions: assumptions(arch, variantId, opts, widest, m1.adjusted, id1.renumbered),
    };
    const headerText = JSON.stringify(header);
    const summary: ImportSummary = {
      stats,
      adjusted: m1.adjusted,
      workloadLines: m1.q.written + 1,
      ...(g1 !== undefined ? { guestEvents: g1.events } : {}),
    };
    const imp: TraceImport & { summary: ImportSummary } = {
      arch,
      variant: opts.variant,
      summary,
      async *lines() {
        try {
          yield { texts: [headerText], traceLines: [0] };
          const id2 = new Identity();
          const m2 = mapperFor(id2, true, variant, opts);
          const units = variant.units.map((u) => u.id);
          const g2 =
            opts.guestTrace !== undefined ? new GuestFeed(opts.guestTrace, units) : undefined;
          yield* runPass(
            { path: file, name, format, mapper: m2, guest: g2, recorded: () => imp.onRecorded },
            newStats(),
          );
        } finally {
          spool?.remove();
        }
      },
    };
    return imp;
  } catch (e) {
    spool?.remove();
    throw e;
  }
}
