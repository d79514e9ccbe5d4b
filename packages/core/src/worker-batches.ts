/**
 * Batches from a worker thread to the thread that uses them, in order, with at most a few
 * untaken at a time (memory stays flat), and the worker's error rethrown as it was (an
 * {@link InputError} keeps its file, line and field). The replay's reading thread
 * (replay-worker.ts) and `vfpu import`'s framing thread both run on this.
 */
import type { MessagePort, Worker } from 'node:worker_threads';
import { InputError } from './errors.js';
import { Wakeup } from './wakeup.js';

/** An error crossing from the worker: an input error's place, or a message and stack. */
export interface ErrorMessage {
  readonly t: 'error';
  readonly input?: { file: string; line: number; field: string; detail: string };
  readonly message: string;
  readonly stack?: string | undefined;
}

/** Worker → using thread: a batch, the end (with the source's result), or an error. */
export type BatchMessage<B, R> =
  | { readonly t: 'batch'; readonly b: B }
  | { readonly t: 'end'; readonly result: R }
  | ErrorMessage;

function errorMessage(e: unknown): ErrorMessage {
  if (InputError.isInstance(e))
    return {
      t: 'error',
      input: { file: e.file, line: e.line, field: e.field, detail: e.detail },
      message: e.message,
    };
  const err = e instanceof Error ? e : new Error(String(e));
  return { t: 'error', message: err.message, stack: err.stack };
}

function rebuilt(m: ErrorMessage): Error {
  if (m.input !== undefined)
    return new InputError(m.input.file, m.input.line, m.input.field, m.input.detail);
  const e = new Error(m.message);
  if (m.stack !== undefined) e.stack = m.stack;
  return e;
}

/**
 * In the using thread: the batches `worker` posts, then its result. After each batch is taken,
 * `ack(batch, back)` answers the worker (`back`: what the caller handed to `next`).
 */
export async function* workerBatches<B, R, Back>(
  worker: Worker,
  what: string,
  ack: (b: B, back: Back | undefined) => void,
): AsyncGenerator<B, R, Back | undefined> {
  const inbox: BatchMessage<B, R>[] = [];
  let failed: Error | undefined;
  const woken = new Wakeup();
  worker.on('message', (m: BatchMessage<B, R>) => {
    inbox.push(m);
    woken.wake();
  });
  worker.on('error', (e) => {
    failed ??= e;
    woken.wake();
  });
  worker.on('exit', (code) => {
    failed ??= new Error(`${what} stopped (exit code ${code})`);
    woken.wake();
  });
  try {
    for (let head = 0; ; ) {
      while (head === inbox.length) {
        if (failed !== undefined) throw failed;
        await woken.wait();
      }
      const m = inbox[head++] as BatchMessage<B, R>;
      if (head === inbox.length) {
        inbox.length = 0;
        head = 0;
      }
      if (m.t === 'end') return m.result;
      if (m.t === 'error') throw rebuilt(m);
      ack(m.b, yield m.b);
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}

/**
 * In the worker: posts the batches of `source` (their `transfer` buffers moved, not copied),
 * never more than `credits` untaken, then its result, or the error it threw. Each answer from
 * the using thread gives a credit back and goes to `onAck`; `input(first, answered)` is what the
 * source's next step is given (`answered()` waits for the next answer).
 */
export async function serveBatches<B, R, In, A>(
  port: MessagePort,
  source: AsyncGenerator<B, R, In>,
  opts: {
    readonly credits: number;
    readonly transfer: (b: B) => ArrayBuffer[];
    readonly onAck: (a: A) => void;
    readonly input: (first: boolean, answered: () => Promise<void>) => Promise<In> | In;
  },
): Promise<void> {
  let credits = opts.credits;
  const woken = new Wakeup();
  port.on('message', (a: A) => {
    credits++;
    opts.onAck(a);
    woken.wake();
  });
  const answered = () => woken.wait();
  const post = (m: BatchMessage<B, R>, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer);
  try {
    for (let r = await source.next(), first = true; ; first = false) {
      if (r.done === true) {
        post({ t: 'end', result: r.value });
        break;
      }
      while (credits === 0) await answered();
      credits--;
      post({ t: 'batch', b: r.value }, opts.transfer(r.value));
      r = await source.next(await opts.input(first, answered));
    }
  } catch (e) {
    post(errorMessage(e));
  }
  port.close();
}
