/**
 * XSAVE state components and where vfpu keeps them.
 *
 * Sizes are the standard-format sizes (arch/x86/include/asm/fpu/types.h structs, checked by
 * xstate.c check_xstate_against_struct; amx_test.c asserts TILEDATA 8192 B at 2816). A register
 * file is one context's architectural state, laid out per register so that every `use` is one
 * contiguous slice: the legacy control words, ST0–7, ZMM0–31 (XMM | YMM_Hi128 | ZMM_Hi256), the
 * opmask registers, TMM0–7 and TILECFG. The uABI image (KVM_GET_XSAVE2) is produced from it in
 * the standard format's component order.
 */
import type { Slice } from '@vfpu/core';
import { slice, sliceTable } from '@vfpu/core/backend-utils';

/** XSAVE component numbers (enum xfeature). */
export const XFEATURE = {
  x87: 0,
  sse: 1,
  avx: 2,
  bndregs: 3,
  bndcsr: 4,
  opmask: 5,
  zmm_hi256: 6,
  hi16_zmm: 7,
  pkru: 9,
  xtilecfg: 17,
  xtiledata: 18,
} as const;

/** XFEATURE_MAX in Linux 6.16 (APX is component 19). */
export const XFEATURE_MAX = 20;

export const MASK = {
  FP: 1 << 0,
  SSE: 1 << 1,
  YMM: 1 << 2,
  BNDREGS: 1 << 3,
  BNDCSR: 1 << 4,
  AVX512: (1 << 5) | (1 << 6) | (1 << 7),
  PKRU: 1 << 9,
  XTILE_CFG: 1 << 17,
  XTILE_DATA: 1 << 18,
  XTILE: (1 << 17) | (1 << 18),
} as const;

/** XFEATURE_MASK_USER_DYNAMIC: only TILEDATA. */
export const USER_DYNAMIC = MASK.XTILE_DATA;

/** The 64-byte XSAVE header, written by every save and read by every restore. */
export const HEADER_BYTES = 64;

/** Standard-format size of component i (0 where vfpu keeps no state for it). */
export const COMPONENT_BYTES: readonly number[] = (() => {
  const a = new Array<number>(32).fill(0);
  a[0] = 160; // x87: the legacy area up to xmm_space (xstate.c setup_xstate_features)
  a[1] = 256; // xmm_space
  a[2] = 256; // struct ymmh_struct
  a[5] = 64; // struct avx_512_opmask_state
  a[6] = 512; // struct avx_512_zmm_uppers_state
  a[7] = 1024; // struct avx_512_hi16_state
  a[17] = 64; // struct xtile_cfg
  a[18] = 8192; // struct xtile_data: 8 tiles × 1024 B
  return a;
})();

/** Standard-format offset of TILEDATA (amx_test.c check_xtile_info). */
export const XTILEDATA_UABI_OFFSET = 2816;
/** sizeof(struct kvm_xsave): the legacy KVM_GET_XSAVE buffer. */
export const KVM_XSAVE_BYTES = 4096;
/** Standard-format size with TILEDATA: 2816 + 8192 (the guest_perm user size on this layout). */
export const UABI_SIZE_WITH_TILES = 11008;

// ---- the register file -------------------------------------------------------------------

/** The x87 control word (FXSAVE/XSAVE legacy area byte 0) and its init value (fpstate_init_fxstate: cwd = 0x37f). */
export const FCW_OFFSET = 0;
export const FCW_DEFAULT = 0x037f;
export const MXCSR_OFFSET = 24;
/** MXCSR_DEFAULT: MXCSR in the SSE component's initial configuration (SDM Vol. 1 §13.6). */
export const MXCSR_DEFAULT = 0x1f80;
const ST = 32;
const ZMM = 160;
const ZMM_STRIDE = 64;
const OPMASK = ZMM + 32 * ZMM_STRIDE; // 2208
export const TILEDATA_OFFSET = OPMASK + 64; // 2272
export const TILE_BYTES = 1024;
/** TILECFG sits last: moved and counted, but outside every slice the oracle checks. */
export const TILECFG_OFFSET = TILEDATA_OFFSET + 8 * TILE_BYTES; // 10464
export const REGISTER_FILE_BYTES = TILECFG_OFFSET + 64; // 10528
/** The part of the register file below the AMX components (a buffer without TILEDATA). */
export const NON_TILE_BYTES = TILEDATA_OFFSET;
/** What userspace images cover when the buffer has TILEDATA (TILECFG is not checked). */
export const IMAGE_BYTES = TILECFG_OFFSET;

