/**
 * Running a workload: picks the backend and variant, resolves options, policy and costs, then
 * streams events through the engine. User mistakes become {@link InputError}s naming file, line
 * and field.
 */
import { createHash } from 'node:crypto';
import type { Simulator } from './engine/simulator.js';
import { InputError } from './errors.js';
import { DEFAULT_SEED } from './rng.js';
import {
  finish,
  type Group,
  groupByVariant,
  prepare,
  stepChecked,
  stepMembers,
} from './run-prepare.js';
import { runPacked } from './run-replay.js';
import type { PresetRequest, RunRequest, RunResult } from './run-request.js';
import { UNIT_CLASSES, type UnitClass } from './units.js';
import { WorkloadEvent } from './workload/event.js';
import { replayMode } from './workload/packed-source.js';
import { EventParser } from './workload/parse-event.js';
import { parseHeader, type WorkloadHeader } from './workload/parse-header.js';
import { ParamError } from './workload/presets/catalog.js';
import { PresetGenerator } from './workload/presets/generator.js';
import { byteLineEnd, type ChunkSource, type LineSource, openLineSource } from './workload/read.js';
import { formatEvent } from './workload/write.js';

export { CORE_VERSION } from './run-prepare.js';
export type { PresetRequest, RunRequest, RunResult } from './run-request.js';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Runs an NDJSON workload from a file, `-` (stdin) or a `.gz` file, streaming. */
export async function runFile(path: string, req: RunRequest): Promise<RunResult> {
  return (await runFileMany(path, [req]))[0] as RunResult;
}

/**
 * {@link runFile} for several configurations (arch, variant, policy, …) in one pass: the input is
 * read once (so stdin works) and each event is parsed once per variant and fed to every simulator.
 */
export async function runFileMany(path: string, reqs: readonly RunRequest[]): Promise<RunResult[]> {
  if (reqs.length === 0) return []; // nothing to run: the input is not read
  const mode = replayMode(path);
  if (mode !== 'direct' && reqs.every((r) => r.explain === undefined)) {
    const results = await runPacked(path, reqs, mode);
    if (results !== undefined) return results;
  }
  return runLinesMany(openLineSource(path), reqs, path === '-' ? 'stdin' : path, path);
}

/**
 * Runs an NDJSON workload from any source of lines (e.g. `vfpu import` producing it as it reads
 * a trace), streaming. `name` names the workload when its header does not.
 */
export async function runLines(
  source: LineSource,
  req: RunRequest,
  name = source.name,
  input = name,
): Promise<RunResult> {
  return (await runLinesMany(source, [req], name, input))[0] as RunResult;
}

/** {@link runLines} for several configurations in one pass (see {@link runFileMany}). */
export async function runLinesMany(
  source: LineSource,
  reqs: readonly RunRequest[],
  name = source.name,
  input = name,
): Promise<RunResult[]> {
  const file = source.name;
  // nothing to run (and no group would take a line: the loop below needs one)
  if (reqs.length === 0) return [];
  let run: ReturnType<typeof groupByVariant> | undefined;
  const ev = new WorkloadEvent();
  let line = 0;
  let header: WorkloadHeader | undefined;
  /** Line `line` as text, from group `first` on: the header, a line the fast path left, or a string source's. */
  const textLine = (text: string, first: number, fast: boolean): void => {
    if (run === undefined) {
      header = parseHeader(text, file);
      run = groupByVariant(header, reqs, file);
      return;
    }
    for (let k = first; k < run.groups.length; k++) {
      const g = run.groups[k] as Group;
      if (!(fast ? g.parser.parse(text, line, ev) : g.parser.parseSlow(text, line, ev))) break;
      stepMembers(g, ev, file, text);
    }
  };
  if ('byteChunks' in source) {
    // the fast path reads each line in place; its text is made only to explain it
    let b: Buffer = Buffer.alloc(0);
    let from = 0;
    const lineText = (): string =>
      b.toString('utf8', from, byteLineEnd(b, from, b.indexOf(10, from)));
    for await (const chunk of (source as ChunkSource).byteChunks()) {
      b = chunk.bytes;
      const before = line;
      let pos = 0;
      // the header, then the lines of a run of one variant (most runs), then of several
      if (run === undefined) {
        line++;
        const nl = b.indexOf(10);
        textLine(b.toString('utf8', 0, byteLineEnd(b, 0, nl)), 0, false);
        pos = nl + 1;
      }
      // textLine has set `run` (a closure's assignment TypeScript does not follow)
      const groups = (run as { groups: Group[] } | undefined)?.groups ?? [];
      const one = groups.length === 1 ? groups[0] : undefined;
      while (one !== undefined && pos < b.length) {
        line++;
        from = pos;
        let nl = one.parser.parseAt(b, pos, line, ev);
        if (nl >= 0) stepMembers(one, ev, file, lineText);
        else {
          nl = b.indexOf(10, pos);
          textLine(lineText(), 0, false);
        }
        pos = nl + 1;
      }
      // several variants (never none: with no request this function returned at once)
      while (pos < b.length) {
        line++;
        from = pos;
        let nl = -1;
        // the groups (variants) whose fast path takes the line
        let k = 0;
        for (; k < groups.length; k++) {
          const g = groups[k] as Group;
          nl = g.parser.parseAt(b, pos, line, ev);
          if (nl < 0) break;
          stepMembers(g, ev, file, lineText);
        }
        if (k < groups.length) {
          nl = b.indexOf(10, pos);
          textLine(lineText(), k, false);
        }
        pos = nl + 1;
      }
      chunk.lines = line - before;
    }
  } else
    for await (const batch of source.batches())
      for (const text of batch) {
        line++;
        textLine(text, 0, true);
      }
  if (run === undefined || header === undefined)
    throw new InputError(file, 1, '', 'empty workload: line 1 must be the header');
  const h = header;
  return run.prepared.map((p) =>
    finish(p, h.name ?? name, { source: input, sha256: source.sha256() }, h),
  );
}

