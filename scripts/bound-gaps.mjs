// Classify workloads where a built-in policy's FP cycles are below clairvoyant's.
// node scripts/bound-gaps.mjs [runs-per-variant] [seed]

import { createRequire } from 'node:module';
import { BACKENDS } from '../packages/cli/dist/index.js';
import { POLICY_NAMES, runText } from '../packages/core/dist/index.js';
import { validWorkload, validWorkloadChoices } from '../packages/testkit/dist/index.js';

const req = createRequire(new URL('../packages/testkit/package.json', import.meta.url));
const fc = (await import(req.resolve('fast-check'))).default;

const runs = Number(process.argv[2] ?? 50);
const seed = Number(process.argv[3] ?? 1);
const only = process.argv[4];
// a run that stopped part of the workload (a thread killed by an oops) compares with none
const fp = (b, text, policy) => {
  const r = runText(text, { backends: [b], policy }, 'random.ndjson').report;
  return r.workload.not_run === undefined ? r.cycles.fp : null;
};
function gap(b, text) {
  const cv = fp(b, text, 'clairvoyant');
  if (cv === null) return null;
  let best = null;
  for (const p of POLICY_NAMES) {
    if (p === 'clairvoyant') continue;
    const x = fp(b, text, p);
    if (x === null) continue;
    if (x < cv && (best === null || x < best.fp)) best = { policy: p, fp: x, cv };
  }
  return best;
}
const ops = (lines) => {
  const s = new Set();
  for (const l of lines.slice(1)) {
    const e = JSON.parse(l);
    s.add(e.op === 'exit' && e.reason ? `exit:${e.reason}` : e.op);
  }
  return [...s].sort().join(',');
};
const classes = new Map();
let total = 0,
  bad = 0;
for (const b of BACKENDS)
  for (const v of b.variants) {
    if (only && `${b.id}/${v.id}` !== only) continue;
    const samples = fc.sample(validWorkloadChoices(40), { numRuns: runs, seed });
    for (const c of samples) {
      total++;
      const w = validWorkload(b, v.id, c);
      if (gap(b, w.lines.join('\n')) === null) continue;
      bad++;
      // shrink from this sample
      const r = fc.check(
        fc.property(
          validWorkloadChoices(40),
          (cc) => gap(b, validWorkload(b, v.id, cc).lines.join('\n')) === null,
        ),
        { seed, path: undefined, examples: [[c]], numRuns: 1, endOnFailure: false },
      );
      const cc = r.counterexample?.[0] ?? c;
      const sw = validWorkload(b, v.id, cc);
      const g = gap(b, sw.lines.join('\n'));
      const k = `${b.id}/${v.id} [${ops(sw.lines)}]`;
      const cl = classes.get(k) ?? { n: 0, ex: sw.lines, g };
      cl.n++;
      if (sw.lines.length < cl.ex.length) {
        cl.ex = sw.lines;
        cl.g = g;
      }
      classes.set(k, cl);
    }
  }
console.log(`${bad}/${total} workloads with a built-in below clairvoyant`);
for (const [k, cl] of [...classes].sort((a, b) => b[1].n - a[1].n)) {
  console.log(`\n${cl.n}  ${k}  ${cl.g?.policy} ${cl.g?.fp} < ${cl.g?.cv}`);
  for (const l of cl.ex) console.log(`   ${l}`);
}
