/**
 * What kernel-mode NEON code (kernel_neon_begin … kernel_neon_end) leaves in the registers it
 * uses: a fixed pattern, so that state nobody saved shows up as a violation (deterministic).
 */
export function scribble(hw: Uint8Array, stride: number, count: number, len: number): void {
  for (let k = 0; k < count; k++) {
    for (let i = 0; i < len; i++) hw[k * stride + i] = ((k * len + i) * 37 + 0x5a) & 0xff;
  }
}
