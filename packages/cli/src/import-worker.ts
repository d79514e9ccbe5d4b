/**
 * The framing thread of `vfpu import` (import/frame-source.ts): reads and frames the trace
 * (import/frames.ts) and hands the batches to the main thread, at most IN_FLIGHT ahead.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '@vfpu/core';
import { type FrameAck, type FrameMessage, IN_FLIGHT } from './import/frame-source.js';
import { type FrameJob, frameBatches } from './import/frames.js';

async function main(port: NonNullable<typeof parentPort>): Promise<void> {
  let credits = IN_FLIGHT;
  let wake: (() => void) | undefined;
  const spares: FrameAck[] = [];
  port.on('message', (m: FrameAck) => {
    credits++;
    // the views come back over their whole buffers
    spares.push({ rows: m.rows, bytes: new Uint8Array(m.bytes.buffer) });
    const w = wake;
    wake = undefined;
    w?.();
  });
  const post = (m: FrameMessage, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
  try {
    const it = frameBatches(workerData as FrameJob, spares);
    for (;;) {
      const r = await it.next();
      if (r.done === true) {
        post({ t: 'end', stats: r.value });
        break;
      }
      while (credits === 0)
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      credits--;
      const b = r.value;
      post({ t: 'batch', b }, [b.rows.buffer as ArrayBuffer, b.bytes.buffer as ArrayBuffer]);
    }
  } catch (e) {
    if (InputError.isInstance(e))
      post({
        t: 'error',
        input: { file: e.file, line: e.line, field: e.field, detail: e.detail },
        message: e.message,
      });
    else {
      const err = e instanceof Error ? e : new Error(String(e));
      post({ t: 'error', message: err.message, stack: err.stack });
    }
  }
  port.close();
}

if (parentPort !== null) await main(parentPort);
