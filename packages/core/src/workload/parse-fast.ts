/**
 * The fast path of event parsing: one scan of a line in the form vfpu writes (`{"k":v,...}` with
 * no blanks, strings without escapes, numbers in JSON's grammar) into the event record, with no
 * JSON.parse and no object per line. It only *accepts*: a line it does not recognise, or one
 * that breaks any rule, is left to the full parser (parse-event.ts), which then gives exactly
 * its error. Ops with rare fields (guest-write, user-get, user-set, syscall) always take the
 * full path. Whatever this accepts, the full path would turn into the same record.
 */
import { EXIT_REASONS } from '../backend-utils/exit-table.js';
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

/**
 * Names and their codes, found in place (no substring, no hashing): by length, then by
 * comparison with the few names of that length.
 */
class NameTable {
  private readonly byLength: ([string, number][] | undefined)[] = [];
  constructor(entries: Iterable<readonly [string, number]>) {
    for (const [name, code] of entries) {
      const list = this.byLength[name.length] ?? [];
      list.push([name, code]);
      this.byLength[name.length] = list;
    }
  }
  /** The code of text[from, to), or undefined. */
  find(text: string, from: number, to: number): number | undefined {
    const list = this.byLength[to - from];
    if (list === undefined) return undefined;
    for (let k = 0; k < list.length; k++) {
      const e = list[k] as readonly [string, number];
      if (same(text, from, e[0])) return e[1];
    }
    return undefined;
  }
}

/**
 * Whether `name` is at text[from…] (its length is known to fit): a loop of charCodeAt, which
 * the compiler inlines, where startsWith on a line (a slice of its chunk) is a runtime call.
 */
function same(text: string, from: number, name: string): boolean {
  for (let k = 0; k < name.length; k++)
    if (text.charCodeAt(from + k) !== name.charCodeAt(k)) return false;
  return true;
}

const OP_TABLE = new NameTable(OP_INDEX);
const ACCESS_TABLE = new NameTable(ACCESS);

/** Strings and numbers of the line being scanned. */
class Scanner {
  text = '';
  num = 0;
  /** Whether the last number was a plain non-negative integer of at most 15 digits. */
  int = false;

  /** The end of a string's contents starting after its opening quote, or -1 (escapes, controls). */
  stringEnd(i: number): number {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(i);
      if (c === 34) return i;
      if (c === 92 || c < 32 || Number.isNaN(c)) return -1;
      i++;
    }
  }

  /** The end of the JSON number at text[i] (-1 if none), its value in `num`. */
  numberEnd(i: number): number {
    const t = this.text;
    const from = i;
    let c = t.charCodeAt(i);
    if (c === 45) c = t.charCodeAt(++i);
    if (c === 48) c = t.charCodeAt(++i);
    else if (c >= 49 && c <= 57) while (c >= 48 && c <= 57) c = t.charCodeAt(++i);
    else return -1;
    const intEnd = i;
    if (c === 46) {
      c = t.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) return -1;
      while (c >= 48 && c <= 57) c = t.charCodeAt(++i);
    }
    if (c === 101 || c === 69) {
      c = t.charCodeAt(++i);
      if (c === 43 || c === 45) c = t.charCodeAt(++i);
      if (!(c >= 48 && c <= 57)) return -1;
      while (c >= 48 && c <= 57) c = t.charCodeAt(++i);
    }
    this.int = intEnd === i && t.charCodeAt(from) !== 45 && i - from <= 15;
    if (this.int) {
      let n = 0;
      for (let k = from; k < i; k++) n = n * 10 + (t.charCodeAt(k) - 48);
      this.num = n;
    } else this.num = Number(t.slice(from, i));
    return i;
  }
}

export class FastEventParser {
  private readonly threadIndex: (name: string) => number;
  private readonly vcpus: number;
  private readonly cpus: number;
  /** Every name `unit` accepts (unit ids unless the workload names no arch, then classes). */
  private readonly units: NameTable;
  private readonly registers: readonly number[];
  private readonly reasons: NameTable;
  private readonly s = new Scanner();

