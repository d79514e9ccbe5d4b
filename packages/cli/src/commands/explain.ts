/** `vfpu explain`: the per-event explanation of one run, then its summary. */
import type { RunResult } from '@vfpu/core';
import type { Command } from 'commander';
import { withBackends } from '../backends.js';
import type { Context } from '../context.js';
import { addCommon, type CommonOptions } from '../options.js';
import { spoolSink } from '../output.js';
import { runOne } from '../run-one.js';
import { renderSummary } from '../summary.js';

/** Events of a preset that explain shows by default: a screenful or two, not 100,000. */
const EXPLAIN_EVENTS = 40;

export function addExplain(program: Command, ctx: Context): void {
  const { io } = ctx;
  addCommon(
    program
      .command('explain')
      .description(
        'show, event by event, the exception as the hardware reports it, the handler, the routines and the control bits changed',
      )
      .argument('<workload>')
      .option('--policy <policy>', 'policy', 'kvm'),
    { events: EXPLAIN_EVENTS },
  ).action(async (workload: string, o: CommonOptions & { policy: string }) => {
    const backends = await withBackends(o.backend, io.cwd ?? process.cwd());
    const out = spoolSink(io.stdout);
    let report: RunResult['report'];
    try {
      ({ report } = await runOne(backends, workload, o.policy, o, {
        explain: (line, text, lines) => {
          out.write(
            `${line > 0 ? `L${line} ` : ''}${text}\n${lines.length ? `${lines.join('\n')}\n` : ''}`,
          );
        },
      }));
    } catch (e) {
      out.abort();
      throw e;
    }
    out.write(`\n${renderSummary([report], o.costs)}`);
    await out.commit();
    if (report.check.violations > 0) ctx.exitCode = 1;
  });
}
