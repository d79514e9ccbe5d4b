/**
 * The parts of a run every way of feeding it events shares (run.ts, run-replay.ts): one
 * simulator per configuration (prepare), a step with the input's place on its errors
 * (stepChecked), the report (finish), and the grouping of configurations by variant.
 */
import pkg from '../package.json' with { type: 'json' };
import type { BackendV2, VariantSpec } from './contract/backend.js';
import { type CostTable, mergeCosts } from './costs.js';
import { SliceLookahead } from './engine/lookahead.js';
import { Simulator } from './engine/simulator.js';
import { ImpossibleEvent, InputError } from './errors.js';
import { coincidence, type ResolvedPolicy, resolvePolicy } from './policy/resolve.js';
import { buildReport, type ResolvedConfig, type WorkloadOrigin } from './report.js';
import { DEFAULT_SEED } from './rng.js';
import type { RunRequest, RunResult } from './run-request.js';
import { selectBackend } from './select-backend.js';
import { TimelineProbe } from './timeline.js';
import { TraceCollector } from './trace.js';
import type { WorkloadEvent } from './workload/event.js';
import { EventParser } from './workload/parse-event.js';
import type { WorkloadHeader } from './workload/parse-header.js';

/** An event's line, or how to write a generated one (only called to explain it). */
export type Text = string | (() => string);

/** The version of this @vfpu/core (its package.json), as reports print it. */
export const CORE_VERSION: string = pkg.version;

export interface Prepared {
  readonly sim: Simulator;
  readonly backend: BackendV2;
  readonly variant: VariantSpec;
  readonly config: Omit<ResolvedConfig, 'input'>;
  readonly tracer: TraceCollector | undefined;
  readonly probe: TimelineProbe | undefined;
  /** The slice look-ahead, for a policy that asks for it (lookahead.ts): events go through it. */
  look?: SliceLookahead;
}

export function prepare(
  header: WorkloadHeader,
  req: RunRequest,
  file: string,
  headerLine = 1,
): Prepared {
  const { backend, variant } = selectBackend(header, req, file, headerLine);
  const opts = backend.resolveConfig(variant, header.config, {
    cpus: header.cpus,
    vcpus: header.vcpus,
    threads: header.threads,
  });
  if (!opts.ok) throw new InputError(file, headerLine, `config.${opts.field}`, opts.message);
  let policy: ResolvedPolicy;
  try {
    policy = resolvePolicy(req.policy, variant);
  } catch (e) {
    throw new InputError('--policy', 0, '', (e as Error).message);
  }
  let costs: CostTable = variant.costs;
  if (req.costs !== undefined) {
    const merged = mergeCosts(variant.costs, req.costs);
    if (!merged.ok)
      throw new InputError(req.costsFile ?? '--costs', 0, merged.field, merged.message);
    costs = merged.value;
  }
  const seed = req.seed ?? DEFAULT_SEED;
  // calls are kept only on request: with explain alone they would grow with the run
  const tracer =
    req.explain !== undefined || req.recordCalls || req.tracepoints !== undefined
      ? new TraceCollector(req.recordCalls === true, req.tracepoints)
      : undefined;
  const sim = new Simulator({
    backend,
    variant,
    cpus: header.cpus,
    vcpus: header.vcpus,
    threads: header.threads,
    options: opts.value,
    policy,
    costs,
    seed,
    ...(tracer ? { tracer } : {}),
  });
  const same = coincidence(policy, variant);
  if (same !== undefined) sim.state.warn(same);
  const config: Omit<ResolvedConfig, 'input'> = {
    versions: { '@vfpu/core': CORE_VERSION, [`@vfpu/${backend.id}`]: backend.version },
    backend: backend.id,
    variant: variant.id,
    kernel: variant.kernel,
    policy: { name: policy.name, runs: policy.definition.name, params: policy.params },
    options: opts.value,
    costs,
    seed,
    topology: { cpus: header.cpus, vcpus: header.vcpus, threads: header.threads },
  };
  const probe = req.timeline !== undefined ? new TimelineProbe(sim.state) : undefined;
  const p: Prepared = { sim, backend, variant, config, tracer, probe };
  if (policy.definition.lookahead === 'slice') {
    const run = (e: WorkloadEvent, text: string) => stepNow(p, e, file, text, req);
    p.look = new SliceLookahead(header.vcpus, variant, sim.lattice, sim.state.policy, run);
  }
  return p;
}

/** `text`: the event's line, or how to write a generated one (only called to explain it). */
export function stepChecked(
  p: Prepared,
  ev: WorkloadEvent,
  file: string,
  text: Text,
  req: RunRequest,
) {
  if (p.look === undefined) stepNow(p, ev, file, text, req);
  else p.look.push(ev, req.explain === undefined ? '' : typeof text === 'string' ? text : text());
}

/**
 * {@link stepChecked} for each member of `g`, by index: a `for…of` in the file passes left
 * garbage that V8 did not remove (5.3 MB in a replay of 500 K lines; heap sampling).
 */
export function stepMembers(g: Group, ev: WorkloadEvent, file: string, text: Text): void {
  const ms = g.members;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i] as Group['members'][number];
    stepChecked(m.p, ev, file, text, m.req);
  }
}

/** RunRequest.progress is called every this many events (a power of two). */
export const PROGRESS_EVERY = 1 << 16;

function stepNow(p: Prepared, ev: WorkloadEvent, file: string, text: Text, req: RunRequest) {
  try {
    p.sim.step(ev);
  } catch (e) {
    if (ImpossibleEvent.isInstance(e)) throw new InputError(file, ev.line, e.field, e.message);
    throw e;
  }
  if (p.tracer !== undefined) {
    const lines = p.tracer.take();
    if (req.explain !== undefined)
      req.explain(ev.line, typeof text === 'string' ? text : text(), lines);
  }
  if (p.probe !== undefined) req.timeline?.(p.probe.observe(ev), p.probe);
  if (req.progress !== undefined && (p.sim.events & (PROGRESS_EVERY - 1)) === 0)
    req.progress(p.sim.events);
}

export function finish(
  p: Prepared,
  name: string,
  input: ResolvedConfig['input'],
  origin: WorkloadOrigin = {},
): RunResult {
  p.look?.flush();
  const report = buildReport(p.sim, name, { ...p.config, input }, origin);
  return { report, calls: p.tracer?.calls ?? [], state: p.sim.machine.inspect() };
}

/** The simulators of one variant: they share the parse of each line. */
export interface Group {
  readonly parser: EventParser;
  readonly members: { readonly p: Prepared; readonly req: RunRequest }[];
}

export function groupByVariant(
  header: WorkloadHeader,
  reqs: readonly RunRequest[],
  file: string,
): { prepared: Prepared[]; groups: Group[] } {
  const prepared = reqs.map((r) => prepare(header, r, file));
  const groups = new Map<string, Group>();
  prepared.forEach((p, i) => {
    const key = `${p.backend.id}\u0000${p.variant.id}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = {
        parser: new EventParser({
          file,
          header,
          variant: p.variant,
          lattice: p.sim.lattice,
          neutralOnly: header.arch === undefined,
        }),
        members: [],
      };
      groups.set(key, g);
    }
    g.members.push({ p, req: reqs[i] as RunRequest });
  });
  return { prepared, groups: [...groups.values()] };
}
