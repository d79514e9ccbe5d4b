/**
 * The report's tables: the resolved configuration of each simulator (architecture/variant,
 * policy and its parameters, workload, seed, input, versions), each distinct kernel and input
 * (with its sha256), each distinct cost table with every figure's value and `source`, then the
 * warnings. HTML, escaped.
 */
import type { ReportV1 } from '@vfpu/core';
import { esc } from './escape.js';
import type { Simulator } from './results.js';

type Cell = string | number;

function table(head: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  return `<table>\n<thead><tr>${th}</tr></thead>\n<tbody>\n${trs.join('\n')}\n</tbody>\n</table>\n`;
}

const joined = (o: Readonly<Record<string, unknown>>, sep: string) =>
  Object.entries(o)
    .map(([k, v]) => `${k}${sep}${String(v)}`)
    .join(', ');

/** Rows made distinct by their whole content, in first-seen order. */
function distinctRows(rows: readonly (readonly Cell[])[]): (readonly Cell[])[] {
  const seen = new Map<string, readonly Cell[]>();
  for (const r of rows) seen.set(JSON.stringify(r), r);
  return [...seen.values()];
}

/** An input: its source and sha256. */
const inputKey = (s: Simulator) =>
  `${s.report.config.input.source}\n${s.report.config.input.sha256}`;

function configRow(s: Simulator, inputs: readonly string[]): Cell[] {
  const c = s.report.config;
  const w = s.report.workload;
  return [
    s.row.file,
    s.row.simulator,
    `${s.row.policy} (runs ${c.policy.runs}${Object.keys(c.policy.params).length ? `; ${joined(c.policy.params, '=')}` : ''})`,
    `${w.name}, ${w.events} events`,
    w.seed,
    `#${inputs.indexOf(inputKey(s)) + 1}`,
    joined(c.versions, ' '),
  ];
}

/** Cost tables, one per distinct (architecture/variant, table). */
function costTables(sims: readonly Simulator[]): string {
  const seen = new Map<string, { who: string[]; costs: ReportV1['config']['costs'] }>();
  for (const s of sims) {
    const key = `${s.row.simulator}\n${JSON.stringify(s.report.config.costs)}`;
    const entry = seen.get(key) ?? { who: [], costs: s.report.config.costs };
    entry.who.push(`${s.row.simulator} ${s.row.policy}`);
    seen.set(key, entry);
  }
  let out = '';
  for (const { who, costs } of seen.values()) {
    out += `<h3>Costs (cycles) of ${esc([...new Set(who)].join(', '))}</h3>\n`;
    out += table(
      ['cost', 'value', 'source'],
      Object.entries(costs).map(([k, f]) => [k, f.value, f.source]),
    );
  }
  return out;
}

export function configSection(sims: readonly Simulator[]): string {
  if (sims.length === 0) return '';
  const inputs = [...new Set(sims.map(inputKey))];
  let out = '<section id="configuration">\n<h2>Resolved configuration</h2>\n';
  out += table(
    ['file', 'architecture/variant', 'policy', 'workload', 'seed', 'input', 'versions'],
    sims.map((s) => configRow(s, inputs)),
  );
  out += '<h3>Inputs</h3>\n';
  out += table(
    ['input', 'source', 'sha256'],
    inputs.map((key, i) => [`#${i + 1}`, ...(key.split('\n') as [string, string])]),
  );
  out += '<h3>Kernels</h3>\n';
  out += table(
    ['architecture/variant', 'kernel'],
    distinctRows(sims.map((s) => [`${s.report.arch}/${s.report.variant}`, s.report.config.kernel])),
  );
  out += `<h2>Cost sources</h2>\n${costTables(sims)}`;
  const warnings = distinctRows(
    sims.flatMap((s) => s.report.warnings.map((w) => [`${s.row.simulator} ${s.row.policy}`, w])),
  );
  if (warnings.length) out += `<h2>Warnings</h2>\n${table(['simulator', 'warning'], warnings)}`;
  return `${out}</section>\n`;
}
