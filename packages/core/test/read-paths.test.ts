/**
 * A workload file is run by one of three passes: run.ts's own pass over the bytes (stdin, explain,
 * `VFPU_REPLAY_THREADS=1`; one loop for a run of one variant, another for several), the packed
 * pass (from source: the reader's code in this thread) and runText. On the same bytes, spanning
 * several chunks, with lines the fast path leaves (a blank line, a blank after a colon) and a
 * CRLF line (the fast path takes it; its text must lose the CR), all three give the same reports,
 * and explain gets each line's own text in both loops.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toyBackend } from '../../testkit/src/toy.js';
import { runFileMany, runText } from '../src/run.js';
import type { RunRequest } from '../src/run-request.js';
import { WorkloadEvent } from '../src/workload/event.js';
import { PresetGenerator } from '../src/workload/presets/generator.js';
import { formatEvent, formatHeader } from '../src/workload/write.js';

const dir = mkdtempSync(join(tmpdir(), 'vfpu-read-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A generated workload as text (past two 256 KiB reads), with lines only the full parser takes and a CRLF line. */
function workload(events: number): { text: string; lines: string[] } {
  const gen = new PresetGenerator('overcommit', events, 3, {});
  const v = gen.header.vcpus;
  const threadName = (c: number) =>
    c < 2 * v ? `vmm${c - v}` : (gen.header.threads[c - 2 * v] as string);
  const lines = [formatHeader(gen.header)];
  const ev = new WorkloadEvent();
  while (gen.next(ev)) lines.push(formatEvent(ev, threadName));
  lines.splice(7_001, 0, '');
  lines[9_000] = (lines[9_000] as string).replace('"op":', '"op": ');
  lines[12_000] = `${lines[12_000]}\r`;
  return { text: `${lines.join('\n')}\n`, lines };
}

async function inThread<T>(threads: '1' | undefined, f: () => Promise<T>): Promise<T> {
  const before = process.env.VFPU_REPLAY_THREADS;
  if (threads === undefined) delete process.env.VFPU_REPLAY_THREADS;
  else process.env.VFPU_REPLAY_THREADS = threads;
  try {
    return await f();
  } finally {
    if (before === undefined) delete process.env.VFPU_REPLAY_THREADS;
    else process.env.VFPU_REPLAY_THREADS = before;
  }
}

describe('the passes over a workload file agree', () => {
  const { text, lines } = workload(20_000);
  const file = join(dir, 'w.ndjson');
  writeFileSync(file, text);
  const backends = [toyBackend()];

  it('one variant, two policies: direct, packed and runText give the same reports', async () => {
    const reqs: RunRequest[] = ['kvm', 'eager'].map((policy) => ({ backends, policy, seed: 5 }));
    const direct = await inThread('1', () => runFileMany(file, reqs));
    const packed = await inThread(undefined, () => runFileMany(file, reqs));
    reqs.forEach((req, i) => {
      const fromText = runText(text, req, file).report;
      expect(direct[i]?.report).toEqual(fromText);
      expect(packed[i]?.report).toEqual(fromText);
    });
    expect(direct[0]?.report.workload.events).toBe(20_000);
    // no configuration: nothing to run, nothing read (it used to loop for ever on the first event)
    expect(await inThread('1', () => runFileMany(file, []))).toEqual([]);
    expect(await inThread(undefined, () => runFileMany(join(dir, 'none.ndjson'), []))).toEqual([]);
  });

  it("explain gets each line's own text, CR and all blanks as written", async () => {
    const seen = new Map<number, string>();
    const req: RunRequest = { backends, policy: 'kvm', explain: (l, event) => seen.set(l, event) };
    await inThread(undefined, () => runFileMany(file, [req]));
    expect(seen.size).toBe(20_000);
    for (const [line, event] of seen)
      expect(event).toBe((lines[line - 1] as string).replace(/\r$/, ''));
    expect(seen.get(9_001)).toContain('"op": ');
  });

  it('several variants (one loop for all): the same reports as each alone, and the same explain', async () => {
    // a second backend: runs of the two are of two variants (two parsers)
    const two = [...backends, { ...toyBackend(), id: 'toy2' }];
    const reqs: RunRequest[] = ['toy', 'toy2'].map((arch) => ({
      backends: two,
      arch,
      policy: 'kvm',
      seed: 5,
    }));
    const seen = new Map<number, string>();
    const explained = {
      ...(reqs[1] as RunRequest),
      explain: (l: number, e: string) => seen.set(l, e),
    };
    const both = await inThread('1', () => runFileMany(file, [...reqs, explained]));
    reqs.forEach((req, i) => {
      expect(both[i]?.report).toEqual(runText(text, req, file).report);
    });
    expect(both[2]?.report).toEqual(both[1]?.report);
    expect(seen.size).toBe(20_000);
    for (const [line, event] of seen)
      expect(event).toBe((lines[line - 1] as string).replace(/\r$/, ''));
  });
});
