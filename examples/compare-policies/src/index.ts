/**
 * Compare switching policies on the same generated workload through the library API
 * (not the CLI): how many traps and bytes does each policy cost on MIPS VZ, and is the
 * guest state intact under every one of them?
 */
import { parseArgs } from 'node:util';
import { POLICY_NAMES, presetParams, rootTraps, runPreset } from '@vfpu/core';
import { mipsVz } from '@vfpu/mips-vz';

const backends = [mipsVz()]; // backends are passed explicitly: nothing registers itself
// `npm start -- hpc 50000`: parseArgs drops the `--` that npm and pnpm pass on
const args = parseArgs({ allowPositionals: true }).positionals;
const [preset = 'simd-bursty', count = '200000'] = args;
const events = Number(count);
try {
  if (!Number.isSafeInteger(events) || events < 1)
    throw new Error(`events: must be a positive integer, got ${count}`);
  presetParams(preset); // an unknown preset: its message, with the near names
} catch (e) {
  console.error(`compare-policies: ${(e as Error).message}\nusage: npm start -- [preset] [events]`);
  process.exit(2);
}

console.log(`${preset}, ${events.toLocaleString('en-US')} events on mips-vz (seed 1)\n`);
console.log('policy           traps  bytes moved  FP cycles  exposure  violations');
for (const policy of POLICY_NAMES) {
  const { report } = runPreset({ preset, events }, { backends, policy, seed: 1 });
  const traps = rootTraps(report); // the traps that exit to the hypervisor
  const bytes = report.bytes.saved + report.bytes.restored;
  console.log(
    `${policy.padEnd(14)} ${String(traps).padStart(7)} ${String(bytes).padStart(12)} ${String(Math.round(report.cycles.fp)).padStart(10)} ${String(report.exposure.events).padStart(9)} ${String(report.check.violations).padStart(11)}`,
  );
  if (report.check.violations !== 0) process.exitCode = 1;
}
