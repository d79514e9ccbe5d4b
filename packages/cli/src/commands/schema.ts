/** `vfpu schema`: the JSON Schema of the workload format v1. */
import { workloadSchema } from '@vfpu/core';
import type { Command } from 'commander';
import type { Context } from '../context.js';

export function addSchema(program: Command, ctx: Context): void {
  program
    .command('schema')
    .description('print the JSON Schema of the workload format v1')
    .action(() => {
      ctx.io.stdout.write(`${JSON.stringify(workloadSchema(), null, 2)}\n`);
    });
}
