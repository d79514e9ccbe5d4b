/**
 * Mutations of the header's meaning (format, arch, variant, counts, threads, config options)
 * and of the event sequence: impossible events (use before run, exit when not in the guest,
 * load on a busy pCPU, …) that must be refused at their line, and random valid-looking events,
 * line swaps and deletions that may be accepted (a violation after one is a finding).
 */
import { UNIT_CLASSES } from '@vfpu/core';
import { OPS } from '@vfpu/core/internal';
import { BACKENDS } from '../src/backends.js';
import { type Mutant, type Mutation, mutant, parse, text, withLine } from './mutate.js';
import type { FuzzRng } from './rng.js';
import type { Seed } from './seeds.js';

type Obj = Record<string, unknown>;

function header(seed: Seed): Obj {
  return parse(seed, 1);
}

function withHeader(seed: Seed, h: Obj): Buffer {
  return withLine(seed, 1, JSON.stringify(h));
}

function refuseHeader(cls: string, seed: Seed, h: Obj, note: string, field: string): Mutant {
  return mutant(cls, 'refuse', withHeader(seed, h), note, 1, field);
}

const format: Mutation = (seed, rng) => {
  const v = rng.pick(['vfpu-trace', 'VFPU-WORKLOAD', 'vfpu-workload ', '', 'vfpu-report']);
  return refuseHeader('header-format', seed, { ...header(seed), format: v }, v, 'format');
};

const arch: Mutation = (seed, rng) => {
  const h = header(seed);
  const others = BACKENDS.filter((b) => b.id !== seed.backend.id);
  const r = rng.int(3);
  if (r === 0) {
    const v = rng.pick(['no-such-arch', seed.backend.id.toUpperCase(), `${seed.backend.id} `]);
    return refuseHeader('header-arch', seed, { ...h, arch: v }, v, 'arch');
  }
  const otherBackend = rng.pick(others);
  const other = otherBackend.id;
  // a variant id the other arch also has (riscv and x86-xfd both have kvm-6.16) is no refusal
  const shared = otherBackend.variants.some((v) => v.id === h.variant);
  if (r === 1 && h.variant !== undefined && !shared)
    return refuseHeader(
      'header-arch',
      seed,
      { ...h, arch: other },
      `${other} (variant kept)`,
      'variant',
    );
  if (r === 1 && shared)
    return mutant(
      'header-arch',
      'may',
      withHeader(seed, { ...h, arch: other }),
      `${other} (same variant id)`,
    );
  const { variant: _, ...rest } = h;
  return mutant('header-arch', 'may', withHeader(seed, { ...rest, arch: other }), other);
};

const variant: Mutation = (seed, rng) => {
  const h = header(seed);
  if (rng.chance(0.5)) {
    const v = rng.pick(['no-such-variant', seed.variant.toUpperCase(), '']);
    return refuseHeader('header-variant', seed, { ...h, variant: v }, v, 'variant');
  }
  const v = rng.pick(seed.backend.variants).id;
  return mutant('header-variant', 'may', withHeader(seed, { ...h, variant: v }), v);
};

const counts: Mutation = (seed, rng) => {
  const key = rng.pick(['cpus', 'vcpus']);
  const v = 1 + rng.int(8);
  return mutant(
    'header-counts',
    'may',
    withHeader(seed, { ...header(seed), [key]: v }),
    `${key}=${v}`,
  );
};

const threads: Mutation = (seed, rng) => {
  const h = header(seed);
  const ts = (h.threads as string[] | undefined) ?? [];
  const r = rng.int(4);
  if (r === 0 && ts.length > 0) {
    const t = [...ts, rng.pick(ts)];
    return refuseHeader('header-threads', seed, { ...h, threads: t }, 'thread twice', 'threads');
  }
  if (r === 1) {
    const bad = rng.pick(['vmm0', 'vmm7', '1abc', 'a b', '', 'ünï', '-x']);
    return refuseHeader('header-threads', seed, { ...h, threads: [...ts, bad] }, bad, 'threads');
  }
  if (r === 2) {
    const many = Array.from({ length: 4097 }, (_, i) => `t${i}`);
    return refuseHeader('header-threads', seed, { ...h, threads: many }, '4097 threads', 'threads');
  }
  return mutant('header-threads', 'may', withHeader(seed, { ...h, threads: [] }), 'no threads');
};

