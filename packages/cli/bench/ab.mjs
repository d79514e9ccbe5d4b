// Paired A/B benchmark of two builds of vfpu: `node packages/cli/bench/ab.mjs <other-checkout>`.
// Both checkouts must be built (`npm run build`). For each target and policy it alternates runs of
// the other build (A) and this one (B) on the same 1 M-event overcommit workload, oracle on, and
// prints the median of each and the median of the per-pair ratios B/A (below 1: this build is faster).
// Not a test: it prints numbers. VFPU_AB_EVENTS and VFPU_AB_PAIRS change the size.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const here = resolve(import.meta.dirname, '../../..');
const other = process.argv[2];
if (other === undefined) {
  console.error('usage: node packages/cli/bench/ab.mjs <other built checkout>');
  process.exit(2);
}
const EVENTS = Number(process.env.VFPU_AB_EVENTS ?? 1_000_000);
const PAIRS = Number(process.env.VFPU_AB_PAIRS ?? 9);
const TARGETS = [
  ['mips-vz', 'loongson-3a4000', 'mipsVz'],
  ['arm-vfp', 'arm64-e5', 'armVfp'],
  ['arm-vfp', 'armv7-2013', 'armVfp'],
  ['x86-xfd', 'kvm-6.16', 'x86Xfd'],
  ['loongarch', 'gen-1', 'loongarch'],
  ['riscv', 'kvm-6.17', 'riscv'],
];

async function load(root) {
  const imp = (p) => import(pathToFileURL(resolve(root, p)).href);
  const core = await imp('packages/core/dist/index.js');
  // a backend the other checkout does not have yet is skipped
  const backends = {};
  for (const [arch, , factory] of TARGETS) {
    try {
      backends[arch] = (await imp(`packages/${arch}/dist/index.js`))[factory]();
    } catch {}
  }
  const run = (arch, variant, policy) => {
    const t0 = process.hrtime.bigint();
    const { report } = core.runPreset(
      { preset: 'overcommit', events: EVENTS },
      { backends: [backends[arch]], arch, variant, policy, seed: 1 },
    );
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, bytes: report.bytes };
  };
  run.has = (arch) => backends[arch] !== undefined;
  return run;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const runA = await load(other);
const runB = await load(here);
console.log(
  `paired A/B: A = ${other}, B = ${here}; ${EVENTS.toLocaleString('en-US')} events, ${PAIRS} pairs`,
);
for (const [arch, variant] of TARGETS) {
  if (!runA.has(arch) || !runB.has(arch)) {
    console.log(`  ${variant.padEnd(16)} skipped: ${arch} is not built in both checkouts`);
    continue;
  }
  for (const policy of ['kvm', 'eager']) {
    runA(arch, variant, policy);
    runB(arch, variant, policy); // warm-up
    const a = [];
    const b = [];
    const ratio = [];
    for (let i = 0; i < PAIRS; i++) {
      const first = i % 2 === 0 ? runA : runB;
      const second = i % 2 === 0 ? runB : runA;
      const x = first(arch, variant, policy).ms;
      const y = second(arch, variant, policy).ms;
      const [ma, mb] = i % 2 === 0 ? [x, y] : [y, x];
      a.push(ma);
      b.push(mb);
      ratio.push(mb / ma);
    }
    const evs = (ms) => Math.round((EVENTS / ms) * 1000).toLocaleString('en-US');
    console.log(
      `  ${variant.padEnd(16)} ${policy.padEnd(6)} A ${evs(median(a)).padStart(10)} ev/s  B ${evs(median(b)).padStart(10)} ev/s  B/A time ${median(ratio).toFixed(3)}`,
    );
  }
}
