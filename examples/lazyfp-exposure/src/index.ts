/**
 * LazyFP (CVE-2018-3665) exposure by architecture and policy: events during which a pCPU holds
 * another context's registers while the running vCPU executes with the unit trapped. An eager
 * policy must show no guest↔guest exposure anywhere: this example fails (exit 1) if one does.
 */
import { armVfp } from '@vfpu/arm-vfp';
import { runPresetMany } from '@vfpu/core';
import { loongarch } from '@vfpu/loongarch';
import { mipsVz } from '@vfpu/mips-vz';
import { riscv } from '@vfpu/riscv';
import { x86Xfd } from '@vfpu/x86-xfd';

const backends = [mipsVz(), armVfp(), x86Xfd(), loongarch(), riscv()];
const policies = ['kvm', 'lazy', 'lazy-per-exit', 'eager'];
const events = Number(process.argv[2] ?? 100_000);
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