const config: Mutation = (seed, rng) => {
  const h = header(seed);
  const cfg = (h.config as Obj | undefined) ?? {};
  const options = seed.backend.options;
  const names = Object.keys(options);
  const r = rng.int(3);
  if (r === 0) {
    const name = rng.pick(['noSuchOption', 'FPU', 'vfpV3', 'x y']);
    const field = /^[A-Za-z0-9_$-]+$/.test(name) ? name : JSON.stringify(name);
    const c = { ...cfg, [name]: true };
    return refuseHeader('header-config', seed, { ...h, config: c }, name, `config.${field}`);
  }
  const name = rng.pick(names);
  const def = options[name]?.default;
  // null is refused (omit the option for its default), except where null is the documented default
  const wrong: unknown[] = def === null ? ['fuzz-value'] : [null, 'fuzz-value'];
  if (typeof def === 'boolean' || typeof def === 'string' || Array.isArray(def)) wrong.push(7);
  if (typeof def === 'boolean' || typeof def === 'string') wrong.push([], {});
  if (def !== null && typeof def === 'object' && !Array.isArray(def)) wrong.push([], 7);
  if (Array.isArray(def)) wrong.push(['no-such-name'], [1], [null]);
  // a boolean option given as something JSON or a reader might take for one
  const v = r === 2 && typeof def === 'boolean' ? rng.pick(['true', 1, 0, 'yes']) : rng.pick(wrong);
  const c = { ...cfg, [name]: v };
  return refuseHeader(
    'header-config',
    seed,
    { ...h, config: c },
    `${name}=${JSON.stringify(v)}`,
    `config.${name}`,
  );
};

/** Paths to the leaves (strings, booleans, numbers) of a JSON value. */
function leaves(v: unknown, path: (string | number)[], out: (string | number)[][]): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) leaves(v[i], [...path, i], out);
  } else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) leaves(x, [...path, k], out);
  else if (v !== null) out.push(path);
}

/** A leaf deep in a config option (a bit, component or thread name, a flag) made unknown. */
const configLeaf: Mutation = (seed, rng) => {
  const h = header(seed);
  const cfg = h.config as Obj | undefined;
  if (cfg === undefined) return undefined;
  const paths: (string | number)[][] = [];
  leaves(cfg, [], paths);
  const deep = paths.filter((p) => p.length > 1);
  if (deep.length === 0) return undefined;
  const path = rng.pick(deep);
  const copy = JSON.parse(JSON.stringify(cfg)) as Obj;
  let at: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  const old = at[last];
  at[last] = typeof old === 'string' ? 'no-such-name' : typeof old === 'boolean' ? 'yes' : 'x';
  const note = `config.${path.join('.')} = ${JSON.stringify(at[last])}`;
  return refuseHeader('config-leaf', seed, { ...h, config: copy }, note, `config.${path[0]}`);
};

/** The seed with `events` inserted after line `after` (1-based; 1 = right after the header). */
function insert(seed: Seed, after: number, events: readonly unknown[]): Buffer {
  const lines = seed.lines.slice();
  lines.splice(after, 0, ...events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))));
  return text(lines);
}

