/**
 * Where the framing half of an import (frames.ts) runs: on a worker thread when the CLI is built
 * (`dist/import-worker.js`), so reading, framing and parsing the trace overlap with the mapping
 * and writing on the main thread; in this thread when run from source (tests) or when
 * `VFPU_IMPORT_THREADS=1`. Either way the same batches arrive in the same order. At most
 * `IN_FLIGHT` batches (about 1 MiB of trace each) wait for the main thread: memory stays flat.
 */
import { Worker } from 'node:worker_threads';
import { workerBatches } from '@vfpu/core/internal';
import {
  type FrameBatch,
  type FrameJob,
  type FrameStats,
  frameBatches,
  newFrameStats,
  type Spare,
} from './frames.js';

/** Batches the worker may hand over before the main thread has taken them. */
export const IN_FLIGHT = 2;

/** Main → worker: a batch was taken; its arrays come back for reuse. */
export type FrameAck = Spare;

const WORKER = new URL('./import-worker.js', import.meta.url);

function onThisThread(): boolean {
  return import.meta.url.endsWith('.ts') || process.env.VFPU_IMPORT_THREADS === '1';
}

/** The framing half of a pass over `job.path`: its batches, then its counts. */
export function framedBatches(
  job: Omit<FrameJob, 'bytes'>,
): AsyncGenerator<FrameBatch, FrameStats> {
  return onThisThread()
    ? onThisThreadBatches({ ...job, bytes: false })
    : fromWorker({ ...job, bytes: true });
}

/** The batches framed here, each one's rows reused once it is taken (as the worker reuses them). */
async function* onThisThreadBatches(job: FrameJob): AsyncGenerator<FrameBatch, FrameStats> {
  const spares: Spare[] = [];
  const it = frameBatches(job, spares);
  try {
    for (let r = await it.next(); ; r = await it.next()) {
      if (r.done === true) return r.value;
      yield r.value;
      spares.push(r.value);
    }
  } finally {
    await it.return(newFrameStats());
  }
}

function fromWorker(job: FrameJob): AsyncGenerator<FrameBatch, FrameStats> {
  const worker = new Worker(WORKER, { workerData: job });
  // the text crosses as bytes (moved, not copied) and is decoded here as it was there; the
  // arrays go back for the next batches
  return workerBatches<FrameBatch, FrameStats, undefined>(
    worker,
    "the import's framing thread",
    (b) => {
      const ack: FrameAck = { rows: b.rows, bytes: b.bytes };
      worker.postMessage(ack, [b.rows.buffer as ArrayBuffer, b.bytes.buffer as ArrayBuffer]);
    },
  );
}
