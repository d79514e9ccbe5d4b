/**
 * Where the framing half of an import (frames.ts) runs: on a worker thread when the CLI is built
 * (`dist/import-worker.js`), so reading, framing and parsing the trace overlap with the mapping
 * and writing on the main thread; in this thread when run from source (tests) or when
 * `VFPU_IMPORT_THREADS=1`. Either way the same batches arrive in the same order. At most
 * `IN_FLIGHT` batches (about 1 MiB of trace each) wait for the main thread: memory stays flat.
 */
import { Worker } from 'node:worker_threads';
import { InputError } from '@vfpu/core';
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

/** Worker → main. */
export type FrameMessage =
  | { readonly t: 'batch'; readonly b: FrameBatch }
  | { readonly t: 'end'; readonly stats: FrameStats }
  | {
      readonly t: 'error';
      readonly input?: { file: string; line: number; field: string; detail: string };
      readonly message: string;
      readonly stack?: string | undefined;
    };

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

function rebuilt(m: Extract<FrameMessage, { t: 'error' }>): Error {
  if (m.input !== undefined)
    return new InputError(m.input.file, m.input.line, m.input.field, m.input.detail);
  const e = new Error(m.message);
  if (m.stack !== undefined) e.stack = m.stack;
  return e;
}

async function* fromWorker(job: FrameJob): AsyncGenerator<FrameBatch, FrameStats> {
  const worker = new Worker(WORKER, { workerData: job });
  const inbox: FrameMessage[] = [];
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  const woken = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  worker.on('message', (m: FrameMessage) => {
    inbox.push(m);
    woken();
  });
  worker.on('error', (e) => {
    failed ??= e;
    woken();
  });
  worker.on('exit', (code) => {
    failed ??= new Error(`the import's framing thread stopped (exit code ${code})`);
    woken();
  });
  try {
    for (let head = 0; ; ) {
      while (head === inbox.length) {
        if (failed !== undefined) throw failed;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      const m = inbox[head++] as FrameMessage;
      if (head === inbox.length) {
        inbox.length = 0;
        head = 0;
      }
      if (m.t === 'end') return m.stats;
      if (m.t === 'error') throw rebuilt(m);
      // the text crosses as bytes (moved, not copied) and is decoded here as it was there
      yield m.b;
      const ack: FrameAck = { rows: m.b.rows, bytes: m.b.bytes };
      worker.postMessage(ack, [m.b.rows.buffer as ArrayBuffer, m.b.bytes.buffer as ArrayBuffer]);
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
