/**
 * Strict UTF-8 for workload input: invalid bytes are refused (with their line), never replaced by
 * U+FFFD. Chunks (cut at a line feed, so never inside a character) are checked whole with
 * `isUtf8` (native); the exact position is only looked for once a chunk fails.
 */

/**
 * Offset of the first byte of the first ill-formed sequence of `buf` (Unicode table 3-7: no
 * overlong forms, no surrogates, nothing above U+10FFFF; a truncated sequence at the end is
 * ill-formed), or -1 when `buf` is well-formed UTF-8.
 */
export function firstInvalidUtf8(buf: Uint8Array): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const c = buf[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let more: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      more = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      more = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return i;
    if (i + more >= n) return i;
    for (let k = 1; k <= more; k++) {
      const d = buf[i + k] as number;
      if (d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += more + 1;
  }
  return -1;
}
