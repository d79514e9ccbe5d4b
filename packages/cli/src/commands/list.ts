/** `vfpu list`: architectures, variants, units, options, policies, presets and cost keys. */
import {
  type BackendV2,
  BUILTIN_POLICIES,
  COST_MEANING,
  coincidence,
  PARAM_HELP,
  PRESETS,
  UNIT_CLASSES,
} from '@vfpu/core';
import type { Command } from 'commander';
import { withBackends } from '../backends.js';
import type { Context } from '../context.js';
import { addBackend } from '../options.js';

function listData(backends: readonly BackendV2[]) {
  return {
    archs: backends.map((b) => ({
      id: b.id,
      description: b.description,
      version: b.version,
      defaultVariant: b.defaultVariant,
      variants: b.variants.map((v) => ({
        id: v.id,
        description: v.description,
        kernel: v.kernel,
        units: v.units.map((u) => ({ id: u.id, description: u.description })),
        classes: v.classMap,
        controlRegisters: Object.fromEntries(
          v.controlRegisters.map((r) => [
            r.name,
            { description: r.description, ...(r.unit ? { unit: r.unit } : {}) },
          ]),
        ),
        exitReasons: Object.fromEntries((v.exitReasons ?? []).map((r) => [r.name, r.description])),
        trapGranularity: v.trapGranularity,
        coincide: BUILTIN_POLICIES.flatMap((p) => {
          const why = coincidence({ name: p.name, definition: p, params: {} }, v);
          return why === undefined ? [] : [why];
        }),
        ...(v.userRegisters ? { registerIds: v.userRegisters.description } : {}),
        kvm: v.kvm,
      })),
      options: Object.fromEntries(
        Object.entries(b.options).map(([k, s]) => [
          k,
          { description: s.description, default: s.default },
        ]),
      ),
    })),
    policies: [
      {
        name: 'kvm',
        description: "what the variant's kernel does (see each variant's kvm entry)",
        params: {},
      },
      ...BUILTIN_POLICIES.map((p) => ({
        name: p.name,
        description: p.description,
        origin: p.origin,
        params: p.params,
      })),
    ],
    presets: Object.fromEntries(
      Object.entries(PRESETS).map(([k, p]) => [
        k,
        { description: p.description, params: p.params },
      ]),
    ),
    presetParams: PARAM_HELP,
    unitClasses: UNIT_CLASSES,
    costs: COST_MEANING,
  };
}

function renderList(data: ReturnType<typeof listData>): string {
  const lines: string[] = [];
  lines.push('architectures');
  for (const a of data.archs) {
    lines.push(`  ${a.id} ${a.version} — ${a.description}`);
    for (const v of a.variants) {
      lines.push(
        `    variant ${v.id}${v.id === a.defaultVariant ? ' (default)' : ''}: ${v.description}`,
      );
      lines.push(`      models: ${v.kernel}`);
      lines.push(
        `      units: ${v.units.map((u) => u.id).join(', ')}; classes: ${Object.entries(v.classes)
          .map(([c, u]) => `${c}→${u}`)
          .join(', ')}`,
      );
      lines.push(
        `      guest-write registers: ${Object.entries(v.controlRegisters)
          .map(([name, r]) => (r.unit ? `${name} (${r.unit})` : name))
          .join(', ')}`,
      );
      for (const [name, what] of Object.entries(v.exitReasons))
        lines.push(`      exit reason ${name}: ${what}`);
      if (v.registerIds !== undefined) lines.push(`      user-get/user-set ids: ${v.registerIds}`);
      lines.push(
        `      traps: ${v.trapGranularity.scope === 'all' ? `one trap enables every unit (${v.trapGranularity.why})` : 'per unit (the policy chooses what a trap grants)'}`,
      );
      for (const c of v.coincide) lines.push(`      ${c}`);
      lines.push(`      kvm policy = ${v.kvm.policy}`);
    }
    lines.push('    options (workload header "config"):');
    for (const [k, s] of Object.entries(a.options))
      lines.push(`      ${k}: ${s.description} (default ${JSON.stringify(s.default)})`);
  }
  lines.push('policies');
  for (const p of data.policies) {
    const params = Object.entries(p.params).map(([k, s]) => `${k}=${s.default}`);
    lines.push(`  ${p.name}${params.length ? ` [${params.join(', ')}]` : ''} — ${p.description}`);
  }
  lines.push('presets (run preset:NAME, or vfpu gen NAME)');
  for (const [k, p] of Object.entries(data.presets)) lines.push(`  ${k} — ${p.description}`);
  lines.push('preset parameters (--param key=value)');
  for (const [k, s] of Object.entries(PARAM_HELP)) lines.push(`  ${k} — ${s}`);
  lines.push(`unit classes: ${UNIT_CLASSES.join(', ')}`);
  lines.push('cost keys (--costs FILE: {"key": number | {"value": n, "source": "…"}})');
  for (const [k, s] of Object.entries(COST_MEANING)) lines.push(`  ${k} — ${s}`);
  return `${lines.join('\n')}\n`;
}

export function addList(program: Command, ctx: Context): void {
  const { io } = ctx;
  addBackend(
    program
      .command('list')
      .description('list architectures, variants, units, options, policies, presets and cost keys')
      .option('--json', 'as JSON'),
  ).action(async (o: { json?: boolean; backend?: string[] }) => {
    const data = listData(await withBackends(o.backend, io.cwd ?? process.cwd()));
    io.stdout.write(o.json ? `${JSON.stringify(data, null, 2)}\n` : renderList(data));
  });
}
