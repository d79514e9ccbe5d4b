/** The oracle's glue: a checked access of a slice, and the violation it records. */
import type { Slice } from '../contract/registers.js';
import { Access, OPS } from '../workload/event.js';
import type { EngineState } from './state.js';

/** What a violation names instead of a register of a unit. */
export const Subject = {
  /** `reg` is a unit register. */
  unit: 0,
  /** `reg` is a control-register id. */
  control: 1,
  /** `reg` is a register-id uapi handle. */
  userRegister: 2,
} as const;

/** Reads (checks) and/or writes (fresh values) `p` of `hw` for context `ctx`. */
export function access(
  s: EngineState,
  hw: Uint8Array,
  ctx: number,
  p: Slice,
  how: number,
  subject: number,
  unit: number,
  reg: number,
): void {
  if (how & Access.read) checkRead(s, hw, ctx, p, subject, unit, reg);
  if (how & Access.write) s.oracle.write(hw, ctx, p.offset, p.length);
}

/** Compares `p` of `actual` with `ctx`'s truth; records the first differing byte. */
export function checkRead(
  s: EngineState,
  actual: Uint8Array,
  ctx: number,
  p: Slice,
  subject: number,
  unit: number,
  reg: number,
): void {
  const byte = s.oracle.check(actual, ctx, p.offset, p.length);
  if (byte < 0) return;
  const off = p.offset;
  const what =
    subject === Subject.userRegister
      ? (s.variant.userRegisters?.name(reg) ?? '?')
      : subject === Subject.control
        ? (s.variant.controlRegisters[reg]?.name ?? '?')
        : (s.lattice.units[unit]?.id ?? '?');
  s.oracle.record({
    line: s.line,
    event: s.events,
    op: OPS[s.op] ?? '?',
    context: s.contextName(ctx),
    unit: what,
    register: subject === Subject.unit ? reg : -1,
    byte,
    expected: (s.oracle.truth[ctx] as Uint8Array)[off + byte] as number,
    actual: actual[off + byte] as number,
  });
  if (s.trace.on) {
    // the unit and register as v1 printed them (a control register as −1 − id)
    const u = subject === Subject.userRegister ? undefined : s.lattice.units[unit]?.id;
    const r = subject === Subject.control ? -1 - reg : reg;
    s.trace.line(0, `VIOLATION: ${s.contextName(ctx)} ${u} reg ${r} byte ${byte}`);
  }
}
