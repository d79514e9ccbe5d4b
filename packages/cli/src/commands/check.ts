/**
 * `vfpu check TRACE`: import the trace, replay it under the variant's `kvm` policy, and compare
 * every FP tracepoint the trace recorded (kvm_fpu, kvm_aux, FP kvm_exit) with those the modelled
 * kernel fires, in order per vCPU. Prints the first divergence with both sides and the trace line,
 * and a summary per kind; exit 1 on any divergence (or lost state), 2 on bad input.
 */
import type { LineSource, ReportV1 } from '@vfpu/core';
import { runLines } from '@vfpu/core';
import type { Command } from 'commander';
import { withBackends } from '../backends.js';
import { type Divergence, type PredictedSide, TraceComparison } from '../check/compare.js';
import type { Context } from '../context.js';
import {
  addTraceOptions,
  type TraceCliOptions,
  traceImportOptions,
} from '../import/cli-options.js';
import { openTraceImport } from '../import/index.js';
import { addBackend } from '../options.js';
import { renderTable } from '../table.js';

/** The vCPU of a workload event line (the importer writes `"vcpu":N` first). */
const VCPU = /"vcpu":(\d+)/;

type CheckOptions = TraceCliOptions & { backend?: string[]; json?: boolean };

export function addCheck(program: Command, ctx: Context): void {
  const { io } = ctx;
  addBackend(
    addTraceOptions(
      program
        .command('check')
        .description(
          "import a kernel trace, replay it under the variant's kvm policy and compare every FP event the trace recorded (kvm_fpu, kvm_aux, FP exits) with the model's, in order; exit 1 at a divergence",
        )
        .argument('<trace>')
        .option('--json', 'print the result as JSON'),
    ),
  ).action(async (trace: string, o: CheckOptions) => {
    const backends = await withBackends(o.backend, io.cwd ?? process.cwd());
    const imp = await openTraceImport(trace, traceImportOptions(o));
    const cmp = new TraceComparison();
    imp.onRecorded = (r) =>
      cmp.recorded(r.vcpu, {
        event: r.event,
        detail: r.detail,
        traceLine: r.traceLine,
        text: r.text,
      });
    // the trace line of each workload line of the batch being run (runLines pulls one batch at a time)
    let base = 0;
    let traceLines: readonly number[] = [];
    const source: LineSource = {
      name: trace,
      async *batches() {
        for await (const b of imp.lines()) {
          base += traceLines.length;
          traceLines = b.traceLines;
          yield b.texts;
        }
      },
      sha256: () => '',
    };
    // what the kernel fired during the event now running; handed over once its line is known
    const fired: { vcpu: number; event: string; detail: string }[] = [];
    const result = await runLines(
      source,
      {
        backends,
        policy: 'kvm',
        ...(o.arch !== undefined ? { arch: o.arch } : { arch: imp.arch }),
        ...(o.variant !== undefined ? { variant: o.variant } : {}),
        tracepoints: (vcpu, event, detail) => fired.push({ vcpu, event, detail }),
        explain: (line, text) => {
          const traceLine = traceLines[line - 1 - base] ?? 0;
          // the vCPU's first event begins its replay: what it fires is the prologue
          const m = VCPU.exec(text);
          const v = m === null ? -1 : Number(m[1]);
          const first = v >= 0 && !cmp.hasStarted(v);
          if (first) cmp.start(v, traceLine);
          for (const f of fired) {
            if (first && f.vcpu === v) cmp.predictedPrologue(f.event, f.detail);
            else
              cmp.predicted(f.vcpu, {
                event: f.event,
                detail: f.detail,
                workloadLine: line,
                traceLine,
              });
          }
          fired.length = 0;
        },
      },
      trace,
    );
    cmp.finish();
    const r = result.report;
    if (o.json) io.stdout.write(`${JSON.stringify(checkJson(r, cmp), null, 2)}\n`);
    else io.stdout.write(renderCheck(trace, r, cmp));
    if (cmp.first !== null || r.check.violations > 0) ctx.exitCode = 1;
  });
}

function side(d: Divergence): { trace: string; model: string } {
  const rec = d.recorded;
  const p: PredictedSide | null = d.predicted;
  return {
    trace:
      rec === null
        ? 'nothing more (the trace ends)'
        : `${rec.event}: ${rec.detail} (trace line ${rec.traceLine}: ${rec.text.trim()})`,
    model:
      p === null
        ? 'nothing more'
        : `${p.event}: ${p.detail} (after trace line ${p.traceLine}, workload line ${p.workloadLine})`,
  };
}

export function renderCheck(trace: string, r: ReportV1, cmp: TraceComparison): string {
  const head = `${trace}: ${r.arch} (${r.variant}), kvm policy = ${r.config.policy.runs}; ${r.workload.events.toLocaleString('en-US')} events replayed`;
  const lines = [head];
  for (const a of r.workload.assumptions ?? []) lines.push(`  assumed: ${a}`);
  const d = cmp.first;
  if (d === null)
    lines.push(`agrees: ${cmp.agreed.toLocaleString('en-US')} FP events, in order, on every vCPU`);
  else {
    const s = side(d);
    lines.push(
      `DIVERGES at vCPU ${d.vcpu}'s FP event #${d.index} (${cmp.agreed.toLocaleString('en-US')} agreed before it):`,
      `  trace: ${s.trace}`,
      `  model: ${s.model}`,
    );
  }
  const pro = cmp.prologue;
  if (pro.recorded + pro.predicted > 0)
    lines.push(
      `not compared (the prologue: before each vCPU's first entry in the trace): trace ${pro.recorded}, model ${pro.predicted}`,
    );
  if (r.check.violations > 0) lines.push(`state violations in the replay: ${r.check.violations}`);
  const rows = [...cmp.kinds.entries()].map(
    ([k, c]) => [`  ${k}`, c.recorded, c.predicted] as const,
  );
  lines.push('', renderTable(['FP event', 'trace', 'model'], rows).trimEnd());
  return `${lines.join('\n')}\n`;
}

function checkJson(r: ReportV1, cmp: TraceComparison): Record<string, unknown> {
  return {
    format: 'vfpu-check',
    version: 1,
    arch: r.arch,
    variant: r.variant,
    agreed: cmp.agreed,
    prologue: cmp.prologue,
    divergence: cmp.first,
    kinds: Object.fromEntries(cmp.kinds),
    report: r,
  };
}
