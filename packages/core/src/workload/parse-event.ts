/**
 * Validation of workload event lines into {@link WorkloadEvent} records: the fast path
 * (parse-fast.ts) first, then the full one. Every error names the file, the line and the field.
 */
import { EXIT_REASONS } from '../backend-utils/exit-table.js';
import type { VariantSpec } from '../contract/backend.js';
import { InputError } from '../errors.js';
import { UNIT_CLASSES, type UnitClass, type UnitLattice } from '../units.js';
import { threadIndex } from './byte-names.js';
import { duplicateKey, mayHaveDuplicates } from './duplicates.js';
import { ACCESSES, Access, OPS, Op, type OpName, type WorkloadEvent } from './event.js';
import { COMMON_OPTIONAL, OP_FORMATS } from './format.js';
import { FastEventParser, fastTables, LABEL_RE, OP_INDEX, OTHER_REASON } from './parse-fast.js';
import {
  DUPLICATE,
  describe,
  fieldLabel,
  intField,
  parseJson,
  type WorkloadHeader,
} from './parse-header.js';

export interface EventContext {
  readonly file: string;
  readonly header: WorkloadHeader;
  readonly variant: VariantSpec;
  readonly lattice: UnitLattice;
  /** Only neutral classes allowed (the header names no arch). */
  readonly neutralOnly: boolean;
}

/** `Access` codes in the order of {@link ACCESSES}, and the default exit reason. */
const ACCESS_CODES: readonly number[] = [Access.read, Access.write, Access.rw];
/** The keys each op (by index) accepts: `op`, its required and its optional fields. */
const OP_FIELDS: readonly ReadonlySet<string>[] = OPS.map((o) => {
  const f = OP_FORMATS[o];
  return new Set<string>(['op', ...f.required, ...f.optional, ...COMMON_OPTIONAL]);
});

/**
 * Turns one event line into `ev`. Class names are mapped to the backend unit; `ev.unitName`
 * keeps the name as written so the engine can count approximate mappings.
 */
export class EventParser {
  private readonly ctx: EventContext;
  private readonly classUnit: ReadonlyMap<string, number>;
  private readonly controlNames: readonly string[];
  /** Common exit reasons, then the variant's own. */
  private readonly reasons: readonly string[];
  /** Its fast path (parse-fast.ts), whose `tables` the replay worker builds its own from. */
  readonly fast: FastEventParser;

  constructor(ctx: EventContext) {
    this.ctx = ctx;
    const m = new Map<string, number>();
    for (const c of UNIT_CLASSES)
      m.set(c, ctx.lattice.indexOf(ctx.variant.classMap[c as UnitClass]));
    this.classUnit = m;
    this.controlNames = ctx.variant.controlRegisters.map((r) => r.name);
    this.reasons = [...EXIT_REASONS, ...(ctx.variant.exitReasons ?? []).map((r) => r.name)];
    this.fast = new FastEventParser(fastTables(ctx, m, this.reasons));
  }

  /** Parses `text` (line `line`) into `ev`. Returns false for a blank line. */
  parse(text: string, line: number, ev: WorkloadEvent): boolean {
    return this.parseFast(text, line, ev) || this.parseSlow(text, line, ev);
  }

  /**
   * Parses the line at b[from…] (ended by a line feed within `b`) by the fast path: the index of
   * its line feed, or -1 if the fast path left it (then {@link parseSlow} its text).
   */
  parseAt(b: Uint8Array, from: number, line: number, ev: WorkloadEvent): number {
    return this.fast.parse(b, from, line, ev);
  }

  /** The fast path alone (parse-fast.ts) on a line given as a string: true if it took the line. */
  parseFast(text: string, line: number, ev: WorkloadEvent): boolean {
    return this.fast.parseText(text, line, ev);
  }

  /** What the fast path leaves: nothing for a blank line (false), else the full path. */
  parseSlow(text: string, line: number, ev: WorkloadEvent): boolean {
    // a line that starts with "{" is not blank (skips a trim per event)
    if (text.charCodeAt(0) !== 0x7b && text.trim() === '') return false;
    return this.parseFull(text, line, ev);
  }