/** A run of `count` ranges of `len` bytes, `stride` apart, from `start`. */
export interface Ranges {
  readonly start: number;
  readonly stride: number;
  readonly count: number;
  readonly len: number;
}

/** Where component i lives in a register file. */
export const COMPONENT_RANGES: readonly (readonly Ranges[])[] = (() => {
  const a: Ranges[][] = Array.from({ length: 32 }, () => []);
  a[0] = [
    { start: 0, stride: 0, count: 1, len: MXCSR_OFFSET },
    { start: ST, stride: 0, count: 1, len: 128 },
  ];
  a[1] = [
    { start: MXCSR_OFFSET, stride: 0, count: 1, len: 8 },
    { start: ZMM, stride: ZMM_STRIDE, count: 16, len: 16 },
  ];
  a[2] = [{ start: ZMM + 16, stride: ZMM_STRIDE, count: 16, len: 16 }];
  a[5] = [{ start: OPMASK, stride: 0, count: 1, len: 64 }];
  a[6] = [{ start: ZMM + 32, stride: ZMM_STRIDE, count: 16, len: 32 }];
  a[7] = [{ start: ZMM + 16 * ZMM_STRIDE, stride: 0, count: 1, len: 16 * ZMM_STRIDE }];
  a[17] = [{ start: TILECFG_OFFSET, stride: 0, count: 1, len: 64 }];
  a[18] = [{ start: TILEDATA_OFFSET, stride: 0, count: 1, len: 8 * TILE_BYTES }];
  return a;
})();

/** Components vfpu keeps state for (PKRU is switched by WRPKRU, not by the FPU swap). */
export const MODELLED = 0x600e7;

/** Bytes an XSAVE-family instruction moves for the components in `mask` (with the header). */
export function transferBytes(mask: number): number {
  let n = HEADER_BYTES;
  let m = mask & MODELLED;
  while (m !== 0) {
    const i = 31 - Math.clz32(m);
    n += COMPONENT_BYTES[i] as number;
    m &= ~(1 << i);
  }
  return n;
}

// ---- units -------------------------------------------------------------------------------

/** The units of the variants, by name (core gives each its id: `MachineInit.ids.units`). */
export type UnitName = 'x87' | 'sse' | 'avx' | 'avx512' | 'amx-tile';

/** Per unit: the XCR0 bits it needs enabled, the components its instructions modify (XINUSE /
 * XMODIFIED), its own part of the state (what it adds to the units nested in it), and where its
 * registers live in the register file. */
export interface UnitLayout {
  readonly xcr0: number;
  readonly components: number;
  readonly own: number;
  readonly slices: readonly Slice[];
}

export const UNIT_LAYOUT: Readonly<Record<UnitName, UnitLayout>> = {
  x87: { xcr0: MASK.FP, components: MASK.FP, own: MASK.FP, slices: sliceTable(ST, 10, 8, 16) },
  // SSE instructions need CR4.OSFXSR, not XCR0
  sse: {
    xcr0: 0,
    components: MASK.SSE,
    own: MASK.SSE,
    slices: sliceTable(ZMM, 16, 16, ZMM_STRIDE),
  },
  avx: {
    xcr0: MASK.SSE | MASK.YMM,
    components: MASK.SSE | MASK.YMM,
    own: MASK.YMM,
    slices: sliceTable(ZMM, 32, 16, ZMM_STRIDE),
  },
  avx512: {
    xcr0: MASK.SSE | MASK.YMM | MASK.AVX512,
    components: MASK.SSE | MASK.YMM | MASK.AVX512,
    own: MASK.AVX512,
    slices: sliceTable(ZMM, 64, 32, ZMM_STRIDE),
  },
  'amx-tile': {
    xcr0: MASK.XTILE,
    components: MASK.XTILE_DATA,
    own: MASK.XTILE,
    slices: sliceTable(TILEDATA_OFFSET, TILE_BYTES, 8),
  },
};

/** LDMXCSR's 4 bytes (the MXCSR control register of the sse unit). */
export const MXCSR_SLICE: Slice = slice(MXCSR_OFFSET, 4);
/** A KVM_GET_XSAVE / KVM_SET_XSAVE image without and with the tile data. */
export const NON_TILE_IMAGE: Slice = slice(0, NON_TILE_BYTES);
export const TILE_IMAGE: Slice = slice(0, IMAGE_BYTES);

/** "0x600e7" */
export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}
