/**
 * The XSAVE family as the hardware runs it on one pCPU's register file: XINUSE (init
 * optimisation), XMODIFIED with XRSTOR_INFO (modified optimisation), XFD in force, and the bytes
 * each instruction moves (SDM Vol. 1 §13.7–13.12; reference/x86-xfd.md §6).
 */
import type { MachineHost } from '@vfpu/core';
import { copyStrided, slice, writeU32 } from '@vfpu/core/backend-utils';
import {
  COMPONENT_RANGES,
  FCW_DEFAULT,
  FCW_OFFSET,
  MASK,
  MODELLED,
  MXCSR_DEFAULT,
  MXCSR_OFFSET,
  REGISTER_FILE_BYTES,
} from '../layout.js';
import type { SaveInstruction } from '../options.js';

/** Copies the components of `mask` from `src` to `dst` (same layout). */
export function copyComponents(dst: Uint8Array, src: Uint8Array, mask: number): void {
  let m = mask & MODELLED;
  while (m !== 0) {
    const i = 31 - Math.clz32(m);
    m &= ~(1 << i);
    const ranges = COMPONENT_RANGES[i] ?? [];
    for (let k = 0; k < ranges.length; k++) {
      const r = ranges[k] as { start: number; stride: number; count: number; len: number };
      copyStrided(dst, src, r.start, r.stride, r.count, r.len);
    }
  }
}

/**
 * Puts the components of `mask` in their initial configuration (SDM Vol. 1 §13.6): zero, but
 * the x87 FCW 0x037f (FTW 0xffff, which the abridged tag byte stores as 0) and MXCSR 0x1f80.
 */
export function initComponents(b: Uint8Array, mask: number): void {
  initRanges(b, mask);
  if (mask & MASK.FP) writeU32(b, FCW_OFFSET, FCW_DEFAULT); // FCW, and FSW 0 above it
  if (mask & MASK.SSE) writeU32(b, MXCSR_OFFSET, MXCSR_DEFAULT);
}

/**
 * The kernel replaced `ctx`'s components of `mask` outright (now in `b`, e.g. their init state):
 * the oracle's truth of those bytes becomes `b`'s (host.define). Not a hot path: uapi only.
 */
export function defineComponents(host: MachineHost, ctx: number, b: Uint8Array, mask: number) {
  let m = mask & MODELLED;
  while (m !== 0) {
    const i = 31 - Math.clz32(m);
    m &= ~(1 << i);
    for (const r of COMPONENT_RANGES[i] ?? [])
      for (let c = 0; c < r.count; c++) host.define(ctx, slice(r.start + c * r.stride, r.len), b);
  }
}

let INIT_FILE: Uint8Array | null = null;

/** A register file in the init state (for host.define), made once. */
export function initFile(): Uint8Array {
  if (INIT_FILE === null) {
    INIT_FILE = new Uint8Array(REGISTER_FILE_BYTES);
    initComponents(INIT_FILE, MASK.FP | MASK.SSE);
  }
  return INIT_FILE;
}

function initRanges(b: Uint8Array, mask: number): void {
  let m = mask & MODELLED;
  while (m !== 0) {
    const i = 31 - Math.clz32(m);
    m &= ~(1 << i);
    const ranges = COMPONENT_RANGES[i] ?? [];
    for (let k = 0; k < ranges.length; k++) {
      const r = ranges[k] as { start: number; stride: number; count: number; len: number };
      for (let c = 0; c < r.count; c++)
        b.fill(0, r.start + c * r.stride, r.start + c * r.stride + r.len);
    }
  }
}

/**
 * Which components a save writes. `inuse`: XINUSE with XFD-disabled components already removed
 * (XSAVE* treat them as init). `sameImage`: XRSTOR_INFO matches this buffer, so XSAVEOPT and
 * XSAVES may skip what is unmodified since that XRSTOR.
 */
export function componentsWritten(
  instruction: SaveInstruction,
  rfbm: number,
  inuse: number,
  modified: number,
  sameImage: boolean,
): number {
  switch (instruction) {
    case 'xsave':
      return rfbm; // every requested component (init ones as their init values)
    case 'xsavec':
      return rfbm & inuse;
    default:
      return rfbm & inuse & (sameImage ? modified : -1);
  }
}

/** The restore instruction that goes with a save instruction (XSTATE_XRESTORE). */
export function restoreInstruction(instruction: SaveInstruction): 'xrstors' | 'xrstor' {
  return instruction === 'xsaves' ? 'xrstors' : 'xrstor';
}
