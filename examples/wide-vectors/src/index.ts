/**
 * Wide vectors and what their size costs: two vCPUs time-share one pCPU, each using 256- and
 * 512-bit vectors (classes vec256, vec512) in every slice. Each kernel maps the classes to its own
 * unit (LASX on Loongson, SVE on arm64, AVX/AVX-512 on x86, V on RISC-V) and moves its own bytes
 * per switch: this prints the bytes moved per context switch under each kernel.
 */

import { parseArgs } from 'node:util';
import { armVfp } from '@vfpu/arm-vfp';
import { findVariant, rootTraps, runText } from '@vfpu/core';
import { loongarch } from '@vfpu/loongarch';
import { mipsVz } from '@vfpu/mips-vz';
import { riscv } from '@vfpu/riscv';
import { x86Xfd } from '@vfpu/x86-xfd';

const backends = [mipsVz(), armVfp(), x86Xfd(), loongarch(), riscv()];
// `npm start -- 200`: parseArgs drops the `--` that npm and pnpm pass on
const [count = '1000'] = parseArgs({ allowPositionals: true }).positionals;
const rounds = Number(count);
if (!Number.isSafeInteger(rounds) || rounds < 1) {
  console.error(`wide-vectors: rounds: must be a positive integer, got ${count}`);
  process.exit(2);
}
const lines = ['{"format":"vfpu-workload","version":1,"cpus":1,"vcpus":2,"threads":[]}'];
for (let i = 0; i < rounds; i++)
  for (const v of [0, 1]) {
    lines.push(`{"op":"run","vcpu":${v},"cpu":0}`);
    lines.push(`{"op":"use","vcpu":${v},"unit":"vec256","access":"write"}`);
    lines.push(`{"op":"use","vcpu":${v},"unit":"vec512","access":"rw"}`);
    lines.push(`{"op":"sched-out","vcpu":${v}}`);
  }
const text = lines.join('\n');

console.log(
  `${rounds} rounds of two vCPUs on one pCPU, vec256 + vec512 in every slice (policy kvm)\n`,
);
console.log('arch/variant                 vec512 →      traps  bytes/switch  violations');
for (const b of backends) {
  const v = findVariant(b, undefined);
  if (v === undefined) continue;
  const { report: r } = runText(text, { backends, arch: b.id, policy: 'kvm' });
  const perSwitch = Math.round((r.bytes.saved + r.bytes.restored) / (2 * rounds));
  console.log(
    `${`${r.arch}/${r.variant}`.padEnd(28)} ${v.classMap.vec512.padEnd(12)} ${String(rootTraps(r)).padStart(6)} ${String(perSwitch).padStart(13)} ${String(r.check.violations).padStart(11)}`,
  );
  if (r.check.violations !== 0) process.exitCode = 1;
}
