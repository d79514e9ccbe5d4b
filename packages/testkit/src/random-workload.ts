/**
 * Random VALID workloads for a backend's variant, beyond the presets: every op the variant
 * supports (every unit, control register, exit reason, system call, uapi register id, host
 * threads, kernel-mode FP, migrations between pCPUs), with header options of the variant.
 *
 * A workload is a list of choices (numbers) interpreted against a model of the workload's own
 * vCPU lifecycle, so every list of numbers gives a workload valid BY ITS OWN LIFECYCLE,
 * independent of the policy: fast-check shrinks the numbers (0 = the simplest choice) and the
 * interpretation stays valid. `seededValidWorkload` draws the numbers from a seed instead.
 *
 * Lifecycle rules (per vCPU: outside / loaded(cpu) / in-guest(cpu) / preempted): load(cpu) from
 * outside or preempted, on a cpu without a loaded vCPU; enter from loaded; run = load if needed,
 * then enter; use / guest-write / work only in guest; exit: in-guest → loaded; put: loaded →
 * preempted; sched-out: in-guest or loaded → preempted; user-get / user-set / vCPU syscall: any
 * state → outside (from loaded or in-guest: "returned", and `enter` runs KVM_RUN again on the
 * last cpu if it is free); host-use / switch need no vCPU loaded on the cpu (host-use a current
 * thread; a VMM thread whose vCPU is loaded cannot be switched); kernel-fpu needs no vCPU in
 * guest mode on the cpu.
 */
import type { BackendV2, VariantSpec } from '@vfpu/core';
import { EXIT_REASONS, EXITS_TO_USERSPACE } from '@vfpu/core/backend-utils';
import fc from 'fast-check';
import { IN_GUEST, Lifecycle, LOADED, NONE, OUTSIDE } from './random-lifecycle.js';
import { archProfile, Picker } from './random-profiles.js';

const THREAD_NAMES = ['app', 'kworker0', 'worker', 'idle', 'ksoftirqd0'];

/** The choices one workload is made of. */
export interface ValidWorkloadChoices {
  /** Numbers choosing the header (vCPUs, pCPUs, threads, options). */
  readonly header: readonly number[];
  /** Numbers choosing each step, one list per event. */
  readonly steps: readonly (readonly number[])[];
}

/** A random valid workload of one variant, as NDJSON lines. */
export interface ValidWorkload {
  /** The variant it was built for. */
  readonly variant: string;
  /** NDJSON lines: the header, then one event a line. */
  readonly lines: readonly string[];
}

/** Per-variant tables, computed once. */
interface VariantTables {
  readonly units: readonly { id: string; registers: number; classes: string[] }[];
  readonly exits: readonly string[];
  readonly userIds: readonly { id: string; read: boolean; write: boolean }[];
  readonly hasUserUnits: boolean;
}

function tables(backend: BackendV2, v: VariantSpec): VariantTables {
  const profile = archProfile(backend.id);
  const ur = v.userRegisters;
  const userIds = profile.userIds(v).map((id) => ({
    id,
    read: ur !== undefined && typeof ur.resolve(id, false) === 'number',
    write: ur !== undefined && typeof ur.resolve(id, true) === 'number',
  }));
  return {
    units: v.units.map((u) => ({
      id: u.id,
      registers: u.registers,
      classes: Array.isArray(u.class) ? [...u.class] : u.class ? [u.class as string] : [],
    })),
    exits: [...EXIT_REASONS, ...(v.exitReasons ?? []).map((e) => e.name)],
    userIds: userIds.filter((u) => u.read || u.write),
    // arm64 has neither ONE_REG ids nor unit access here; every other backend takes units
    hasUserUnits: backend.id !== 'arm-vfp' || v.units.some((u) => u.id === 'vfp'),
  };
}

/** A header `config` the backend accepts: keys it refuses are dropped until it accepts. */
function acceptedConfig(
  backend: BackendV2,
  v: VariantSpec,
  config: Record<string, unknown>,
  shape: { cpus: number; vcpus: number; threads: readonly string[] },
): Record<string, unknown> {
  const c = { ...config };
  for (let i = 0; i < 16; i++) {
    const r = backend.resolveConfig(v, c, shape);
    if (r.ok) return c;
    const key = r.field.split('.')[0] as string;
    if (!(key in c)) return {};
    delete c[key];
  }
  return {};
}

