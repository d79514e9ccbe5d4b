/**
 * The framing thread of `vfpu import` (import/frame-source.ts): reads and frames the trace
 * (import/frames.ts) and hands the batches to the main thread, at most IN_FLIGHT ahead.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveBatches } from '@vfpu/core/internal';
import { type FrameAck, IN_FLIGHT } from './import/frame-source.js';
import { type FrameJob, frameBatches } from './import/frames.js';

if (parentPort !== null) {
  const spares: FrameAck[] = [];
  await serveBatches(parentPort, frameBatches(workerData as FrameJob, spares), {
    credits: IN_FLIGHT,
    transfer: (b) => [b.rows.buffer as ArrayBuffer, b.bytes.buffer as ArrayBuffer],
    // the views come back over their whole buffers
    onAck: (m: FrameAck) => spares.push({ rows: m.rows, bytes: new Uint8Array(m.bytes.buffer) }),
    input: () => undefined,
  });
}
