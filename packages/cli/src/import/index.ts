/**
 * `vfpu import`: a kernel trace (`trace-cmd report` or `perf script` text) as a workload v1.
 * One pass over the trace checks every line, counts what the header says (cpus, vcpus, threads,
 * the events per kind, the skipped ones, the steps the trace left out) and writes the workload
 * lines to a spool file (replay.ts); `lines()` yields the header, then the spool. Standard input
 * is spooled to a temporary file first. Memory is flat in the input's length (the look-ahead of
 * open exits is bounded: queue.ts).
 */
import { basename } from 'node:path';
import type { BackendV2, VariantSpec } from '@vfpu/core';
import { didYouMean, unknownChoice } from '@vfpu/core/internal';
import { BACKENDS } from '../backends.js';
import { UsageError } from '../context.js';
import { type Spool, spoolStdin } from '../spool.js';
import { ArchEvidence, x86TrapUnit } from './arch.js';
import { assumptions } from './assumptions.js';
import type { TraceFormat } from './framing.js';
import { GuestFeed } from './guest.js';
import { Identity } from './identity.js';
import { Mapper } from './mapper.js';
import { type PassStats, type RecordedTracepoint, runPass } from './pass.js';
import { type Fills, IO, ReplayFile, TRAP, WIDEST } from './replay.js';

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
      `--arch: ${unknownChoice(
        'architecture',
        arch,
        BACKENDS.map((x) => x.id),
      )}`,
    );
  return b;
}

function newStats(): PassStats {
  return { format: undefined, lines: 0, cpusLine: 0, lost: 0, events: {}, skipped: {} };
}

/** The unit and reason names that wait for the variant (replay.ts placeholders), by placeholder. */
function fills(variant: VariantSpec): Fills {
  return [
    [TRAP, x86TrapUnit(variant.id)],
    [WIDEST, variant.classMap.vec512],
    [IO, (variant.exitReasons ?? []).some((r) => r.name === 'io') ? 'io' : 'mmio'],
  ];
}

/** The units of the x86 variant a guest-side x86_fpu trace is read for. */
function guestUnits(opts: ImportOptions): string[] {
  const x86 = backendOf('x86-xfd');
  const arch = opts.arch === 'x86-xfd' ? opts.variant : undefined;
  const v = x86.variants.find((x) => x.id === (arch ?? x86.defaultVariant)) ?? x86.variants[0];
  return (v?.units ?? []).map((u) => u.id);
}

/**
 * Opens a trace: its one pass runs here (errors in the input are thrown now), the workload lines
 * wait in a spool file until `lines()` yields them after the header.
 */
export async function openTraceImport(
  path: string,
  opts: ImportOptions,
): Promise<TraceImport & { readonly summary: ImportSummary }> {
  const r = await importPass(path, opts, false);
  const imp: TraceImport & { summary: ImportSummary } = {
    arch: r.arch,
    variant: opts.variant,
    summary: r.summary,
    async *lines() {
      try {
        yield { texts: [r.header], traceLines: [0] };
        yield* r.spool.read(r.fill, () => imp.onRecorded);
      } finally {
        r.spool.remove();
      }
    },
  };
  return imp;
}

/** The CLI's import: the header, then the workload text in blocks of whole lines. */
export async function importText(
  path: string,
  opts: ImportOptions,
): Promise<{
  readonly arch: string;
  readonly summary: ImportSummary;
  /** The header, then the workload lines as bytes (the spool copied without decoding it). */
  text(): AsyncGenerator<string | Uint8Array>;
}> {
  const r = await importPass(path, opts, true);
  return {
    arch: r.arch,
    summary: r.summary,
    async *text() {
      try {
        yield `${r.header}\n`;
        yield* r.spool.bytes(r.fill);
      } finally {
        r.spool.remove();
      }
    },
  };
}

interface PassResult {
  readonly arch: string;
  readonly header: string;
  readonly summary: ImportSummary;
  readonly spool: ReplayFile;
  readonly fill: Fills;
}

