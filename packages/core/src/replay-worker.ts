/**
 * The reading thread of a replay (workload/packed-source.ts): reads, inflates, hashes and parses
 * a workload file by the fast path and hands the packed batches to the simulating thread, at most
 * `inFlight` ahead. The first batch (the header) waits for the tables of the fast path; the
 * arrays of the batches after it come back to be filled again.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serveBatches } from './worker-batches.js';
import { type PackedAck, packedBatches, type Spare } from './workload/packed-source.js';
import type { FastTables } from './workload/parse-fast.js';

async function main(port: NonNullable<typeof parentPort>): Promise<void> {
  const job = workerData as { path: string; inFlight: number };
  let tables: FastTables | undefined;
  const spares: Spare[] = [];
  await serveBatches(port, packedBatches(job.path), {
    credits: job.inFlight,
    transfer: (b) => [b.ints.buffer as ArrayBuffer, b.floats.buffer as ArrayBuffer],
    onAck: (a: PackedAck) => {
      if (a.tables !== undefined) tables = a.tables;
      if (a.spare !== undefined) spares.push(a.spare);
    },
    async input(first, answered) {
      if (!first) return spares.pop();
      while (tables === undefined) await answered();
      return tables;
    },
  });
}

if (parentPort !== null) await main(parentPort);
