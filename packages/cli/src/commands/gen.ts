/** `vfpu gen`: write a preset's generated workload as NDJSON. */
import { formatHeader } from '@vfpu/core';
import { formatEvent, ParamError, PresetGenerator, WorkloadEvent } from '@vfpu/core/internal';
import type { Command } from 'commander';
import { type Context, UsageError } from '../context.js';
import { addGeneration } from '../options.js';
import { outputSink } from '../output.js';

interface GenOptions {
  seed: number;
  events: number;
  param?: Record<string, number>;
  output?: string;
}

export function addGen(program: Command, ctx: Context): void {
  const { io } = ctx;
  addGeneration(
    program
      .command('gen')
      .description('write a generated workload (NDJSON) for a preset')
      .argument('<preset>'),
    { seed: 'seed of the generator (the same seed, the same workload)' },
  )
    .option('-o, --output <file>', 'output file (.gz compresses); default, or -: stdout')
    .action(async (preset: string, o: GenOptions) => {
      const name = preset.replace(/^preset:/, '');
      let gen: PresetGenerator;
      try {
        gen = new PresetGenerator(name, o.events, o.seed, o.param ?? {});
      } catch (e) {
        throw new UsageError(
          `${e instanceof ParamError ? '--param: ' : ''}${(e as Error).message}`,
        );
      }
      const sink = outputSink(o.output, io.stdout);
      const threadName = (c: number) => {
        const v = gen.header.vcpus;
        return c < 2 * v ? `vmm${c - v}` : (gen.header.threads[c - 2 * v] as string);
      };
      try {
        sink.write(`${formatHeader({ ...gen.header, name: `preset:${name} seed=${o.seed}` })}\n`);
        const ev = new WorkloadEvent();
        // yield now and then: the sink's backpressure, and a SIGINT is handled mid-run
        for (let n = 1; gen.next(ev); n++) {
          sink.write(`${formatEvent(ev, threadName)}\n`);
          if ((n & 4095) === 0) await sink.ready();
        }
        await sink.commit();
      } catch (e) {
        sink.abort();
        throw e;
      }
    });
}