/** The one pass: every line checked and mapped, the lines spooled; the header built after it. */
async function importPass(path: string, opts: ImportOptions, plain: boolean): Promise<PassResult> {
  if (opts.guestFp === 'from-guest-trace' && opts.guestTrace === undefined)
    throw new UsageError('--guest-fp from-guest-trace needs --guest-trace FILE');
  if (opts.guestFp !== 'from-guest-trace' && opts.guestTrace !== undefined)
    throw new UsageError('--guest-trace needs --guest-fp from-guest-trace');
  if (opts.arch !== undefined) backendOf(opts.arch);
  let spool: Spool | undefined;
  let replay: ReplayFile | undefined;
  const name = path === '-' ? '<stdin>' : path;
  try {
    if (path === '-') spool = await spoolStdin();
    const file = spool?.path ?? path;
    const format: TraceFormat | undefined = opts.format === 'auto' ? undefined : opts.format;
    const id = new Identity();
    const stats = newStats();
    const evidence = new ArchEvidence();
    const mapper = new Mapper(id, {
      keep: true,
      everySlice: opts.guestFp === 'every-slice' ? WIDEST : undefined,
      x86Trap: TRAP,
      ioReason: IO,
    });
    const guest =
      opts.guestTrace !== undefined ? new GuestFeed(opts.guestTrace, guestUnits(opts)) : undefined;
    const out = new ReplayFile(plain);
    replay = out;
    const record = (r: RecordedTracepoint) => out.recorded(r);
    const pass = runPass(
      {
        path: file,
        name,
        format,
        mapper,
        evidence,
        guest,
        ...(plain ? {} : { recorded: () => record }),
      },
      stats,
    );
    for await (const b of pass) {
      for (let i = 0; i < b.texts.length; i++)
        out.line(b.traceLines[i] as number, b.texts[i] as string);
      await out.drain();
    }
    await out.close();
    spool?.remove();
    spool = undefined;

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
    const variantIds = backend.variants.map((x) => x.id);
    if (variant === undefined)
      throw new UsageError(
        `--variant: ${arch} has no variant "${variantId}" (known: ${variantIds.join(', ')})${didYouMean(variantId, variantIds)}`,
      );

    const header = {
      format: 'vfpu-workload',
      version: 1,
      name: `import:${basename(name)}`,
      arch,
      ...(opts.variant !== undefined ? { variant: opts.variant } : {}),
      cpus: Math.max(stats.cpusLine, mapper.maxCpu + 1, 1),
      vcpus: Math.max(id.vcpus, 1),
      threads: id.threads,
      config: {},
      source: {
        file: basename(name),
        format: stats.format,
        arch,
        lines: stats.lines,
        events: stats.events,
        skipped: stats.skipped,
        ...(stats.lost > 0 ? { lost: stats.lost } : {}),
        ...(Object.keys(mapper.adjusted).length > 0 ? { adjusted: mapper.adjusted } : {}),
        ...(guest !== undefined
          ? {
              guestTrace: {
                file: basename(opts.guestTrace as string),
                events: guest.events,
                skipped: guest.skipped,
              },
            }
          : {}),
      },
      assumptions: [
        ...assumptions(
          arch,
          variantId,
          opts,
          variant.classMap.vec512,
          mapper.adjusted,
          id.renumbered,
        ),
        ...(mapper.noPid
          ? [
              "The trace has no pid column: a vCPU is named by its events' vcpu field, and an event without one is the vCPU last seen on its pCPU.",
            ]
          : []),
      ],
    };
    const headerText = JSON.stringify(header);
    const summary: ImportSummary = {
      stats,
      adjusted: mapper.adjusted,
      workloadLines: mapper.q.written + 1,
      ...(guest !== undefined ? { guestEvents: guest.events } : {}),
    };
    return { arch, header: headerText, summary, spool: out, fill: fills(variant) };
  } catch (e) {
    spool?.remove();
    replay?.remove();
    throw e;
  }
}
