/**
 * One architecture-neutral workload (unit classes: scalar, vec128, vec256, …) on every
 * architecture's kernel, generated once and fed to every simulator in one pass
 * (runPresetMany): the same guest behaviour, each kernel's own way of switching FP state.
 */

import { parseArgs } from 'node:util';
import { armVfp } from '@vfpu/arm-vfp';
import { presetParams, rootTraps, runPresetMany } from '@vfpu/core';
import { loongarch } from '@vfpu/loongarch';
import { mipsVz } from '@vfpu/mips-vz';
import { riscv } from '@vfpu/riscv';
import { x86Xfd } from '@vfpu/x86-xfd';

const backends = [mipsVz(), armVfp(), x86Xfd(), loongarch(), riscv()];
// `npm start -- hpc 50000`: parseArgs drops the `--` that npm and pnpm pass on
const [preset = 'desktop', count = '100000'] = parseArgs({ allowPositionals: true }).positionals;
const events = Number(count);
try {
  if (!Number.isSafeInteger(events) || events < 1)
    throw new Error(`events: must be a positive integer, got ${count}`);
  presetParams(preset); // an unknown preset: its message, with the near names
} catch (e) {
  console.error(
    `neutral-across-archs: ${(e as Error).message}\nusage: npm start -- [preset] [events]`,
  );
  process.exit(2);
}
const configs = backends.flatMap((b) =>
  b.variants.map((v) => ({ backends, arch: b.id, variant: v.id, policy: 'kvm' })),
);
const results = runPresetMany({ preset, events }, configs);

console.log(
  `${preset}, ${events.toLocaleString('en-US')} events, under each kernel (policy kvm)\n`,
);
console.log(
  `${'arch/variant'.padEnd(28)} ${'kvm ='.padEnd(15)} ${'traps'.padStart(6)}  bytes moved  FP cycles  FP %  violations`,
);
for (const { report: r } of results) {
  const bytes = r.bytes.saved + r.bytes.restored;
  const pct = r.cycles.total ? (100 * r.cycles.fp) / r.cycles.total : 0;
  console.log(
    `${`${r.arch}/${r.variant}`.padEnd(28)} ${r.config.policy.runs.padEnd(15)} ${String(rootTraps(r)).padStart(6)} ${String(bytes).padStart(12)} ${String(r.cycles.fp).padStart(10)} ${pct.toFixed(1).padStart(5)} ${String(r.check.violations).padStart(11)}`,
  );
  if (r.check.violations !== 0) process.exitCode = 1;
}
