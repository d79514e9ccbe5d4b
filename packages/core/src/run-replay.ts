/**
 * A workload file run from packed batches (workload/packed-source.ts): the reading thread
 * parses by the fast path, this thread unpacks each event into one reused record, gives the
 * lines the fast path left to the full parser (so every error is the one the full parser gives),
 * and steps the simulators. For the configurations of one variant, without explain (which wants
 * each line's text); anything else is run by run.ts's own pass.
 */
import { InputError } from './errors.js';
import { finish, groupByVariant, stepMembers } from './run-prepare.js';
import type { RunRequest, RunResult } from './run-request.js';
import { WorkloadEvent } from './workload/event.js';
import { EventUnpacker } from './workload/event-pack.js';
import { openPacked } from './workload/packed-source.js';
import { parseHeader } from './workload/parse-header.js';

/**
 * Runs `reqs` over the file at `path` from packed batches, read in `mode` (replayMode); undefined
 * (having read only the header) when they are of more than one variant.
 */
export async function runPacked(
  path: string,
  reqs: readonly RunRequest[],
  mode: 'thread' | 'worker',
): Promise<RunResult[] | undefined> {
  const it = openPacked(path, mode);
  try {
    const first = await it.next();
    if (first.done === true)
      throw new InputError(path, 1, '', 'empty workload: line 1 must be the header');
    const u = new EventUnpacker();
    const ev = new WorkloadEvent();
    u.begin(first.value);
    const header = parseHeader(u.fill(0, ev) as string, path);
    const run = groupByVariant(header, reqs, path);
    const g = run.groups[0];
    if (g === undefined || run.groups.length > 1) return undefined;
    let r = await it.next(g.parser.fast.tables);
    for (; r.done !== true; r = await it.next(r.value)) {
      u.begin(r.value);
      for (let i = 0; i < r.value.n; i++) {
        const x = u.fill(i, ev);
        if (x !== true && !g.parser.parseSlow(x, u.line(i), ev)) continue;
        stepMembers(g, ev, path, '');
      }
    }
    const input = { source: path, sha256: r.value };
    return run.prepared.map((p) => finish(p, header.name ?? path, input, header));
  } finally {
    await it.return('');
  }
}