  /** The tables of the full parser: class name → lattice index, exit reasons, thread names. */
  constructor(
    ctx: EventContext,
    classUnit: ReadonlyMap<string, number>,
    reasons: readonly string[],
    threadIndex: (name: string) => number,
  ) {
    this.threadIndex = threadIndex;
    this.vcpus = ctx.header.vcpus;
    this.cpus = ctx.header.cpus;
    // as the full parser resolves a unit: a class first, else (with an arch) a unit id
    const names = new Map<string, number>();
    const units = ctx.lattice.units;
    if (!ctx.neutralOnly) for (let i = 0; i < units.length; i++) names.set(units[i]?.id ?? '', i);
    for (const [c, i] of classUnit) names.set(c, i);
    this.units = new NameTable(names);
    this.registers = ctx.lattice.units.map((u) => u.registers);
    const codes = new Map<string, number>();
    reasons.forEach((r, i) => {
      if (!codes.has(r)) codes.set(r, i);
    });
    this.reasons = new NameTable(codes);
  }

  /** Fills `ev` from `text` and returns true, or returns false: the full parser decides. */
  parse(text: string, line: number, ev: WorkloadEvent): boolean {
    const s = this.s;
    s.text = text;
    if (text.charCodeAt(0) !== 123 || text.charCodeAt(1) !== 34) return false;
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
    let i = 1;
    for (;;) {
      // "key":
      if (text.charCodeAt(i) !== 34) return false;
      const ke = s.stringEnd(i + 1);
      if (ke < 0 || text.charCodeAt(ke + 1) !== 58) return false;
      const bit = keyBit(text, i + 1, ke);
      if (bit === 0 || (seen & bit) !== 0) return false;
      seen |= bit;
      i = ke + 2;
      if (text.charCodeAt(i) === 34) {
        const vs = i + 1;
        const ve = s.stringEnd(vs);
        if (ve < 0) return false;
        i = ve + 1;
        switch (bit) {
          case F.op: {
            const o = OP_TABLE.find(text, vs, ve);
            if (o === undefined) return false;
            op = o;
            break;
          }
          case F.unit: {
            const u = this.units.find(text, vs, ve);
            if (u === undefined) return false;
            unit = u;
            unitName = text.slice(vs, ve);
            break;
          }
          case F.access: {
            const a = ACCESS_TABLE.find(text, vs, ve);
            if (a === undefined) return false;
            access = a;
            break;
          }
          case F.condition: {
            const v = text.slice(vs, ve);
            if (v !== 'passes' && v !== 'fails') return false;
            fails = v === 'fails';
            break;
          }
          case F.preempt:
            if (!(ve - vs === 10 && same(text, vs, 'after-trap'))) return false;
            preempt = true;
            break;
          case F.reason: {
            const r = this.reasons.find(text, vs, ve);
            if (r === undefined) return false;
            reason = r;
            break;
          }
          case F.label:
            label = text.slice(vs, ve);
            if (!LABEL_RE.test(label)) return false;
            break;
          case F.thread:
            thread = this.threadIndex(text.slice(vs, ve));
            if (thread < 0) return false;
            break;
          default:
            return false;
        }
      } else {
        const ne = s.numberEnd(i);
        if (ne < 0) return false;
        i = ne;
        const n = s.num;
        switch (bit) {
          case F.vcpu:
            if (!s.int || n >= this.vcpus) return false;
            vcpu = n;
            break;
          case F.cpu:
            if (!s.int || n >= this.cpus) return false;
            cpu = n;
            break;
          case F.reg:
            if (!s.int) return false;
            reg = n;
            break;
          case F.cycles:
            if (!s.int) return false;
            cycles = n;
            break;
          case F.ts:
            if (!(n >= 0) || n === Number.POSITIVE_INFINITY) return false;
            ts = n;
            break;
          default:
            return false;
        }
      }
      const c = text.charCodeAt(i);
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 125 && i === text.length - 1) break;
      return false;
    }
    if (op < 0) return false;
    const allowed = ALLOWED[op] as number;
    const required = REQUIRED[op] as number;
    if ((seen & ~allowed) !== 0 || (seen & required) !== required) return false;
    if (op === Op.work && vcpu < 0 && cpu < 0) return false;
    if (reg >= 0 && reg > (unit < 0 ? 0 : (this.registers[unit] as number) - 1)) return false;
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
    return true;
  }
}

/** The keys the fast path reads, by length and first character (no two share both). */
const KEY_BY_SHAPE: (readonly [string, number] | undefined)[] = [];
for (const [name, bit] of Object.entries(F))
  KEY_BY_SHAPE[name.length * 128 + name.charCodeAt(0)] = [name, bit];

/** The bit of the key text[from, to), or 0 for a key the fast path does not read. */
function keyBit(text: string, from: number, to: number): number {
  const k =
    to - from < 16 ? KEY_BY_SHAPE[(to - from) * 128 + (text.charCodeAt(from) & 127)] : undefined;
  return k !== undefined && same(text, from, k[0]) ? k[1] : 0;
}
