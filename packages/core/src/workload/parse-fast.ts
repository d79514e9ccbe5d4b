/**
 * The fast path of event parsing: one scan of a line's UTF-8 bytes, in place in the chunk the
 * reader holds, in the form vfpu writes (`{"k":v,...}` with no blanks, strings without escapes,
 * numbers in JSON's grammar) into the event record, with no JSON.parse, no string and no object
 * per line. It only *accepts*: a line it does not recognise, or one
 * that breaks any rule, is left to the full parser (parse-event.ts), which then gives exactly
 * its error. Ops with rare fields (guest-write, user-get, user-set, syscall) always take the
 * full path. Whatever this accepts, the full path would turn into the same record.
 */
import { EXIT_REASONS } from '../backend-utils/exit-table.js';
import {
  asciiBytes,
  asciiText,
  LabelTable,
  NameTable,
  sameBytes,
  ThreadTable,
} from './byte-names.js';
import { OPS, Op, type WorkloadEvent } from './event.js';
import { COMMON_OPTIONAL, OP_FORMATS } from './format.js';
import type { EventContext } from './parse-event.js';

/** The fields the fast path reads, as bits. */
const F = {
  op: 1,
  vcpu: 2,
  cpu: 4,
  unit: 8,
  access: 16,
  reg: 32,
  condition: 64,
  preempt: 128,
  reason: 256,
  label: 512,
  ts: 1024,
  thread: 2048,
  cycles: 4096,
} as const;
const FIELD_BITS: ReadonlyMap<string, number> = new Map(Object.entries(F));
const FAST_OPS = new Set<number>([
  Op.load,
  Op.enter,
  Op.use,
  Op.exit,
  Op.put,
  Op.hostUse,
  Op.switch,
  Op.kernelFpu,
  Op.work,
  Op.run,
  Op.schedOut,
]);

function bits(names: readonly string[]): number {
  let m = 0;
  for (const n of names) m |= FIELD_BITS.get(n) ?? 0x40000000;
  return m;
}

/** Per op (by index): the fields it allows and the ones it requires; 0 for full-path ops. */
const ALLOWED: readonly number[] = OPS.map((o, i) => {
  if (!FAST_OPS.has(i)) return 0;
  const f = OP_FORMATS[o];
  return F.op | bits(f.required) | bits(f.optional) | bits(COMMON_OPTIONAL);
});
const REQUIRED: readonly number[] = OPS.map((o) => F.op | bits(OP_FORMATS[o].required));

