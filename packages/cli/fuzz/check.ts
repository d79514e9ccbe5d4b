/**
 * Runs one mutant through the CLI in-process (`main` of src/index.ts, as the CLI tests do) and
 * checks it: exit code in {0, 1, 2}; no stack trace or internal error; exit 2 with one line on
 * stderr, `vfpu: FILE:LINE: FIELD: …` (the line and field the mutation expects, when it expects
 * some) or `vfpu: FILE: …, before line 1`; nothing on stdout and no output file or `.tmp` left
 * behind; a must-refuse mutant never accepted; an `equiv` mutant exits as its seed did.
 * A hang is a case with no answer in HANG_MS (the run yields to the event loop between batches
 * of lines), or one that took longer; a loop that never yields would stop the fuzzer itself.
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/index.js';
import type { Mutant } from './mutate.js';
import type { FuzzRng } from './rng.js';

export const POLICIES = ['kvm', 'lazy', 'eager', 'lazy-per-exit', 'widest', 'adaptive'] as const;

export type Problem = 'crash' | 'hang' | 'accepted' | 'message' | 'leftover' | 'nondeterministic';

export interface CaseResult {
  readonly code: number;
  readonly problems: readonly { kind: Problem; detail: string }[];
  /** Exit 1 (a violation) on a mutant that parsed, or an `equiv` mutant exiting unlike its seed. */
  readonly finding?: string;
  readonly ms: number;
  readonly argv: readonly string[];
  readonly stderr: string;
}

interface Out {
  code: number;
  out: string;
  err: string;
}

function sink(): { stream: NodeJS.WritableStream; text: () => string } {
  const parts: string[] = [];
  const stream = {
    write(s: string | Uint8Array): boolean {
      parts.push(typeof s === 'string' ? s : Buffer.from(s).toString('utf8'));
      return true;
    },
    once() {},
  } as unknown as NodeJS.WritableStream;
  return { stream, text: () => parts.join('') };
}

export const HANG_MS = 20_000;

