/**
 * A workload file is run by one of three passes: run.ts's own pass over the bytes (stdin, explain,
 * `VFPU_REPLAY_THREADS=1`; one loop for a run of one variant, another for several), the packed
 * pass (from source: the reader's code in this thread) and runText. On the same bytes, spanning
 * several chunks, with lines the fast path leaves (a blank line, a blank after a colon, a line
 * longer than a read, so the first chunk holds the header alone) and a CRLF line (the fast path
 * takes it; its text must lose the CR), all three give the same reports, and explain gets each
 * line's own text in both loops. A line one variant's fast path takes and another's leaves is
 * given to the full parser of the second, which gives its error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toyBackend } from '../../testkit/src/toy.js';
import { runFileMany, runText } from '../src/run.js';
import { groupByVariant } from '../src/run-prepare.js';
import type { RunRequest } from '../src/run-request.js';
import { WorkloadEvent } from '../src/workload/event.js';
import { parseHeader } from '../src/workload/parse-header.js';
import { PresetGenerator } from '../src/workload/presets/generator.js';
import { openLineSource } from '../src/workload/read.js';
import { formatEvent, formatHeader } from '../src/workload/write.js';

const dir = mkdtempSync(join(tmpdir(), 'vfpu-read-paths-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A generated workload as text (past two 256 KiB reads), with lines only the full parser takes
 * (one of them longer than a read, so the first chunk is the header alone) and a CRLF line.
 */
function workload(events: number): { text: string; lines: string[] } {
  const gen = new PresetGenerator('overcommit', events, 3, {});
  const v = gen.header.vcpus;
  const threadName = (c: number) =>
    c < 2 * v ? `vmm${c - v}` : (gen.header.threads[c - 2 * v] as string);
  const lines = [formatHeader(gen.header)];
  const ev = new WorkloadEvent();
  while (gen.next(ev)) lines.push(formatEvent(ev, threadName));
  // line 2 past the first read (256 KiB): the first chunk holds the header alone
  lines[1] = (lines[1] as string).replace(/}$/, `${' '.repeat(300_000)}}`);
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
    // the case is there: the reader's first chunk is the header alone
    const chunks = openLineSource(file).byteChunks();
    expect((await chunks.next()).value?.bytes.toString()).toBe(`${lines[0]}\n`);
    await chunks.return(undefined);
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

  it("a line the first variant's fast path takes and the second's leaves: the second's full parser gives its error", async () => {
    // toy2's unit has 16 registers: a use of register 20 is toy's, and an error for toy2
    const toy = toyBackend();
    const only = toy.variants[0] as (typeof toy.variants)[number];
    const unit = only.units[0] as (typeof only.units)[number];
    const toy2 = {
      ...toy,
      id: 'toy2',
      variants: [{ ...only, units: [{ ...unit, registers: 16 }] }],
    };
    const at = lines.findIndex((l, i) => i > 15_000 && l.startsWith('{"op":"use"'));
    expect(at).toBeGreaterThan(15_000);
    const bad = [...lines];
    bad[at] = (bad[at] as string).replace(/}$/, ',"reg":20}');
    const badText = `${bad.join('\n')}\n`;
    const badFile = join(dir, 'reg20.ndjson');
    writeFileSync(badFile, badText);
    const req = (arch: string): RunRequest => ({
      backends: [toy, toy2],
      arch,
      policy: 'kvm',
      seed: 5,
    });
    // the case is there: toy's fast path takes the line, toy2's leaves it
    const { groups } = groupByVariant(
      parseHeader(lines[0] as string, badFile),
      [req('toy'), req('toy2')],
      badFile,
    );
    const b = Buffer.from(`${bad[at]}\n`);
    const ev = new WorkloadEvent();
    expect(groups.map((g) => g.parser.parseAt(b, 0, at + 1, ev))).toEqual([b.length - 1, -1]);
    // toy runs the line; toy2's full parser gives an error naming the line and the field
    expect(() => runText(badText, req('toy'), badFile)).not.toThrow();
    const alone = (() => {
      try {
        runText(badText, req('toy2'), badFile);
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    })();
    expect(alone).toContain(`${badFile}:${at + 1}: reg: `);
    for (const threads of ['1', undefined] as const)
      await expect(
        inThread(threads, () => runFileMany(badFile, [req('toy'), req('toy2')])),
      ).rejects.toThrow(alone);
  });
});
