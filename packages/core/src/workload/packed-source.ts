/**
 * A workload file read, split and parsed by the fast path into packed batches (event-pack.ts):
 * on a worker thread when @vfpu/core is built (`dist/replay-worker.js`) and the file is big
 * enough, so reading, inflating, hashing and parsing overlap with the simulation on the calling
 * thread; in the calling thread when run from source (tests). Either way the same batches come
 * in the same order, and every error is the reader's or the full parser's own (the full parser
 * runs on the calling thread, on the lines the fast path left). At most `IN_FLIGHT` batches wait
 * for the calling thread: memory stays flat.
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { workerBatches } from '../worker-batches.js';
import { WorkloadEvent } from './event.js';
import { type EventBatch, EventPacker } from './event-pack.js';
import { FastEventParser, type FastTables } from './parse-fast.js';
import { byteLineEnd, openLineSource } from './read.js';

/**
 * Lines per batch (the first one's lines after the header: 1 024, the calling thread starts on
 * them while the worker, not yet optimised, parses the next), and batches the worker may hand
 * over before the calling thread takes them.
 */
const BATCH = 1 << 14;
const FIRST_BATCH = 1 << 10;
const IN_FLIGHT = 2;

/**
 * The batches: the first holds line 1 (the header) alone, as text. `next(tables)` after it goes
 * on with the fast path of `tables`; `next()` without them stops. After that `next(batch)` hands
 * a batch's arrays back to be filled again (`next()` does not). Returns the input's SHA-256.
 */
export type PackedSource = AsyncGenerator<EventBatch, string, FastTables | Spare | undefined>;

/** A taken batch's arrays, to be filled again. */
export interface Spare {
  readonly ints: Int32Array;
  readonly floats: Float64Array;
}

/** In this thread: the batches of `path`. */
export async function* packedBatches(path: string): PackedSource {
  const source = openLineSource(path);
  const ev = new WorkloadEvent();
  const packer = new EventPacker(BATCH, FIRST_BATCH);
  let parser: FastEventParser | undefined;
  let line = 0;
  for await (const chunk of source.byteChunks()) {
    const b = chunk.bytes;
    const before = line;
    for (let pos = 0; pos < b.length; ) {
      line++;
      let nl = parser === undefined ? -1 : parser.parse(b, pos, line, ev);
      if (nl >= 0) packer.event(ev);
      else {
        nl = b.indexOf(10, pos);
        packer.text(line, b.toString('utf8', pos, byteLineEnd(b, pos, nl)));
      }
      pos = nl + 1;
      if (parser === undefined) {
        const tables = yield packer.take();
        if (tables === undefined || !('vcpus' in tables)) return '';
        parser = new FastEventParser(tables);
      } else if (packer.full) {
        const back = yield packer.take();
        if (back !== undefined && 'ints' in back) packer.reuse(back.ints, back.floats);
      }
    }
    chunk.lines = line - before;
  }
  if (packer.size > 0) yield packer.take();
  return source.sha256();
}

/** Calling thread → worker: a batch was taken (with the tables after the first, else its arrays back). */
export interface PackedAck {
  readonly tables?: FastTables;
  readonly spare?: Spare;
}

const WORKER = new URL('./replay-worker.js', import.meta.url);

/**
 * Text a worker pays for: on a 2-core machine it sends its first message 55–67 ms after it is
 * made (a bare worker: 38 ms), slows the thread that made it while it starts, and parses with
 * code not yet optimised; it pays from about 32 MiB of text, about 850 K events (a `.gz` file:
 * 2 MiB of it, at gzip's usual 16–25× on workloads). docs/performance.md has the figures.
 */
const WORKER_TEXT = 32 << 20;
const WORKER_GZ = 2 << 20;

/**
 * How to read `path`: `direct` (run.ts's own pass in this thread: small files, stdin,
 * `VFPU_REPLAY_THREADS=1`), `worker` (a file big enough, or `VFPU_REPLAY_THREADS=2`), or
 * `thread` (the worker's code in this thread: run from source, so tests cover it unbuilt).
 */
export function replayMode(path: string): 'direct' | 'thread' | 'worker' {
  const env = process.env.VFPU_REPLAY_THREADS;
  if (path === '-' || env === '1') return 'direct';
  if (import.meta.url.endsWith('.ts')) return 'thread';
  // bundled into something else, the worker's file may not be beside this one
  if (!workerThere()) return 'direct';
  if (env === '2') return 'worker';
  try {
    return statSync(path).size >= (path.endsWith('.gz') ? WORKER_GZ : WORKER_TEXT)
      ? 'worker'
      : 'direct';
  } catch {
    return 'direct'; // the reader gives its own error
  }
}

let there: boolean | undefined;
function workerThere(): boolean {
  there ??= WORKER.protocol === 'file:' && existsSync(fileURLToPath(WORKER));
  return there;
}

/** The batches of `path`, from a worker or in this thread. */
export function openPacked(path: string, mode: 'thread' | 'worker'): PackedSource {
  return mode === 'worker' ? fromWorker(path) : packedBatches(path);
}

function fromWorker(path: string): PackedSource {
  const worker = new Worker(WORKER, { workerData: { path, inFlight: IN_FLIGHT } });
  let first = true;
  return workerBatches<EventBatch, string, FastTables | Spare>(
    worker,
    'the replay worker',
    (_b, back) => {
      if (first) {
        first = false;
        // the header's answer: the tables (to stop, a caller returns; asked on without them,
        // the worker is ended rather than left waiting)
        if (back !== undefined && 'vcpus' in back)
          worker.postMessage({ tables: back } satisfies PackedAck);
        else void worker.terminate();
      } else if (back !== undefined && 'ints' in back)
        worker.postMessage({ spare: back } satisfies PackedAck, [
          back.ints.buffer as ArrayBuffer,
          back.floats.buffer as ArrayBuffer,
        ]);
      else worker.postMessage({} satisfies PackedAck);
    },
  );
}
