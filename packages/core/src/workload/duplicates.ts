/**
 * Duplicate keys in a JSON object. `JSON.parse` keeps the last of them silently, so a workload
 * line `{"op":"use","vcpu":0,"vcpu":1}` would run on vcpu 1 without a word; vfpu refuses it.
 *
 * The event hot path pays one `indexOf(':')` per key ({@link mayHaveDuplicates}): every key of
 * valid JSON is followed by its own `:`, so a line whose colons number no more than the keys
 * `JSON.parse` kept has no duplicate. Only a line with more colons (a duplicate, a nested
 * object, or a `:` inside a string) is scanned exactly ({@link duplicateKey}).
 */

/**
 * False when `text`, which `JSON.parse` turned into an object with `keys` own keys, certainly has
 * no duplicate key (nor any nested object); true when {@link duplicateKey} must look.
 */
export function mayHaveDuplicates(text: string, keys: number): boolean {
  let colons = 0;
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    if (++colons > keys) return true;
  }
  return false;
}

/** Per open container of {@link duplicateKey}: its path, the keys seen (objects), the index (arrays). */
interface Frame {
  readonly path: string;
  readonly seen: Set<string> | undefined;
  index: number;
}

/**
 * The path of the first repeated key of valid JSON `text` (`vcpu`, `config.cpuid.xfd`,
 * `set[0].a`), or undefined. `text` must be valid JSON (parse it first). Iterative, with its
 * own stack: a line nested a million deep costs memory in proportion, never a stack overflow.
 */
export function duplicateKey(text: string): string | undefined {
  let i = 0;
  const n = text.length;
  const skipWs = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      i++;
    }
  };
  /** At an opening quote: the string, decoded, with `i` after its closing quote. */
  const readString = (): string => {
    const start = i;
    i++;
    let escaped = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      i++;
      if (escaped) escaped = false;
      else if (c === 0x5c) escaped = true;
      else if (c === 0x22) break;
    }
    return JSON.parse(text.slice(start, i)) as string;
  };
  const child = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);
  const stack: Frame[] = [];
  /** At a key of the object `top`: reads it and the ':'; the value's path, or a duplicate. */
  const key = (top: Frame): { dup?: string; path?: string } => {
    skipWs();
    const k = readString();
    const seen = top.seen as Set<string>;
    if (seen.has(k)) return { dup: child(top.path, k) };
    seen.add(k);
    skipWs();
    i++; // ':'
    return { path: child(top.path, k) };
  };
  /** The path of the value at `i`. */
  let path = '';
  for (;;) {
    skipWs();
    const c = text.charCodeAt(i);
    let opened = false;
    if (c === 0x7b || c === 0x5b) {
      i++;
      skipWs();
      if (text.charCodeAt(i) === (c === 0x7b ? 0x7d : 0x5d)) i++;
      else {
        const top: Frame = { path, seen: c === 0x7b ? new Set() : undefined, index: 0 };
        stack.push(top);
        if (top.seen !== undefined) {
          const r = key(top);
          if (r.dup !== undefined) return r.dup;
          path = r.path as string;
        } else path = `${top.path}[0]`;
        opened = true;
      }
    } else if (c === 0x22) {
      readString();
    } else {
      // number, true, false, null
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x09) break;
        if (d === 0x0a || d === 0x0d) break;
        i++;
      }
    }
    if (opened) continue;
    // a value ended: close the containers it ends, then go to the next member
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) return undefined;
      skipWs();
      const d = text.charCodeAt(i++);
      if (d === 0x7d || d === 0x5d) {
        stack.pop();
        continue;
      }
      // ','
      if (top.seen !== undefined) {
        const r = key(top);
        if (r.dup !== undefined) return r.dup;
        path = r.path as string;
      } else path = `${top.path}[${++top.index}]`;
      break;
    }
  }
}

/**
 * The top-level key of the JSON object `text` inside which containers nest more than `max`
 * deep ('' when the nesting is outside any key), or undefined. One pass, no recursion: run
 * before anything walks the parsed value recursively (a backend's option checks).
 */
export function tooDeep(text: string, max: number): string | undefined {
  let depth = 0;
  let key = '';
  let lastString = -1;
  let lastEnd = -1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
      if (depth === 1) {
        lastString = start;
        lastEnd = i + 1;
      }
    } else if (c === 0x3a && depth === 1 && lastString >= 0) {
      key = JSON.parse(text.slice(lastString, lastEnd)) as string;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return depth === 1 ? '' : key;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return undefined;
}