/** Runs a workload given as NDJSON text (tests, examples). */
export function runText(text: string, req: RunRequest, name = '<inline>'): RunResult {
  const lines = text.split('\n');
  const header = parseHeader(lines[0] ?? '', name);
  const p = prepare(header, req, name);
  const parser = new EventParser({
    file: name,
    header,
    variant: p.variant,
    lattice: p.sim.lattice,
    neutralOnly: header.arch === undefined,
  });
  const ev = new WorkloadEvent();
  for (let i = 1; i < lines.length; i++) {
    const t = (lines[i] as string).replace(/\r$/, '');
    if (!parser.parse(t, i + 1, ev)) continue;
    stepChecked(p, ev, name, t, req);
  }
  return finish(p, header.name ?? name, { source: name, sha256: sha256(text) }, header);
}

/** Runs a generated workload: events are produced lazily, never stored. */
export function runPreset(pr: PresetRequest, req: RunRequest): RunResult {
  return simulatePreset(pr, req).result;
}

/** {@link runPreset} for several configurations: the events are generated once, for all of them. */
export function runPresetMany(pr: PresetRequest, reqs: readonly RunRequest[]): RunResult[] {
  return simulatePresetMany(pr, reqs).map((r) => r.result);
}

/** {@link runPreset}, also handing back the simulator (for vfpu's own tools: the benchmark). */
export function simulatePreset(
  pr: PresetRequest,
  req: RunRequest,
): { readonly result: RunResult; readonly simulator: Simulator } {
  return simulatePresetMany(pr, [req])[0] as { result: RunResult; simulator: Simulator };
}

function simulatePresetMany(
  pr: PresetRequest,
  reqs: readonly RunRequest[],
): { readonly result: RunResult; readonly simulator: Simulator }[] {
  const seed = reqs[0]?.seed ?? DEFAULT_SEED;
  if (reqs.some((r) => (r.seed ?? DEFAULT_SEED) !== seed))
    throw new Error('runPresetMany: every configuration of one pass has the same seed');
  let gen: PresetGenerator;
  try {
    gen = new PresetGenerator(pr.preset, pr.events, seed, pr.params ?? {});
  } catch (e) {
    const param = e instanceof ParamError;
    throw new InputError(param ? '--param' : `preset:${pr.preset}`, 0, '', (e as Error).message);
  }
  const name = `preset:${pr.preset}`;
  const sims = reqs.map((req) => {
    const p = prepare(gen.header, req, name, 0);
    // generated events carry a class index in `unit`: each simulator maps it to its unit
    const lattice = p.sim.lattice;
    const classUnit = Int32Array.from(UNIT_CLASSES, (c) =>
      lattice.indexOf(p.variant.classMap[c as UnitClass]),
    );
    const ev = new WorkloadEvent();
    const explainText = (): string => formatEvent(ev, (c) => p.sim.contextName(c));
    return { p, req, classUnit, ev, explainText };
  });
  let n = 0;
  const only = sims.length === 1 ? sims[0] : undefined;
  if (only !== undefined) {
    // one simulator: the generator fills its event directly (no copy per event)
    const ev = only.ev;
    while (gen.next(ev)) {
      n++;
      ev.line = n;
      if (ev.unit >= 0) ev.unit = only.classUnit[ev.unit] as number;
      stepChecked(only.p, ev, name, only.explainText, only.req);
    }
  } else {
    const gev = new WorkloadEvent();
    while (gen.next(gev)) {
      n++;
      gev.line = n;
      for (const x of sims) {
        const ev = x.ev.copyFrom(gev);
        if (ev.unit >= 0) ev.unit = x.classUnit[ev.unit] as number;
        stepChecked(x.p, ev, name, x.explainText, x.req);
      }
    }
  }
  const source = `${name} events=${pr.events} params=${JSON.stringify(gen.params)}`;
  return sims.map((x) => ({
    result: finish(x.p, name, { source, sha256: sha256(source) }),
    simulator: x.p.sim,
  }));
}