const impossible: Mutation = (seed, rng) => {
  const h = header(seed) as { cpus: number; vcpus: number };
  const reg = seed.backend.variants.find((v) => v.id === seed.variant)?.controlRegisters[0]?.name;
  const load = { op: 'load', vcpu: 0, cpu: 0 };
  const cases: [string, unknown[]][] = [
    ['use before run', [{ op: 'use', vcpu: 0, unit: 'scalar' }]],
    ['exit before load', [{ op: 'exit', vcpu: 0 }]],
    ['enter before load', [{ op: 'enter', vcpu: 0 }]],
    ['put before load', [{ op: 'put', vcpu: 0 }]],
    ['sched-out before run', [{ op: 'sched-out', vcpu: 0 }]],
    ['double load', [load, { op: 'load', vcpu: 0, cpu: h.cpus > 1 ? 1 : 0 }]],
    [
      'run twice elsewhere',
      [
        { op: 'run', vcpu: 0, cpu: 0 },
        { op: 'load', vcpu: 0, cpu: 0 },
      ],
    ],
  ];
  if (reg !== undefined)
    cases.push(['guest-write before run', [{ op: 'guest-write', vcpu: 0, reg, value: 0 }]]);
  if (h.vcpus > 1) cases.push(['load on a busy cpu', [load, { op: 'load', vcpu: 1, cpu: 0 }]]);
  const [note, events] = rng.pick(cases);
  return mutant('impossible', 'refuse', insert(seed, 1, events), note, 1 + events.length, '*');
};

/** May be refused by the engine (exit when not in the guest, use in root mode): any line, a field. */
const maybeImpossible: Mutation = (seed, rng) => {
  const cases: [string, unknown[]][] = [
    [
      'exit when not in guest',
      [
        { op: 'load', vcpu: 0, cpu: 0 },
        { op: 'exit', vcpu: 0 },
      ],
    ],
    [
      'use in root mode',
      [
        { op: 'load', vcpu: 0, cpu: 0 },
        { op: 'use', vcpu: 0, unit: 'scalar' },
      ],
    ],
    [
      'enter twice',
      [
        { op: 'run', vcpu: 0, cpu: 0 },
        { op: 'enter', vcpu: 0 },
      ],
    ],
  ];
  const [note, events] = rng.pick(cases);
  return mutant('maybe-impossible', 'may', insert(seed, 1, events), note);
};

/** A random event of the variant, with fields in range. */
function randomEvent(seed: Seed, rng: FuzzRng): Obj {
  const h = header(seed) as { cpus: number; vcpus: number; threads?: string[] };
  const v = seed.backend.variants.find((x) => x.id === seed.variant);
  const units = [...UNIT_CLASSES, ...(v?.units.map((u) => u.id) ?? [])];
  const vcpu = rng.int(h.vcpus);
  const cpu = rng.int(h.cpus);
  const op = rng.pick(OPS);
  const access = rng.pick(['read', 'write', 'rw']);
  const e: Obj = { op };
  switch (op) {
    case 'load':
    case 'run':
      return { op, vcpu, cpu };
    case 'use':
      return {
        op,
        vcpu,
        unit: rng.pick(units),
        access,
        ...(rng.chance(0.3) ? { reg: rng.int(8) } : {}),
      };
    case 'guest-write': {
      const regs = v?.controlRegisters ?? [];
      if (regs.length === 0) return { op: 'exit', vcpu };
      const r = rng.pick(regs);
      const bits = Object.keys(r.bits);
      if (bits.length > 0 && rng.chance(0.6))
        return { op, vcpu, reg: r.name, [rng.pick(['set', 'clear'])]: [rng.pick(bits)] };
      return {
        op,
        vcpu,
        reg: r.name,
        value: rng.pick([0, 1, 0x1f80, 0x1f81, 0xffffffff, rng.u32()]),
      };
    }
    case 'exit':
      return { op, vcpu, reason: rng.pick(['mmio', 'irq', 'hlt', 'hypercall', 'signal', 'other']) };
    case 'host-use':
      return { op, cpu, unit: rng.pick(units), access };
    case 'switch':
      return { op, cpu, thread: rng.pick([...(h.threads ?? []), `vmm${vcpu}`]) };
    case 'kernel-fpu':
      return { op, cpu };
    case 'user-get':
    case 'user-set':
      return { op, vcpu, unit: rng.pick(units) };
    case 'work':
      return { op, vcpu, cycles: rng.int(5000) };
    case 'syscall': {
      const calls = v?.syscalls ?? [];
      if (calls.length === 0) return { op: 'put', vcpu };
      const c = rng.pick(calls);
      return {
        op,
        name: c.name,
        ...(c.vcpu ? { vcpu } : {}),
        ...(c.value ? { value: rng.pick([0, 1, 0x20000, 0x60000, rng.u32()]) } : {}),
      };
    }
    default:
      e.vcpu = vcpu;
      return e;
  }
}