/** What a label may be (parse-event.ts checks the same). */
export const LABEL_RE = /^[A-Za-z0-9_][A-Za-z0-9_ ./&()#:+-]{0,63}$/;
export const OP_INDEX: ReadonlyMap<string, number> = new Map(OPS.map((o, i) => [o, i]));
/** The exit reason of an exit that names none. */
export const OTHER_REASON = EXIT_REASONS.indexOf('other');

const ACCESS: ReadonlyMap<string, number> = new Map([
  ['read', 1],
  ['write', 2],
  ['rw', 3],
]);
const OP_TABLE = new NameTable(OP_INDEX);
const ACCESS_TABLE = new NameTable(ACCESS);
const AFTER_TRAP = asciiBytes('after-trap');
const CONDITION_TABLE = new NameTable([
  ['passes', 0],
  ['fails', 1],
]);

/** The end of a string's contents starting after its opening quote, or -1 (escapes, controls). */
function stringEnd(b: Uint8Array, i: number): number {
  for (;;) {
    const c = b[i] as number;
    if (c === 34) return i;
    if (c === 92 || !(c >= 32)) return -1;
    i++;
  }
}

/** The number a number scan found: its value, and whether it is a plain non-negative integer of at most 15 digits. */
class NumberScan {
  num = 0;
  int = false;

  /** The end of the JSON number at b[i] (-1 if none), its value in `num`. */
  end(b: Uint8Array, i: number): number {
    const from = i;
    let c = b[i] as number;
    if (c === 45) c = b[++i] as number;
    // the integer part's value, read as it is scanned
    let v = 0;
    if (c === 48) c = b[++i] as number;
    else if (c >= 49 && c <= 57)
      while (c >= 48 && c <= 57) {
        v = v * 10 + (c - 48);
        c = b[++i] as number;
      }
    else return -1;
    const intEnd = i;
    if (c === 46) {
      c = b[++i] as number;
      if (!(c >= 48 && c <= 57)) return -1;
      while (c >= 48 && c <= 57) c = b[++i] as number;
    }
    if (c === 101 || c === 69) {
      c = b[++i] as number;
      if (c === 43 || c === 45) c = b[++i] as number;
      if (!(c >= 48 && c <= 57)) return -1;
      while (c >= 48 && c <= 57) c = b[++i] as number;
    }
    this.int = intEnd === i && b[from] !== 45 && i - from <= 15;
    this.num = this.int ? v : Number(asciiText(b, from, i));
    return i;
  }
}

/**
 * What the fast path needs of a workload and its variant, as plain data (it crosses to the
 * replay worker): the topology, the unit ids and register counts of the lattice, class name →
 * lattice index, and the exit reasons (common ones, then the variant's).
 */
export interface FastTables {
  readonly vcpus: number;
  readonly cpus: number;
  readonly threads: readonly string[];
  readonly neutralOnly: boolean;
  readonly unitIds: readonly string[];
  readonly registers: readonly number[];
  readonly classUnit: readonly (readonly [string, number])[];
  readonly reasons: readonly string[];
}

/** The {@link FastTables} of a parse context. */
export function fastTables(
  ctx: EventContext,
  classUnit: ReadonlyMap<string, number>,
  reasons: readonly string[],
): FastTables {
  return {
    vcpus: ctx.header.vcpus,
    cpus: ctx.header.cpus,
    threads: ctx.header.threads,
    neutralOnly: ctx.neutralOnly,
    unitIds: ctx.lattice.units.map((u) => u.id),
    registers: ctx.lattice.units.map((u) => u.registers),
    classUnit: [...classUnit],
    reasons,
  };
}

export class FastEventParser {
  private readonly vcpus: number;
  private readonly cpus: number;
  /** Every name `unit` accepts (unit ids unless the workload names no arch, then classes). */
  private readonly units: NameTable;
  private readonly registers: readonly number[];
  private readonly reasons: NameTable;
  private readonly threads: ThreadTable;
  private readonly labels = new LabelTable();
  private readonly n = new NumberScan();
  /** A string line's bytes (parseText). */
  private readonly scratch = new Uint8Array(4096);

  /** What it was built from (plain data: the replay worker builds its own from it). */
  readonly tables: FastTables;

  constructor(t: FastTables) {
    this.tables = t;
    this.vcpus = t.vcpus;
    this.cpus = t.cpus;
    // as the full parser resolves a unit: a class first, else (with an arch) a unit id
    const names = new Map<string, number>();
    if (!t.neutralOnly) for (let i = 0; i < t.unitIds.length; i++) names.set(t.unitIds[i] ?? '', i);
    for (const [c, i] of t.classUnit) names.set(c, i);
    this.units = new NameTable(names);
    this.registers = t.registers;
    this.reasons = new NameTable(t.reasons.map((r, i) => [r, i] as const));
    this.threads = new ThreadTable(t.vcpus, t.threads);
  }

  /**
   * {@link parse} of a line given as a string (without its terminator): its bytes are copied if
   * it is ASCII and of a usual length; anything else is left to the full path.
   */
  parseText(text: string, line: number, ev: WorkloadEvent): boolean {
    const n = text.length;
    const b = this.scratch;
    if (n + 1 > b.length) return false;
    for (let k = 0; k < n; k++) {
      const c = text.charCodeAt(k);
      if (c > 0x7f) return false;
      b[k] = c;
    }
    b[n] = 10;
    // taken only if the object ends the string (a CR or LF in it is the full path's)
    return this.parse(b, 0, line, ev) === n && b[n - 1] === 125;
  }

  /**
   * Fills `ev` from the line at b[from…] (ended by a line feed within `b`) and returns the index
   * of that line feed, or returns -1: the full parser decides.
   */
  parse(b: Uint8Array, from: number, line: number, ev: WorkloadEvent): number {
    if (b[from] !== 123 || b[from + 1] !== 34) return -1;
    const num = this.n;
    let seen = 0;
    let op = -1;
    let vcpu = -1;
    let cpu = -1;
    let unit = -1;
    let unitName = '';
    let access = 3;
    let reg = -1;
    let fails = false;
    let preempt = false;
    let reason = OTHER_REASON;
    let label = '';
    let ts = -1;
    let thread = -1;
    let cycles = 0;
    let i = from + 1;
    let nl: number;
    for (;;) {
      // "key":
      if (b[i] !== 34) return -1;
      const key = keyAt(b, i + 1);
      if (key === undefined) return -1;
      const bit = key.bit;
      if ((seen & bit) !== 0) return -1;
      seen |= bit;
      i += 1 + key.bytes.length;
      if (b[i] === 34) {
        const vs = i + 1;
        const ve = stringEnd(b, vs);
        if (ve < 0) return -1;
        i = ve + 1;
        switch (bit) {
          case F.op: {
            const o = OP_TABLE.find(b, vs, ve);
            if (o === undefined) return -1;
            op = o.code;
            break;
          }
          case F.unit: {
            const u = this.units.find(b, vs, ve);
            if (u === undefined) return -1;
            unit = u.code;
            unitName = u.name;
            break;
          }
          case F.access: {
            const a = ACCESS_TABLE.find(b, vs, ve);
            if (a === undefined) return -1;
            access = a.code;
            break;
          }
          case F.condition: {
            const c = CONDITION_TABLE.find(b, vs, ve);
            if (c === undefined) return -1;
            fails = c.code === 1;
            break;
          }
          case F.preempt:
            if (!(ve - vs === 10 && sameBytes(b, vs, AFTER_TRAP))) return -1;
            preempt = true;
            break;
          case F.reason: {
            const r = this.reasons.find(b, vs, ve);
            if (r === undefined) return -1;
            reason = r.code;
            break;
          }
          case F.label: {
            const l = this.labels.get(b, vs, ve);
            if (l === undefined) return -1;
            label = l;
            break;
          }
          case F.thread:
            thread = this.threads.find(b, vs, ve);
            if (thread < 0) return -1;
            break;
          default:
            return -1;
        }
      } else {
        const ne = num.end(b, i);
        if (ne < 0) return -1;
        i = ne;
        const n = num.num;
        switch (bit) {
          case F.vcpu:
            if (!num.int || n >= this.vcpus) return -1;
            vcpu = n;
            break;
          case F.cpu:
            if (!num.int || n >= this.cpus) return -1;
            cpu = n;
            break;
          case F.reg:
            if (!num.int) return -1;
            reg = n;
            break;
          case F.cycles:
            if (!num.int) return -1;
            cycles = n;
            break;
          case F.ts:
            if (!(n >= 0) || n === Number.POSITIVE_INFINITY) return -1;
            ts = n;
            break;
          default:
            return -1;
        }
      }
      const c = b[i];
      if (c === 44) {
        i++;
        continue;
      }
      if (c !== 125) return -1;
      // the object ends the line: LF or CRLF
      const t = b[i + 1];
      if (t === 10) nl = i + 1;
      else if (t === 13 && b[i + 2] === 10) nl = i + 2;
      else return -1;
      break;
    }
    if (op < 0) return -1;
    const allowed = ALLOWED[op] as number;
    const required = REQUIRED[op] as number;
    if ((seen & ~allowed) !== 0 || (seen & required) !== required) return -1;
    if (op === Op.work && vcpu < 0 && cpu < 0) return -1;
    if (reg >= 0 && reg > (unit < 0 ? 0 : (this.registers[unit] as number) - 1)) return -1;
    ev.reset(op);
    ev.line = line;
    ev.vcpu = vcpu;
    ev.cpu = cpu;
    ev.unit = unit;
    ev.unitName = unitName;
    ev.access = access;
    ev.reg = reg;
    ev.conditionFails = fails;
    ev.preemptAfterTrap = preempt;
    ev.reason = reason;
    ev.label = label;
    ev.ts = ts;
    ev.thread = thread;
    ev.cycles = cycles;
    return nl;
  }
}

/** A key the fast path reads: its bit and the bytes of `name":` after the opening quote. */
interface Key {
  readonly bit: number;
  readonly bytes: Uint8Array;
}
/**
 * The keys by their first and third bytes (no two keys share both; a key of two letters has its
 * closing quote third): one candidate, compared once. A byte read past the line is harmless: past
 * the buffer it reads as 0, a third byte no key has, and within it the compare fails.
 */
const KEYS: (Key | undefined)[] = new Array(128 * 128).fill(undefined);
for (const [name, bit] of Object.entries(F)) {
  const bytes = asciiBytes(`${name}":`);
  const slot = ((bytes[0] as number) << 7) | (bytes[2] as number);
  if (KEYS[slot] !== undefined)
    throw new Error(`parse-fast: keys ${name} and another share a slot`);
  KEYS[slot] = { bit, bytes };
}

/**
 * The key at b[i…] (after its opening quote) with its closing quote and colon, or undefined:
 * a key the fast path does not read, or one written with an escape (the full path's).
 */
function keyAt(b: Uint8Array, i: number): Key | undefined {
  const key = KEYS[(((b[i] as number) & 127) << 7) | ((b[i + 2] as number) & 127)];
  return key !== undefined && sameBytes(b, i, key.bytes) ? key : undefined;
}
