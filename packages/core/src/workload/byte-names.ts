/**
 * Names found in place in a line's UTF-8 bytes, for the fast path of event parsing
 * (parse-fast.ts): no string per line, no hashing of a substring. Only ASCII names are matched
 * here (a byte of a multi-byte character never equals a UTF-16 unit of an ASCII name); a
 * value with any other character is left to the full parser.
 */

/** A name and its code. */
export interface NameEntry {
  /** The name (the string a record keeps: interned, not sliced per line). */
  readonly name: string;
  /** Its code (op index, unit index, …). */
  readonly code: number;
  /** Its bytes. */
  readonly bytes: Uint8Array;
}

function isAscii(s: string): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) > 0x7f) return false;
  return true;
}

/** The bytes of an ASCII string. */
export function asciiBytes(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}

/**
 * Whether `name` is at b[from…] (its length is known to fit): both typed arrays, so the loop
 * compiles to plain loads (a string's charCodeAt checks its representation at every call).
 */
export function sameBytes(b: Uint8Array, from: number, name: Uint8Array): boolean {
  for (let k = 0; k < name.length; k++) if (b[from + k] !== name[k]) return false;
  return true;
}

/** Names by length, then compared with the few names of that length. */
export class NameTable {
  private readonly byLength: (NameEntry[] | undefined)[] = [];
  /** `entries`: the first of two equal names wins (as `indexOf` would find it). */
  constructor(entries: Iterable<readonly [string, number]>) {
    for (const [name, code] of entries) {
      if (!isAscii(name)) continue;
      const list = this.byLength[name.length] ?? [];
      if (!list.some((e) => e.name === name)) list.push({ name, code, bytes: asciiBytes(name) });
      this.byLength[name.length] = list;
    }
  }
  /** The entry of the bytes b[from, to), or undefined. */
  find(b: Uint8Array, from: number, to: number): NameEntry | undefined {
    const list = this.byLength[to - from];
    if (list === undefined) return undefined;
    for (let k = 0; k < list.length; k++) {
      const e = list[k] as NameEntry;
      if (sameBytes(b, from, e.bytes)) return e;
    }
    return undefined;
  }
}

/** Label characters: 1 may start a label, 2 may follow (LABEL_RE of parse-fast.ts). */
const LABEL_CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_]/.test(ch)) LABEL_CHARS[c] = 3;
  else if (/[ ./&()#:+-]/.test(ch)) LABEL_CHARS[c] = 2;
}

/**
 * Labels as strings, kept once each (a direct-mapped table of 256 by a hash of the bytes): a
 * workload names few exits, so a labelled line costs no new string.
 */
export class LabelTable {
  private readonly slots: (string | undefined)[] = new Array(256).fill(undefined);

  /** The label b[from, to) as a string if LABEL_RE accepts it, else undefined. */
  get(b: Uint8Array, from: number, to: number): string | undefined {
    const n = to - from;
    if (n < 1 || n > 64) return undefined;
    let h = 0x811c9dc5;
    for (let i = from; i < to; i++) {
      const c = b[i] as number;
      if (c > 0x7f || (LABEL_CHARS[c] as number) < (i === from ? 3 : 2)) return undefined;
      h = Math.imul(h ^ c, 0x01000193);
    }
    const slot = (h >>> 24) ^ (h & 0xff);
    const s = this.slots[slot];
    if (s !== undefined && s.length === n && sameText(b, from, s)) return s;
    const made = asciiText(b, from, to);
    this.slots[slot] = made;
    return made;
  }
}

function sameText(b: Uint8Array, from: number, s: string): boolean {
  for (let k = 0; k < s.length; k++) if (b[from + k] !== s.charCodeAt(k)) return false;
  return true;
}

/** The string of ASCII bytes b[from, to). */
export function asciiText(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(b[i] as number);
  return s;
}

/**
 * The context index of a thread named by the bytes b[from, to), as {@link threadIndex} gives it (`vmm<N>` without leading zeros for a VMM thread, else a declared thread), or -1
 * when that is no thread or the name is not ASCII (the full parser decides).
 */
export class ThreadTable {
  private readonly vcpus: number;
  private readonly declared: NameTable;

  constructor(vcpus: number, threads: readonly string[]) {
    this.vcpus = vcpus;
    this.declared = new NameTable(threads.map((t, i) => [t, 2 * vcpus + i] as const));
  }

  find(b: Uint8Array, from: number, to: number): number {
    const n = to - from;
    // vmm(0|[1-9]\d*)
    if (n >= 4 && b[from] === 118 && b[from + 1] === 109 && b[from + 2] === 109) {
      const first = b[from + 3] as number;
      let v = 0;
      let digits = first === 48 ? n === 4 : first >= 49 && first <= 57;
      for (let i = from + 3; digits && i < to; i++) {
        const c = b[i] as number;
        if (c < 48 || c > 57) digits = false;
        else v = v * 10 + (c - 48);
      }
      if (digits) return v < this.vcpus ? this.vcpus + v : -1;
    }
    return this.declared.find(b, from, to)?.code ?? -1;
  }
}

/**
 * Context index of a thread name (vCPU contexts come first, then VMM threads, then declared
 * ones), or -1. A VMM thread is named exactly `vmm<N>`: `vmm01` is not vmm1 (as in x86
 * amxPermission).
 */
export function threadIndex(
  header: { readonly vcpus: number; readonly threads: readonly string[] },
  name: string,
): number {
  const { vcpus, threads } = header;
  const m = /^vmm(0|[1-9]\d*)$/.exec(name);
  if (m) {
    const v = Number(m[1]);
    return v < vcpus ? vcpus + v : -1;
  }
  const i = threads.indexOf(name);
  return i < 0 ? -1 : 2 * vcpus + i;
}