const randomEvents: Mutation = (seed, rng) => {
  const n = 1 + rng.int(3);
  const events = Array.from({ length: n }, () => randomEvent(seed, rng));
  const at = 1 + rng.int(seed.lines.length);
  return mutant('random-events', 'may', insert(seed, at, events), JSON.stringify(events));
};

/**
 * A vCPU and a pCPU added to the header, and a block of events on them alone inserted anywhere:
 * valid whatever the rest does (a violation after it is a finding). Guest uses and control
 * writes while in the guest, exits and re-entries, and between runs userspace, syscalls, host
 * threads and kernel-mode FP on its pCPU.
 */
const vcpuBlock: Mutation = (seed, rng) => {
  const h = header(seed) as { cpus: number; vcpus: number; threads?: string[] };
  if (h.cpus >= 1024 || h.vcpus >= 4096) return undefined;
  const vcpu = h.vcpus;
  const cpu = h.cpus;
  const grown: Seed = {
    ...seed,
    lines: [JSON.stringify({ ...h, cpus: cpu + 1, vcpus: vcpu + 1 }), ...seed.lines.slice(1)],
  };
  const events: Obj[] = [{ op: 'run', vcpu, cpu }];
  let inGuest = true;
  const n = 3 + rng.int(12);
  for (let i = 0; i < n; i++) {
    const e = randomEvent(grown, rng);
    if (inGuest) {
      if (rng.chance(0.15)) {
        events.push({ op: 'sched-out', vcpu });
        inGuest = false;
      } else if (rng.chance(0.1)) events.push({ op: 'exit', vcpu }, { op: 'enter', vcpu });
      else if (e.op === 'use' || e.op === 'guest-write') events.push({ ...e, vcpu });
    } else if (rng.chance(0.3)) {
      events.push({ op: 'run', vcpu, cpu });
      inGuest = true;
    } else if (e.op === 'user-get' || e.op === 'user-set') events.push({ ...e, vcpu });
    else if (e.op === 'syscall') events.push(e.vcpu === undefined ? e : { ...e, vcpu });
    else if (e.op === 'host-use' || e.op === 'kernel-fpu' || e.op === 'switch')
      events.push({ ...e, cpu, ...(e.op === 'switch' ? { thread: `vmm${vcpu}` } : {}) });
  }
  if (inGuest) events.push({ op: 'sched-out', vcpu });
  const at = 1 + rng.int(seed.lines.length);
  return mutant('vcpu-block', 'may', insert(grown, at, events), JSON.stringify(events));
};

const blankLines: Mutation = (seed, rng) => {
  const at = 1 + rng.int(seed.lines.length);
  const blank = rng.pick(['', '   ', '\t', ' \t ']);
  return mutant('blank-line', 'equiv', insert(seed, at, [blank]), `after line ${at}`);
};

const shuffleLines: Mutation = (seed, rng) => {
  if (seed.lines.length < 3) return undefined;
  const lines = seed.lines.slice();
  const i = 1 + rng.int(lines.length - 1);
  const r = rng.int(3);
  if (r === 0) {
    const j = 1 + rng.int(lines.length - 1);
    [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
  } else if (r === 1) lines.splice(i, 1);
  else lines.splice(i, 0, lines[i] as string);
  return mutant('shuffle-lines', 'may', text(lines), ['swap', 'delete', 'repeat'][r] as string);
};

export const HEADER_MUTATIONS: Readonly<Record<string, Mutation>> = {
  'header-format': format,
  'header-arch': arch,
  'header-variant': variant,
  'header-counts': counts,
  'header-threads': threads,
  'header-config': config,
  'config-leaf': configLeaf,
};

export const EVENT_MUTATIONS: Readonly<Record<string, Mutation>> = {
  impossible,
  'maybe-impossible': maybeImpossible,
  'random-events': randomEvents,
  'vcpu-block': vcpuBlock,
  'blank-line': blankLines,
  'shuffle-lines': shuffleLines,
};