/**
 * Interprets choices as a valid workload of `variant` (default: the backend's default).
 */
export function validWorkload(
  backend: BackendV2,
  variantId: string | undefined,
  choices: ValidWorkloadChoices,
): ValidWorkload {
  const v = backend.variants.find((x) => x.id === (variantId ?? backend.defaultVariant));
  if (v === undefined) throw new Error(`no variant ${variantId} in ${backend.id}`);
  const profile = archProfile(backend.id);
  const t = tables(backend, v);
  const hp = new Picker(choices.header);
  const cpus = 1 + hp.int(4);
  const vcpus = 1 + hp.int(4);
  const threads = THREAD_NAMES.slice(0, hp.int(THREAD_NAMES.length + 1));
  const shape = { cpus, vcpus, threads };
  const config = acceptedConfig(backend, v, profile.config(hp, v, shape), shape);
  const header = {
    format: 'vfpu-workload',
    version: 1,
    arch: backend.id,
    variant: v.id,
    cpus,
    vcpus,
    ...(threads.length > 0 ? { threads } : {}),
    ...(Object.keys(config).length > 0 ? { config } : {}),
  };
  const lines = [JSON.stringify(header)];
  const g = new Lifecycle(cpus, vcpus, threads.length);
  const vmmName = (i: number) => `vmm${i}`;
  const threadName = (th: number) =>
    th < threads.length ? (threads[th] as string) : vmmName(th - threads.length);
  const emit = (e: Record<string, unknown>) => lines.push(JSON.stringify(e));
  const writable = v.controlRegisters;
  // exits whose handler always returns KVM_RUN to userspace: the vCPU leaves its pCPU
  const toUserspace = new Set<string>([
    ...EXITS_TO_USERSPACE,
    ...(v.exitReasons ?? []).filter((r) => r.toUserspace).map((r) => r.name),
  ]);
  const vcpuSyscalls = (v.syscalls ?? []).filter((s) => s.vcpu);
  const vmSyscalls = (v.syscalls ?? []).filter((s) => !s.vcpu);

  for (const step of choices.steps) {
    const p = new Picker(step);
    // candidate ops, weighted, given the lifecycle model's state
    const inGuest = g.vcpusIn(IN_GUEST);
    const loaded = g.vcpusIn(LOADED);
    const freeCpus = g.freeCpus();
    const startable = g.startable();
    const enterable = [...loaded, ...g.returnedEnterable()];
    const switchable = g.switchable();
    const hostCpus = freeCpus.filter((c) => g.cpuThread[c] !== NONE);
    const ops: [string, number][] = [
      [
        'run',
        startable.length > 0 && freeCpus.length > 0
          ? 6
          : inGuest.length + loaded.length > 0
            ? 2
            : 0,
      ],
      ['use', inGuest.length > 0 ? 14 : 0],
      ['exit', inGuest.length > 0 ? 3 : 0],
      ['guest-write', inGuest.length > 0 && writable.length > 0 ? 6 : 0],
      ['put', loaded.length > 0 ? 2 : 0],
      ['sched-out', inGuest.length + loaded.length > 0 ? 3 : 0],
      ['load', startable.length > 0 && freeCpus.length > 0 ? 2 : 0],
      ['enter', enterable.length > 0 ? 3 : 0],
      ['user-get', 2],
      ['user-set', 2],
      ['syscall', v.syscalls && v.syscalls.length > 0 ? 2 : 0],
      ['switch', freeCpus.length > 0 && switchable.length > 0 ? 2 : 0],
      ['host-use', hostCpus.length > 0 ? 3 : 0],
      ['kernel-fpu', 1],
      ['work', 1],
    ];
    let total = 0;
    for (const [, w] of ops) total += w;
    let r = p.int(total);
    let op = 'work';
    for (const [name, w] of ops) {
      if (r < w) {
        op = name;
        break;
      }
      r -= w;
    }
    const unitOf = () => {
      const u = p.pick(t.units);
      // sometimes a neutral class name (mapped by the parser, warned if inexact)
      if (u.classes.length > 0 && p.chance(10)) return { name: p.pick(u.classes), u };
      return { name: u.id, u };
    };
    const accessField = (e: Record<string, unknown>) => {
      const a = p.int(4);
      if (a > 0) e.access = ['read', 'write', 'rw'][a - 1];
    };
    switch (op) {
      case 'run': {
        if (
          startable.length > 0 &&
          freeCpus.length > 0 &&
          (inGuest.length + loaded.length === 0 || p.int(3) > 0)
        ) {
          const vc = p.pick(startable);
          const cpu = p.pick(freeCpus);
          emit({ op: 'run', vcpu: vc, cpu });
          g.load(vc, cpu);
          g.enter(vc);
        } else {
          const vc = p.pick([...inGuest, ...loaded]);
          if (p.int(2) === 1) emit({ op: 'run', vcpu: vc });
          else emit({ op: 'run', vcpu: vc, cpu: g.cpu[vc] });
          g.enter(vc);
        }
        break;
      }
      case 'load': {
        const vc = p.pick(startable);
        const cpu = p.pick(freeCpus);
        emit({ op: 'load', vcpu: vc, cpu });
        g.load(vc, cpu);
        break;
      }
      case 'enter': {
        const vc = p.pick(enterable);
        emit({ op: 'enter', vcpu: vc });
        if (g.state[vc] === OUTSIDE) g.load(vc, g.lastCpu[vc] as number);
        g.enter(vc);
        break;
      }
      case 'use': {
        const vc = p.pick(inGuest);
        const { name, u } = unitOf();
        const e: Record<string, unknown> = { op: 'use', vcpu: vc, unit: name };
        accessField(e);
        if (name === u.id && p.int(3) > 0) e.reg = p.int(u.registers);
        if (profile.conditions && p.chance(8)) e.condition = p.pick(['fails', 'passes']);
        // a preemption between the trap's handler (if it traps) and the re-entry
        if (p.chance(10)) e.preempt = 'after-trap';
        emit(e);
        break;
      }
      case 'guest-write': {
        const vc = p.pick(inGuest);
        const reg = p.pick(writable);
        const e: Record<string, unknown> = { op: 'guest-write', vcpu: vc, reg: reg.name };
        const bits = Object.keys(reg.bits);
        const how = bits.length === 0 ? p.int(2) : p.int(4);
        if (how === 0) e.value = p.pick(profile.values(reg.name));
        else if (how === 1) {
          const x = p.u32();
          e.value = p.int(2) === 0 ? x : `0x${x.toString(16)}`;
        } else if (how === 2) e.set = [...new Set([...p.subset(bits).slice(0, 3), p.pick(bits)])];
        else e.clear = [p.pick(bits)];
        if (how >= 2 && p.chance(20)) {
          const other = p.pick(bits);
          if (how === 2) e.clear = [other].filter((b) => !(e.set as string[]).includes(b));
          else e.set = [other].filter((b) => !(e.clear as string[]).includes(b));
        }
        emit(e);
        break;
      }
      case 'exit': {
        const vc = p.pick(inGuest);
        let reason = t.exits[p.int(t.exits.length + 1) - 1];
        const cpu = g.cpu[vc] as number;
        if (reason === 'cop2') {
          if (g.cu2[cpu]) reason = 'other';
          else g.cu2[cpu] = 1;
        }
        emit(reason === undefined ? { op: 'exit', vcpu: vc } : { op: 'exit', vcpu: vc, reason });
        g.state[vc] = LOADED;
        if (reason !== undefined && toUserspace.has(reason)) g.ioctl(vc);
        break;
      }
      case 'put': {
        const vc = p.pick(loaded);
        emit({ op: 'put', vcpu: vc });
        g.preempt(vc);
        break;
      }
      case 'sched-out': {
        const vc = p.pick([...inGuest, ...loaded]);
        emit({ op: 'sched-out', vcpu: vc });
        g.preempt(vc);
        break;
      }
      case 'user-get':
      case 'user-set': {
        const write = op === 'user-set';
        const vc = p.int(vcpus);
        const ids = t.userIds.filter((u) => (write ? u.write : u.read));
        const byId = ids.length > 0 && (!t.hasUserUnits || p.int(2) === 1);
        if (byId) emit({ op, vcpu: vc, id: p.pick(ids).id });
        else if (t.hasUserUnits) {
          const u = p.pick(t.units);
          emit(
            p.int(2) === 0
              ? { op, vcpu: vc, unit: u.id }
              : { op, vcpu: vc, unit: u.id, reg: p.int(u.registers) },
          );
        } else {
          emit({ op: 'work', cpu: p.int(cpus), cycles: p.int(1000) });
          break;
        }
        g.ioctl(vc);
        break;
      }
      case 'syscall': {
        const vcpuCall = vcpuSyscalls.length > 0 && (vmSyscalls.length === 0 || p.int(4) > 0);
        const s = p.pick(vcpuCall ? vcpuSyscalls : vmSyscalls);
        const e: Record<string, unknown> = { op: 'syscall', name: s.name };
        if (s.vcpu) e.vcpu = p.int(vcpus);
        if (s.value) {
          // x86 KVM_SET_CPUID2 only from the profile's values: a random one could hide a
          // component the guest's XCR0 enables, whose use is then refused (not tracked here)
          const free = s.name !== 'KVM_SET_CPUID2' && p.chance(10);
          e.value = free ? p.u32() : p.pick(profile.syscallValues(s.name));
        }
        emit(e);
        if (s.vcpu) g.ioctl(e.vcpu as number);
        break;
      }
      case 'switch': {
        const cpu = p.pick(freeCpus);
        const th = p.pick(switchable);
        emit({ op: 'switch', cpu, thread: threadName(th) });
        g.schedule(cpu, th);
        break;
      }
      case 'host-use': {
        const cpu = p.pick(hostCpus);
        const u = p.pick(t.units);
        const e: Record<string, unknown> = { op: 'host-use', cpu, unit: u.id };
        accessField(e);
        if (p.int(2) === 1) e.reg = p.int(u.registers);
        if (p.int(3) === 2) e.thread = threadName(g.cpuThread[cpu] as number);
        emit(e);
        g.hostUse(cpu);
        break;
      }
      case 'kernel-fpu': {
        const cpus_ = g.cpusWithoutGuest();
        if (cpus_.length === 0) emit({ op: 'work', cpu: p.int(cpus), cycles: p.int(1000) });
        else emit({ op: 'kernel-fpu', cpu: p.pick(cpus_) });
        break;
      }
      default: {
        const e: Record<string, unknown> = { op: 'work', cycles: p.int(100_000) };
        if (inGuest.length > 0 && p.int(2) === 1) e.vcpu = p.pick(inGuest);
        else e.cpu = p.int(cpus);
        emit(e);
      }
    }
  }
  return { variant: v.id, lines };
}

/** fast-check arbitrary of the choices of one workload (`maxEvents` steps at most). */
export function validWorkloadChoices(maxEvents = 60): fc.Arbitrary<ValidWorkloadChoices> {
  return fc.record({
    header: fc.array(fc.nat(), { maxLength: 40, size: 'max' }),
    steps: fc.array(fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), {
      maxLength: maxEvents,
      size: 'max',
    }),
  });
}

/** fast-check arbitrary of valid workloads of one variant. */
export function validWorkloadArbitrary(
  backend: BackendV2,
  variant?: string,
  maxEvents = 60,
): fc.Arbitrary<ValidWorkload> {
  return validWorkloadChoices(maxEvents).map((c) => validWorkload(backend, variant, c));
}

/** The same workloads drawn from a seed (mulberry32), without fast-check. */
export function seededValidWorkload(
  backend: BackendV2,
  variant: string | undefined,
  seed: number,
  maxEvents = 60,
): ValidWorkload {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0x7fffffff;
  };
  const header = Array.from({ length: 40 }, next);
  const steps = Array.from({ length: next() % (maxEvents + 1) }, () =>
    Array.from({ length: 8 }, next),
  );
  return validWorkload(backend, variant, { header, steps });
}