  /** The full path alone: JSON.parse and every rule, with the error of the first broken one. */
  parseFull(text: string, line: number, ev: WorkloadEvent): boolean {
    const { file } = this.ctx;
    const raw = parseJson(text, file, line);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new InputError(file, line, '', `an event must be a JSON object, got ${describe(raw)}`);
    }
    const obj = raw as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (mayHaveDuplicates(text, keys.length)) {
      const dup = duplicateKey(text);
      if (dup !== undefined) throw new InputError(file, line, dup, DUPLICATE);
    }
    const opName = obj.op;
    if (typeof opName !== 'string') {
      throw new InputError(file, line, 'op', `expected an op name, got ${describe(opName)}`);
    }
    const op = OP_INDEX.get(opName);
    if (op === undefined) {
      throw new InputError(file, line, 'op', `unknown op "${opName}" (known: ${OPS.join(', ')})`);
    }
    const fmt = OP_FORMATS[opName as OpName];
    const allowed = OP_FIELDS[op] as ReadonlySet<string>;
    for (const key of keys) {
      if (!allowed.has(key)) {
        const known = [...fmt.required, ...fmt.optional, ...COMMON_OPTIONAL].join(', ');
        throw new InputError(
          file,
          line,
          fieldLabel(key),
          `unknown field for op "${opName}" (allowed: ${known})`,
        );
      }
    }
    for (const key of fmt.required) {
      if (obj[key] === undefined)
        throw new InputError(file, line, key, `missing (op "${opName}" requires it)`);
    }
    ev.reset(op);
    ev.line = line;
    const { header } = this.ctx;
    if (obj.vcpu !== undefined) ev.vcpu = intField(obj, 'vcpu', 0, header.vcpus - 1, file, line);
    if (obj.cpu !== undefined) ev.cpu = intField(obj, 'cpu', 0, header.cpus - 1, file, line);
    if (obj.unit !== undefined) this.unit(obj.unit, ev, line);
    if (obj.access !== undefined) {
      const a = ACCESSES.indexOf(obj.access as (typeof ACCESSES)[number]);
      if (a < 0)
        throw new InputError(
          file,
          line,
          'access',
          `expected read, write or rw, got ${describe(obj.access)}`,
        );
      ev.access = ACCESS_CODES[a] as number;
    }
    if (obj.condition !== undefined) {
      if (obj.condition !== 'passes' && obj.condition !== 'fails') {
        const got = describe(obj.condition);
        throw new InputError(file, line, 'condition', `expected passes or fails, got ${got}`);
      }
      ev.conditionFails = obj.condition === 'fails';
    }
    if (obj.label !== undefined) {
      const l = obj.label;
      if (typeof l !== 'string' || !LABEL_RE.test(l))
        throw new InputError(
          file,
          line,
          'label',
          `expected the kernel's name for the exit (letters, digits, _ ./&()#:+-, at most 64), got ${describe(l)}`,
        );
      ev.label = l;
    }
    if (obj.ts !== undefined) {
      const t = obj.ts;
      if (typeof t !== 'number' || !(t >= 0) || t === Number.POSITIVE_INFINITY)
        throw new InputError(
          file,
          line,
          'ts',
          `expected seconds (a number ≥ 0), got ${describe(t)}`,
        );
      ev.ts = t;
    }
    if (obj.preempt !== undefined) {
      if (obj.preempt !== 'after-trap')
        throw new InputError(
          file,
          line,
          'preempt',
          `expected after-trap, got ${describe(obj.preempt)}`,
        );
      ev.preemptAfterTrap = true;
    }
    if (op === Op.userGet || op === Op.userSet) this.userTarget(obj, ev, op === Op.userSet, line);
    if (op === Op.syscall) this.syscall(obj, ev, line);
    if (obj.reg !== undefined) {
      if (op === Op.guestWrite) this.controlRegister(obj, ev, line);
      else {
        const unit = this.ctx.lattice.units[ev.unit];
        const max = unit === undefined ? 0 : unit.registers - 1;
        ev.reg = intField(obj, 'reg', 0, max, file, line);
      }
    } else if (op === Op.guestWrite) {
      throw new InputError(file, line, 'reg', 'missing');
    }
    if (obj.reason !== undefined) {
      const r = typeof obj.reason === 'string' ? this.reasons.indexOf(obj.reason) : -1;
      if (r < 0) {
        throw new InputError(
          file,
          line,
          'reason',
          `expected one of ${this.reasons.join(', ')} (${this.ctx.variant.id}), got ${describe(obj.reason)}`,
        );
      }
      ev.reason = r;
    } else {
      ev.reason = OTHER_REASON;
    }
    if (obj.thread !== undefined) {
      if (typeof obj.thread !== 'string') {
        throw new InputError(
          file,
          line,
          'thread',
          `expected a thread name, got ${describe(obj.thread)}`,
        );
      }
      const t = threadIndex(this.ctx.header, obj.thread);
      if (t < 0) {
        const known = [`vmm0..vmm${header.vcpus - 1}`, ...header.threads].join(', ');
        throw new InputError(
          file,
          line,
          'thread',
          `unknown thread "${obj.thread}" (known: ${known})`,
        );
      }
      ev.thread = t;
    }
    if (obj.cycles !== undefined)
      ev.cycles = intField(obj, 'cycles', 0, Number.MAX_SAFE_INTEGER, file, line);
    if (op === Op.work && ev.vcpu < 0 && ev.cpu < 0) {
      throw new InputError(file, line, 'vcpu', 'op "work" needs a vcpu or a cpu');
    }
    return true;
  }

  private unit(value: unknown, ev: WorkloadEvent, line: number): void {
    const { file, lattice, neutralOnly } = this.ctx;
    if (typeof value !== 'string')
      throw new InputError(file, line, 'unit', `expected a unit name, got ${describe(value)}`);
    const cls = this.classUnit.get(value);
    if (cls !== undefined) {
      ev.unit = cls;
      ev.unitName = value;
      return;
    }
    const idx = neutralOnly ? -1 : lattice.indexOf(value);
    if (idx < 0) {
      const known = neutralOnly
        ? `this workload names no arch, so only classes: ${UNIT_CLASSES.join(', ')}`
        : `known: ${lattice.units.map((u) => u.id).join(', ')}, or a class: ${UNIT_CLASSES.join(', ')}`;
      throw new InputError(
        file,
        line,
        'unit',
        `unknown unit "${value}" for ${this.ctx.variant.id} (${known})`,
      );
    }
    ev.unit = idx;
    ev.unitName = value;
  }

  /** user-get / user-set: a unit (with an optional reg), or one register `id` of the variant's uapi. */
  private userTarget(
    obj: Record<string, unknown>,
    ev: WorkloadEvent,
    write: boolean,
    line: number,
  ) {
    const { file, variant } = this.ctx;
    const id = obj.id;
    if (id === undefined) {
      if (obj.unit === undefined)
        throw new InputError(file, line, 'unit', 'missing (give a unit or an id)');
      return;
    }
    if (obj.unit !== undefined || obj.reg !== undefined) {
      const field = obj.unit !== undefined ? 'unit' : 'reg';
      throw new InputError(file, line, field, 'give either a unit (and reg) or an id, not both');
    }
    const uapi = variant.userRegisters;
    if (uapi === undefined)
      throw new InputError(
        file,
        line,
        'id',
        `${variant.id} has no register-id interface; give a unit`,
      );
    if (typeof id !== 'string')
      throw new InputError(file, line, 'id', `expected a register id string, got ${describe(id)}`);
    const handle = uapi.resolve(id, write);
    if (typeof handle === 'string') throw new InputError(file, line, 'id', handle);
    ev.regId = handle;
  }

  /** A 32-bit unsigned `value`: a number or "0x…". */
  private u32Value(v: unknown, line: number): number {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
    if (typeof v === 'string' && /^0[xX][0-9a-fA-F]{1,8}$/.test(v)) return Number.parseInt(v, 16);
    throw new InputError(
      this.ctx.file,
      line,
      'value',
      `expected a 32-bit unsigned integer or "0x…", got ${describe(v)}`,
    );
  }

  /** syscall: one of the variant's system calls by `name`; `vcpu` and `value` as it declares. */
  private syscall(obj: Record<string, unknown>, ev: WorkloadEvent, line: number): void {
    const { file, variant } = this.ctx;
    const calls = variant.syscalls ?? [];
    const names = calls.map((c) => c.name);
    const name = obj.name;
    const idx = typeof name === 'string' ? names.indexOf(name) : -1;
    if (idx < 0) {
      const known = names.length === 0 ? 'it models none' : `known: ${names.join(', ')}`;
      throw new InputError(
        file,
        line,
        'name',
        `unknown system call ${describe(name)} for ${variant.id} (${known})`,
      );
    }
    const spec = calls[idx] as (typeof calls)[number];
    ev.call = idx;
    if (spec.vcpu && obj.vcpu === undefined)
      throw new InputError(file, line, 'vcpu', `missing (${name as string} is a vCPU ioctl)`);
    if (!spec.vcpu && obj.vcpu !== undefined)
      throw new InputError(
        file,
        line,
        'vcpu',
        `${name as string} is not a vCPU ioctl; remove vcpu`,
      );
    if (spec.value && obj.value === undefined)
      throw new InputError(file, line, 'value', `missing (${name as string} takes an argument)`);
    if (!spec.value && obj.value !== undefined)
      throw new InputError(file, line, 'value', `${name as string} takes no argument`);
    if (obj.value !== undefined) {
      ev.value = this.u32Value(obj.value, line);
      ev.hasValue = true;
    }
  }

  private controlRegister(obj: Record<string, unknown>, ev: WorkloadEvent, line: number): void {
    const { file, variant } = this.ctx;
    const name = obj.reg;
    const idx = typeof name === 'string' ? this.controlNames.indexOf(name) : -1;
    if (idx < 0) {
      throw new InputError(
        file,
        line,
        'reg',
        `unknown control register ${typeof name === 'string' ? JSON.stringify(name) : describe(name)} for ${variant.id} (known: ${this.controlNames.join(', ')})`,
      );
    }
    ev.controlReg = idx;
    const bits = (variant.controlRegisters[idx] as (typeof variant.controlRegisters)[number]).bits;
    const toMask = (field: 'set' | 'clear'): number => {
      const list = obj[field];
      if (list === undefined) return 0;
      if (!Array.isArray(list))
        throw new InputError(
          file,
          line,
          field,
          `expected an array of bit names, got ${describe(list)}`,
        );
      let mask = 0;
      list.forEach((b, i) => {
        const bit = typeof b === 'string' && Object.hasOwn(bits, b) ? bits[b] : undefined;
        if (bit === undefined) {
          throw new InputError(
            file,
            line,
            `${field}[${i}]`,
            `unknown bit ${describe(b)} of ${name as string} (known: ${Object.keys(bits).join(', ')})`,
          );
        }
        mask |= 1 << bit;
      });
      return mask >>> 0;
    };
    ev.set = toMask('set');
    ev.clear = toMask('clear');
    if (obj.value !== undefined) {
      ev.value = this.u32Value(obj.value, line);
      if (ev.set !== 0 || ev.clear !== 0) {
        throw new InputError(file, line, 'value', 'give either value or set/clear, not both');
      }
      ev.hasValue = true;
    } else if (ev.set === 0 && ev.clear === 0) {
      throw new InputError(file, line, 'set', 'guest-write needs value, set or clear');
    }
    if ((ev.set & ev.clear) !== 0)
      throw new InputError(file, line, 'clear', 'a bit is both set and cleared');
  }
}
