/**
 * LazyFP (CVE-2018-3665) exposure by architecture and policy: events during which a pCPU holds
 * another context's registers while the running vCPU executes with the unit trapped. An eager
 * policy must show no guest↔guest exposure anywhere: this example fails (exit 1) if one does.
 */

import { parseArgs } from 'node:util';
import { armVfp } from '@vfpu/arm-vfp';
import { runPresetMany } from '@vfpu/core';
import { loongarch } from '@vfpu/loongarch';
import { mipsVz } from '@vfpu/mips-vz';
import { riscv } from '@vfpu/riscv';
import { x86Xfd } from '@vfpu/x86-xfd';

const backends = [mipsVz(), armVfp(), x86Xfd(), loongarch(), riscv()];
const policies = ['kvm', 'lazy', 'lazy-per-exit', 'eager'];
// `npm start -- 20000`: parseArgs drops the `--` that npm and pnpm pass on
const [count = '100000'] = parseArgs({ allowPositionals: true }).positionals;
const events = Number(count);
if (!Number.isSafeInteger(events) || events < 1) {
  console.error(`lazyfp-exposure: events: must be a positive integer, got ${count}`);
  process.exit(2);
}
const configs = backends.flatMap((b) =>
  policies.map((policy) => ({ backends, arch: b.id, policy })),
);
const results = runPresetMany({ preset: 'overcommit', events }, configs);

console.log(
  `overcommit, ${events.toLocaleString('en-US')} events: LazyFP exposure events (guest↔guest)\n`,
);
console.log(`${'arch/variant'.padEnd(26)}${policies.map((p) => p.padStart(16)).join('')}`);
for (let i = 0; i < results.length; i += policies.length) {
  const row = results.slice(i, i + policies.length).map((x) => x.report);
  const first = row[0];
  if (first === undefined) continue;
  console.log(
    `${`${first.arch}/${first.variant}`.padEnd(26)}${row.map((r) => `${r.exposure.events} (${r.exposure.guest.events})`.padStart(16)).join('')}`,
  );
  const eager = row[policies.indexOf('eager')];
  if (eager !== undefined && eager.exposure.guest.events !== 0) {
    console.error(`${first.arch}: eager shows guest↔guest exposure`);
    process.exitCode = 1;
  }
}
