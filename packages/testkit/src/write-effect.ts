/**
 * A backend's `Machine.guestWriteEffect` against its own kernel path: what the declaration says
 * a guest write of an enable or mode register does (read from the machine in the state a
 * workload left it in), and the `explain` lines of that same write when the workload runs it, so
 * a test can hold the two together (a wrong declaration, or a kernel path that moved, fails).
 */
import {
  type BackendV2,
  BUILTIN_POLICIES,
  type PolicyDefinition,
  type PolicyView,
  runText,
  type VariantSpec,
  WRITE_DROPS,
  WRITE_ENABLED,
  WRITE_EXITS,
  WRITE_LOADS,
  WRITE_LOSES_IF_SHIFT,
  WRITE_RETURNS,
  WRITE_USE_EXITS_SHIFT,
  WRITE_USE_UNIT_SHIFT,
  WRITE_USES,
} from '@vfpu/core';
import { workloadText } from './faults.js';

/** A guest write to probe: vCPU 0 writes `reg` after `events`, on one pCPU. */
export interface WriteProbe {
  /** The backend's variant. */
  readonly variant: string;
  /** The workload header's `config`. */
  readonly config?: Record<string, unknown>;
  /** The built-in policy the workload runs under (default `lazy`: nothing loaded unasked). */
  readonly policy?: string;
  /** The events before the write (vCPU 0 in the guest at their end). */
  readonly events: readonly string[];
  /** The control register written, by name. */
  readonly reg: string;
  /** The value written, from the register's guest-visible value before the write. */
  readonly value: (old: number) => number;
}

/** `Machine.guestWriteEffect`'s answer, by name (units by id). */
export interface WriteEffect {
  /** The units the guest has enabled after the write. */
  readonly enabled: readonly string[];
  /** The units a disabled use of which exits to the kernel first after it. */
  readonly useExits: readonly string[];
  /** The write exits to the kernel, which resumes the guest. */
  readonly exits: boolean;
  /** The kernel discards the live state without a save. */
  readonly drops: boolean;
  /** The units whose liveness makes the kernel save everything live. */
  readonly losesIf: readonly string[];
  /** The kernel loads every enabled unit when none is live. */
  readonly loads: boolean;
  /** The unit the write is a use of for the kernel, or null. */
  readonly uses: string | null;
  /** The kernel's handler returns KVM_RUN to userspace. */
  readonly returns: boolean;
}

/** What {@link probeGuestWrite} found. */
export interface WriteProbeResult {
  /** The declaration's answer, or null where the backend declares nothing (−1). */
  readonly effect: WriteEffect | null;
  /** The value the declaration says the kernel keeps. */
  readonly kept: number;
  /** The value written. */
  readonly value: number;
  /** The `explain` lines of the write when the workload runs it. */
  readonly path: readonly string[];
}

/** The probe's workload: its events for vCPU 0 on one pCPU. */
function probeText(backend: BackendV2, p: Omit<WriteProbe, 'reg' | 'value'>): string {
  const shape = { arch: backend.id, variant: p.variant, cpus: 1, vcpus: 1, config: p.config ?? {} };
  return workloadText(shape, p.events);
}

/**
 * Runs `text` under the built-in policy `policy` (a name) and returns the policy's view of the
 * machine as the run left it: `guestEnabled`, `live`, `guestRead` and the slice model's hooks.
 */
export function policyViewAfter(backend: BackendV2, text: string, policy = 'lazy'): PolicyView {
  const base = BUILTIN_POLICIES.find((d) => d.name === policy);
  if (base === undefined) throw new Error(`no built-in policy ${policy}`);
  let view: PolicyView | undefined;
  const probe: PolicyDefinition = {
    ...base,
    create: (v, params) => {
      view = v;
      return base.create(v, params);
    },
  };
  runText(text, { backends: [backend], policy: probe });
  return view as PolicyView;
}

/** The probe's variant of `backend`. */
function variantOf(backend: BackendV2, variant: string): VariantSpec {
  const spec = backend.variants.find((v) => v.id === variant);
  if (spec === undefined) throw new Error(`${backend.id} has no variant ${variant}`);
  return spec;
}