async function invoke(argv: readonly string[]): Promise<Out | 'hang'> {
  const out = sink();
  const err = sink();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<'hang'>((resolve) => {
    timer = setTimeout(() => resolve('hang'), HANG_MS);
  });
  try {
    const run = main(argv, { stdout: out.stream, stderr: err.stream, progress: false }).then(
      (code) => ({ code, out: out.text(), err: err.text() }),
      (e: unknown) => ({ code: 3, out: out.text(), err: `thrown: ${(e as Error)?.stack ?? e}` }),
    );
    return await Promise.race([run, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Messages that name a line but no field (the line as a whole is wrong). */
const NO_FIELD =
  /^(malformed JSON|not UTF-8|line longer|an event must be|the header must be|cannot read|empty|no header)/;
const TRACE =
  /(^|\n) {4}at |\b(TypeError|RangeError|ReferenceError|SyntaxError|Error): |internal error/;

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Problems with the exit-2 message `err` for `file`, expecting `m`'s line and field. */
export function messageProblem(err: string, file: string, m: Mutant): string | undefined {
  const lines = err.trimEnd().split('\n');
  if (lines.length !== 1) return `${lines.length} lines on stderr`;
  const msg = lines[0] as string;
  const at = new RegExp(`^vfpu: ${esc(file)}:(\\d+): (.*)$`).exec(msg);
  if (at === null) {
    if (!msg.startsWith(`vfpu: ${file}: `)) return 'does not start with "vfpu: FILE:LINE: "';
    if (!/before line 1/.test(msg)) return 'names no line (nor "before line 1")';
    if (m.line !== undefined) return `expected line ${m.line}`;
    return undefined;
  }
  const line = Number(at[1]);
  const rest = at[2] as string;
  if (line < 1) return `line ${line}`;
  if (m.expect === 'refuse' && m.line !== undefined && line !== m.line)
    return `expected line ${m.line}, got ${line}`;
  const field = /^((?:[^ :"]|"[^"]*")+): /.exec(rest)?.[1];
  if (m.expect === 'refuse' && m.field === null) {
    if (!NO_FIELD.test(rest)) return 'expected a message about the whole line';
    return undefined;
  }
  if (field === undefined || NO_FIELD.test(rest)) {
    if (NO_FIELD.test(rest) && (m.expect !== 'refuse' || m.field === undefined)) return undefined;
    return 'names no field';
  }
  if (m.expect === 'refuse' && typeof m.field === 'string' && m.field !== '*') {
    const ok =
      field === m.field || field.startsWith(`${m.field}.`) || field.startsWith(`${m.field}[`);
    if (!ok) return `expected field ${m.field}, got ${field}`;
  }
  return undefined;
}

export interface CaseOptions {
  readonly dir: string;
  readonly rng: FuzzRng;
  /** Exit code of the unmutated seed (for `equiv` and findings). */
  readonly seedCode: number;
  /** Run the case twice and compare. */
  readonly twice: boolean;
  readonly index: number;
}

/** The command line of a case: every policy at once (JSON), one policy with --trace, or explain. */
function command(file: string, trace: string, rng: FuzzRng): string[] {
  const r = rng.int(4);
  if (r <= 1) return ['run', file, '--policy', POLICIES.join(','), '--json'];
  const policy = rng.pick(POLICIES);
  if (r === 2) return ['run', file, '--policy', policy, '--trace', trace];
  return ['explain', file, '--policy', policy];
}

export async function runCase(m: Mutant, o: CaseOptions): Promise<CaseResult> {
  const caseDir = join(o.dir, `c${o.index}`);
  const file = join(caseDir, m.gz ? 'w.ndjson.gz' : 'w.ndjson');
  const trace = join(caseDir, 'out', 'trace.txt');
  rmSync(caseDir, { recursive: true, force: true });
  (await import('node:fs')).mkdirSync(join(caseDir, 'out'), { recursive: true });
  writeFileSync(file, m.data);
  const argv = command(file, trace, o.rng);
  const problems: { kind: Problem; detail: string }[] = [];
  const t0 = performance.now();
  const r = await invoke(argv);
  const ms = performance.now() - t0;
  let finding: string | undefined;
  if (r === 'hang' || ms > HANG_MS) {
    problems.push({ kind: 'hang', detail: `no answer in ${Math.round(ms)} ms` });
  }
  if (r !== 'hang') {
    if (![0, 1, 2].includes(r.code)) problems.push({ kind: 'crash', detail: `exit ${r.code}` });
    if (TRACE.test(r.err))
      problems.push({ kind: 'crash', detail: 'stack trace or JS error on stderr' });
    if (m.expect === 'refuse' && r.code !== 2)
      problems.push({ kind: 'accepted', detail: `exit ${r.code} on a must-refuse mutant` });
    if (r.code === 2) {
      const bad = messageProblem(r.err, file, m);
      if (bad !== undefined) problems.push({ kind: 'message', detail: bad });
      if (r.out !== '') problems.push({ kind: 'leftover', detail: 'stdout written on exit 2' });
      if (existsSync(trace))
        problems.push({ kind: 'leftover', detail: '--trace file written on exit 2' });
    }
    if (r.code === 0 && argv.includes('--trace') && !existsSync(trace))
      problems.push({ kind: 'leftover', detail: 'exit 0 without the --trace file' });
    const tmp = readdirSync(join(caseDir, 'out')).filter((f) => f.endsWith('.tmp'));
    if (tmp.length > 0)
      problems.push({ kind: 'leftover', detail: `${tmp.join(', ')} left behind` });
    if (m.expect === 'equiv' && r.code !== o.seedCode)
      finding = `exit ${r.code} where the seed exits ${o.seedCode} (same workload, other spelling)`;
    else if (r.code === 1 && o.seedCode === 0)
      finding = 'state violation (exit 1) on a mutant that parsed';
    if (o.twice && problems.length === 0) {
      rmSync(trace, { force: true });
      const again = await invoke(argv);
      if (again === 'hang' || again.code !== r.code || again.out !== r.out || again.err !== r.err)
        problems.push({ kind: 'nondeterministic', detail: 'a second run printed something else' });
    }
  }
  if (problems.length === 0) rmSync(caseDir, { recursive: true, force: true });
  return {
    code: r === 'hang' ? -1 : r.code,
    problems,
    ...(finding !== undefined ? { finding } : {}),
    ms,
    argv,
    stderr: r === 'hang' ? '' : r.err,
  };
}
