/** `vfpu schema [workload|report]`: the JSON Schema of the workload format v1 or of report v1. */
import { reportSchema, workloadSchema } from '@vfpu/core';
import { Argument, type Command } from 'commander';
import type { Context } from '../context.js';
import { oneOf } from '../options.js';

export function addSchema(program: Command, ctx: Context): void {
  program
    .command('schema')
    .description('print the JSON Schema of the workload format v1 (default) or of report v1')
    .addArgument(
      oneOf(new Argument('[which]', 'workload or report'), 'schema', 'schema', [
        'workload',
        'report',
      ]).default('workload'),
    )
    .action((which: 'workload' | 'report') => {
      const schema = which === 'report' ? reportSchema() : workloadSchema();
      ctx.io.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
    });
}
