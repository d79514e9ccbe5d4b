/**
 * Writes `NAME.expect.json` for every scenario that has none, from the simulator's result (the
 * title and `follows` from the workload's name and the derivation's "Follows:" line). The numbers
 * must then be reconciled with the independent hand derivation (`NAME.derivation.md`) before they
 * are committed. Usage: node --conditions=@vfpu/source --import tsx scripts/expect.ts [--force NAME…]
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runText } from '@vfpu/core';
import { x86Xfd } from '../src/index.js';

const dir = new URL('../test/scenarios/', import.meta.url).pathname;
const force = process.argv.includes('--force')
  ? process.argv.slice(process.argv.indexOf('--force') + 1)
  : [];
const backends = [x86Xfd()];
const interesting =
  /^(kvm_|fpu_|handle_|switch_fpu|fpregs_|kernel_fpu|xfd_|vmx_|exc_|__kernel|save_fpregs)/;
for (const f of readdirSync(dir)
  .filter((n) => n.endsWith('.ndjson'))
  .sort()) {
  const name = f.slice(0, -'.ndjson'.length);
  const out = join(dir, `${name}.expect.json`);
  if (existsSync(out) && !force.includes(name)) continue;
  const text = readFileSync(join(dir, f), 'utf8');
  const header = JSON.parse(text.split('\n')[0] as string) as { name?: string };
  const derivation = join(dir, `${name}.derivation.md`);
  let follows: string[] = ['(see the derivation)'];
  if (existsSync(derivation)) {
    const line = readFileSync(derivation, 'utf8')
      .split('\n')
      .find((l) => /follows:/i.test(l));
    if (line)
      follows = line
        .replace(/^.*?follows:\s*/i, '')
        .split(/;\s*/)
        .map((s) => s.trim())
        .filter(Boolean);
  }
  const prev = existsSync(out)
    ? (JSON.parse(readFileSync(out, 'utf8')) as { title?: string; follows?: string[] })
    : {};
  let r: ReturnType<typeof runText>;
  try {
    r = runText(text, { backends, policy: 'kvm', recordCalls: true }, name);
  } catch (e) {
    console.log(`${name}: ERROR ${(e as Error).message}`);
    continue;
  }
  const rep = r.report;
  const ops: Record<string, { calls: number; bytes: number }> = {};
  for (const [k, v] of Object.entries(rep.ops)) ops[k] = { calls: v.calls, bytes: v.bytes };
  const state = r.simulator.inspect() as { vcpus: Record<string, unknown>[] };
  const nonZero = (o: Record<string, number>) =>
    Object.fromEntries(Object.entries(o).filter(([, n]) => n !== 0));
  for (const k of Object.keys(ops)) if (ops[k]?.calls === 0) delete ops[k];
  const expect = {
    title: prev.title ?? header.name ?? name,
    follows: prev.follows ?? follows,
    exits: nonZero(rep.exits),
    traps: nonZero(rep.traps),
    outcomes: nonZero(rep.outcomes),
    ops,
    bytes: rep.bytes,
    violations: rep.check.violations,
    calls: r.calls.filter((c) => interesting.test(c)),
    state: { vcpus: state.vcpus },
  };
  writeFileSync(out, `${JSON.stringify(expect, null, 2)}\n`);
  console.log(
    `${name}: ${JSON.stringify(rep.exits)} ${JSON.stringify(rep.traps)} ${JSON.stringify(ops)} ${JSON.stringify(rep.outcomes)} violations ${rep.check.violations}${rep.warnings.length ? ` warnings ${JSON.stringify(rep.warnings)}` : ''}`,
  );
}