/** The guest-visible values of vCPU 0's enable and mode registers, by register id. */
function modeValues(w: PolicyView): Uint32Array {
  const values = new Uint32Array(w.controlRegisters);
  for (const r of w.modeRegisters) values[r] = w.guestRead(0, r) >>> 0;
  return values;
}

/**
 * Runs `p.events`, asks the machine what the write would do (`guestWriteEffect`, against the
 * guest-visible values of every enable and mode register then), then runs the events and the
 * write and returns the write's `explain` lines.
 */
export function probeGuestWrite(backend: BackendV2, p: WriteProbe): WriteProbeResult {
  const spec = variantOf(backend, p.variant);
  const policy = p.policy ?? 'lazy';
  const reg = spec.controlRegisters.findIndex((r) => r.name === p.reg);
  if (reg < 0) throw new Error(`${p.variant} has no control register ${p.reg}`);
  const text = probeText(backend, p);
  const w = policyViewAfter(backend, text, policy);
  const values = modeValues(w);
  const old = w.guestRead(0, reg) >>> 0;
  const value = p.value(old) >>> 0;
  values[reg] = value;
  const e = w.guestWriteEffect(0, reg, values, old);
  const names = (m: number) => spec.units.filter((_, i) => m & (1 << i)).map((u) => u.id);
  const effect: WriteEffect | null =
    e === -1
      ? null
      : {
          enabled: names(e & WRITE_ENABLED),
          useExits: names((e >>> WRITE_USE_EXITS_SHIFT) & WRITE_ENABLED),
          exits: (e & WRITE_EXITS) !== 0,
          drops: (e & WRITE_DROPS) !== 0,
          losesIf: names((e >>> WRITE_LOSES_IF_SHIFT) & 0xff),
          loads: (e & WRITE_LOADS) !== 0,
          uses: e & WRITE_USES ? (spec.units[(e >>> WRITE_USE_UNIT_SHIFT) & 7]?.id ?? null) : null,
          returns: (e & WRITE_RETURNS) !== 0,
        };
  const write = JSON.stringify({ op: 'guest-write', vcpu: 0, reg: p.reg, value });
  const at = p.events.length + 2; // the header is line 1
  const path: string[] = [];
  runText(`${text}\n${write}`, {
    backends: [backend],
    policy,
    explain: (line, _event, lines) => {
      if (line === at) path.push(...lines);
    },
  });
  return { effect, kept: (values[reg] as number) >>> 0, value, path };
}

/** A guest use to probe: vCPU 0 uses `unit` (by id) after `events`, on one pCPU. */
export interface UseProbe extends Omit<WriteProbe, 'reg' | 'value'> {
  /** The unit used, by id. */
  readonly unit: string;
}

/** What {@link probeGuestUse} found: every enable and mode register's value, by name. */
export interface UseProbeResult {
  /** As `Machine.guestUseEffect` says the use leaves them (from their values before it). */
  readonly declared: Readonly<Record<string, number>>;
  /** As the machine has them once the workload has run the use. */
  readonly machine: Readonly<Record<string, number>>;
}

/**
 * `Machine.guestUseEffect` against the machine: the guest-visible values of the enable and mode
 * registers after `p.events`, updated as the declaration says a use of `p.unit` updates them,
 * and as the machine has them after it runs the events and the use (a `write` use).
 */
export function probeGuestUse(backend: BackendV2, p: UseProbe): UseProbeResult {
  const spec = variantOf(backend, p.variant);
  const policy = p.policy ?? 'lazy';
  const unit = spec.units.findIndex((u) => u.id === p.unit);
  if (unit < 0) throw new Error(`${p.variant} has no unit ${p.unit}`);
  const text = probeText(backend, p);
  const before = policyViewAfter(backend, text, policy);
  const values = modeValues(before);
  before.guestUseEffect(0, unit, values);
  const use = JSON.stringify({ op: 'use', vcpu: 0, unit: p.unit, access: 'write' });
  const after = policyViewAfter(backend, `${text}\n${use}`, policy);
  const declared: Record<string, number> = {};
  const machine: Record<string, number> = {};
  for (const r of before.modeRegisters) {
    const name = spec.controlRegisters[r]?.name ?? String(r);
    declared[name] = (values[r] as number) >>> 0;
    machine[name] = after.guestRead(0, r) >>> 0;
  }
  return { declared, machine };
}
