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

/**
 * The path of the first repeated key of valid JSON `text` (`vcpu`, `config.cpuid.xfd`,
 * `set[0].a`), or undefined. `text` must be valid JSON (parse it first).
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
  /** One value at `i`; returns the path of a duplicate inside it, if any. */
  const value = (path: string): string | undefined => {
    skipWs();
    const c = text.charCodeAt(i);
    if (c === 0x7b) {
      i++;
      const seen = new Set<string>();
      skipWs();
      if (text.charCodeAt(i) === 0x7d) {
        i++;
        return undefined;
      }
      for (;;) {
        skipWs();
        const key = readString();
        if (seen.has(key)) return child(path, key);
        seen.add(key);
        skipWs();
        i++; // ':'
        const dup = value(child(path, key));
        if (dup !== undefined) return dup;
        skipWs();
        if (text.charCodeAt(i++) === 0x7d) return undefined; // else ','
      }
    }
    if (c === 0x5b) {
      i++;
      skipWs();
      if (text.charCodeAt(i) === 0x5d) {
        i++;
        return undefined;
      }
      for (let k = 0; ; k++) {
        const dup = value(`${path}[${k}]`);
        if (dup !== undefined) return dup;
        skipWs();
        if (text.charCodeAt(i++) === 0x5d) return undefined; // else ','
      }
    }
    if (c === 0x22) {
      readString();
      return undefined;
    }
    // number, true, false, null
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x09) break;
      if (d === 0x0a || d === 0x0d) break;
      i++;
    }
    return undefined;
  };
  return value('');
}
