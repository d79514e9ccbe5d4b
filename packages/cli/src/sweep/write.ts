/** Writes a sweep's or a merge's outputs: each file whole or not at all; stdout when no path. */
import type { Io } from '../context.js';
import { outputSink, type Sink } from '../output.js';

/** Each [path, text]: a file written atomically (output.ts), or stdout for an undefined path. */
export async function writeOutputs(
  io: Io,
  outputs: readonly (readonly [string | undefined, string])[],
): Promise<void> {
  for (const [path, text] of outputs) {
    const sink: Sink = outputSink(path, io.stdout);
    try {
      sink.write(text);
      await sink.commit();
    } catch (e) {
      sink.abort();
      throw e;
    }
  }
}
