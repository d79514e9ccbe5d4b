/**
 * The ONE_REG interface for FPU/MSA/LASX state: register ids as arch/mips/include/uapi/asm/kvm.h
 * (plus Loongson's VEC_256), mips.c kvm_mips_get_reg / kvm_mips_set_reg with their -EINVAL
 * cases and the U128/U256 early return, and KVM_GET_REG_LIST's count (kvm_mips_num_regs). Every
 * access works on the memory copy vcpu->arch.fpu, never on live hardware.
 */
import type { Slice, UserRegisterSpec } from '@vfpu/core';
import { ST0_FR } from './regs.js';
import type { MipsVz, Vcpu } from './state.js';

/** Register kinds; a handle is kind * 32 + register number. */
export const FPR_32 = 0;
export const FPR_64 = 1;
export const VEC_128 = 2;
export const VEC_256 = 3;
export const FCR_IR = 4;
export const FCR_CSR = 5;
export const MSA_IR = 6;
export const MSA_CSR = 7;
export const REG_LIST = 8;

const KIND_NAMES = [
  'FPR_32',
  'FPR_64',
  'VEC_128',
  'VEC_256',
  'FCR_IR',
  'FCR_CSR',
  'MSA_IR',
  'MSA_CSR',
  'KVM_GET_REG_LIST',
] as const;

/** kvm.h: KVM_REG_MIPS | size | KVM_REG_MIPS_FPU (set 3 in bits 31..16) | subset << 8 | number. */
const KVM_REG_MIPS = 0x7000000000000000n;
const SIZE_U32 = 0x0020000000000000n;
const SIZE_U64 = 0x0030000000000000n;
const SIZE_U128 = 0x0040000000000000n;
const SIZE_U256 = 0x0050000000000000n;
const SET_FPU = 0x30000n;

/** The 64-bit id of a handle (a BigInt: ids do not fit in a double). */
export function registerId(handle: number): bigint {
  const kind = Math.floor(handle / 32);
  const n = BigInt(handle % 32);
  const fpr = KVM_REG_MIPS | SET_FPU;
  switch (kind) {
    case FPR_32:
      return fpr | SIZE_U32 | n;
    case FPR_64:
      return fpr | SIZE_U64 | n;
    case VEC_128:
      return fpr | SIZE_U128 | n;
    case VEC_256:
      return fpr | SIZE_U256 | n;
    case FCR_IR:
      return fpr | SIZE_U32 | 0x100n;
    case FCR_CSR:
      return fpr | SIZE_U32 | 0x11fn;
    case MSA_IR:
      return fpr | SIZE_U32 | 0x200n;
    default:
      return fpr | SIZE_U32 | 0x201n;
  }
}

export function registerName(handle: number): string {
  const kind = Math.floor(handle / 32);
  const name = KIND_NAMES[kind] ?? '?';
  if (kind === REG_LIST) return name;
  return kind <= VEC_256 ? `KVM_REG_MIPS_${name}(${handle % 32})` : `KVM_REG_MIPS_${name}`;
}

const NAMED = /^(?:KVM_REG_MIPS_)?(FPR_32|FPR_64|VEC_128|VEC_256)\((0|[1-9]\d?)\)$/;

function resolve(id: string, write: boolean): number | string {
  if (id === 'KVM_GET_REG_LIST') {
    return write ? 'KVM_GET_REG_LIST is read-only: use it with user-get' : REG_LIST * 32;
  }
  const named = NAMED.exec(id);
  if (named) {
    const n = Number(named[2]);
    if (n > 31) return `register number ${n} out of range (0–31) in ${JSON.stringify(id)}`;
    return KIND_NAMES.indexOf(named[1] as (typeof KIND_NAMES)[number]) * 32 + n;
  }
  const plain = /^(?:KVM_REG_MIPS_)?(FCR_IR|FCR_CSR|MSA_IR|MSA_CSR)$/.exec(id);
  if (plain) return KIND_NAMES.indexOf(plain[1] as (typeof KIND_NAMES)[number]) * 32;
  if (/^0[xX][0-9a-fA-F]{16}$/.test(id)) {
    const want = BigInt(id);
    for (let h = 0; h < REG_LIST * 32; h++) {
      if (Math.floor(h / 32) >= FCR_IR && h % 32 !== 0) continue;
      if (registerId(h) === want) return h;
    }
    return `${id} is not an FPU/MSA/LASX register id (KVM_REG_MIPS_FPU set; GPR and CP0 ids are outside the model)`;
  }
  return `unknown register id ${JSON.stringify(id)}: expected FPR_32(n), FPR_64(n), VEC_128(n), VEC_256(n), FCR_IR, FCR_CSR, MSA_IR, MSA_CSR (optionally KVM_REG_MIPS_-prefixed), a 0x-prefixed 16-digit id, or KVM_GET_REG_LIST`;
}

export const MIPS_USER_REGISTERS: UserRegisterSpec = {
  description:
    'ONE_REG ids: FPR_32(n), FPR_64(n), VEC_128(n), VEC_256(n) (Loongson), FCR_IR, FCR_CSR, MSA_IR, MSA_CSR, or the 64-bit id in hex; KVM_GET_REG_LIST (user-get) for the count',
  resolve,
  name: registerName,
};

/**
 * Where register `handle` lives in vcpu->arch.fpu (a precomputed slice), or null for FCR_IR and
 * MSA_IR (the host's fpu_id / msa_id, not vCPU state). FPR_32 with FR=0 is word (n & 1) of
 * fpr[n & ~1] (the odd-doubles rule).
 */
function place(m: MipsVz, v: Vcpu, kind: number, n: number): Slice | null {
  const t = m.slices;
  switch (kind) {
    case FPR_32:
      return (v.status & ST0_FR ? t.fpr32Fr1 : t.fpr32Fr0)[n] as Slice;
    case FPR_64:
      return t.fpr64[n] as Slice;
    case VEC_128:
      return t.vec128[n] as Slice;
    case VEC_256:
      return t.vec256[n] as Slice;
    case FCR_CSR:
      return t.fcsr;
    case MSA_CSR:
      return t.msacsr;
    default:
      return null;
  }
}

/** The -EINVAL checks of kvm_mips_get_reg (write=false) and the switch of kvm_mips_set_reg. */
function einval(m: MipsVz, v: Vcpu, kind: number, n: number, write: boolean): string {
  const fr = (v.status & ST0_FR) !== 0;
  switch (kind) {
    case FPR_32:
    case FCR_IR:
    case FCR_CSR:
      return m.guestHasFpu(v) ? '' : 'guest has no FPU';
    case FPR_64:
      if (!m.guestHasFpu(v)) return 'guest has no FPU';
      return !fr && n & 1 ? 'odd FPR_64 with guest Status.FR=0' : '';
    case VEC_128:
    case MSA_IR:
    case MSA_CSR:
      if (!m.guestHasMsa(v)) return 'guest has no MSA';
      return kind === VEC_128 && !write && !fr ? 'VEC_128 get with guest Status.FR=0' : '';
    case VEC_256:
      if (!m.o.cpuHasLasx) return 'no VEC_256 case in the mainline kernel';
      if (!m.guestHasLasx(v)) return 'guest has no LASX';
      return !write && !fr ? 'VEC_256 get with guest Status.FR=0' : '';
    default:
      return '';
  }
}

function refuse(m: MipsVz, why: string, write: boolean, handle: number): void {
  m.host.count(m.counters.oneRegEinval);
  if (m.trace.on)
    m.trace.line(
      1,
      `${write ? 'KVM_SET_ONE_REG' : 'KVM_GET_ONE_REG'} ${registerName(handle)}: -EINVAL (${why})`,
    );
}

/** mips.c kvm_mips_get_reg: copies the register from vcpu->arch.fpu into `out`; null on an error. */
export function kvm_mips_get_reg(
  m: MipsVz,
  vi: number,
  handle: number,
  out: Uint8Array,
): Slice | null {
  const v = m.vcpus[vi] as Vcpu;
  const kind = Math.floor(handle / 32);
  const n = handle % 32;
  if (kind === REG_LIST) {
    kvm_mips_num_regs(m, v);
    return null;
  }
  if (m.trace.on) m.trace.fn(0, 'kvm_mips_get_reg', `(${registerName(handle)})`);
  const why = einval(m, v, kind, n, false);
  if (why !== '') {
    refuse(m, why, false, handle);
    return null;
  }
  const p = place(m, v, kind, n);
  if (p === null) return null;
  const end = p.offset + p.length;
  for (let i = p.offset; i < end; i++) out[i] = v.fpu[i] as number;
  return p;
}

/** Where a set of `handle` stores its value, or null. */
export function setSlice(m: MipsVz, vi: number, handle: number): Slice | null {
  const v = m.vcpus[vi] as Vcpu;
  const kind = Math.floor(handle / 32);
  // mainline has no KVM_REG_SIZE_U256 case: the write is refused and no register is its target
  if (kind === VEC_256 && !m.o.cpuHasLasx) return null;
  return place(m, v, kind, handle % 32);
}

const earlyReturn = (kind: string) =>
  `KVM_SET_ONE_REG of KVM_REG_MIPS_${kind} stored nothing (kernel quirk: kvm_mips_set_reg returns early)`;
const EARLY_RETURN_VEC_128 = earlyReturn('VEC_128');
const EARLY_RETURN_VEC_256 = earlyReturn('VEC_256');

/**
 * mips.c kvm_mips_set_reg. Kernel quirk: the KVM_REG_SIZE_U128 branch (and Loongson's U256)
 * returns right after copy_from_user, before the switch, so VEC_128/VEC_256 sets return 0,
 * store nothing and skip even the -EINVAL checks. FCR_IR and MSA_IR writes are ignored.
 */
export function kvm_mips_set_reg(m: MipsVz, vi: number, handle: number, src: Uint8Array): boolean {
  const v = m.vcpus[vi] as Vcpu;
  const kind = Math.floor(handle / 32);
  const n = handle % 32;
  const t = m.trace;
  if ((kind === VEC_128 || kind === VEC_256) && m.o.quirks === 'kernel') {
    if (kind === VEC_256 && !m.o.cpuHasLasx) {
      refuse(m, 'no KVM_REG_SIZE_U256 case in the mainline kernel', true, handle);
      return false;
    }
    if (t.on)
      t.fn(
        0,
        'kvm_mips_set_reg',
        `(${registerName(handle)}: returns after copy_from_user, nothing stored — kernel quirk)`,
      );
    m.host.warn(kind === VEC_128 ? EARLY_RETURN_VEC_128 : EARLY_RETURN_VEC_256);
    return false;
  }
  if (t.on) t.fn(0, 'kvm_mips_set_reg', `(${registerName(handle)})`);
  const why = einval(m, v, kind, n, true);
  if (why !== '') {
    refuse(m, why, true, handle);
    return false;
  }
  const p = place(m, v, kind, n);
  if (p === null) {
    if (t.on) t.line(1, `${registerName(handle)}: read-only, the write is ignored`);
    return false;
  }
  const end = p.offset + p.length;
  for (let i = p.offset; i < end; i++) v.fpu[i] = src[i] as number;
  return true;
}

/**
 * mips.c kvm_mips_num_regs and kvm_mips_copy_reg_indices: 35 common ids (no R6), then
 * [KVM_CAP_MIPS_FPU] FCR_IR, FCR_CSR and 32 FPR_32 + 16 even FPR_64 (+16 odd with FIR.F64),
 * [KVM_CAP_MIPS_MSA] MSA_IR, MSA_CSR and 32 VEC_128, then the VZ CP0 ids. LS-mips counts 32
 * more for LASX but writes its 32 VEC_256 ids instead of the VEC_128 ones: the count is 32 more
 * than the ids written (kernel quirk; `quirks: fixed` counts what is written).
 */
export function kvm_mips_num_regs(m: MipsVz, v: Vcpu): void {
  const o = m.o;
  const fpu = o.fpu ? 2 + 48 + (o.hostF64 ? 16 : 0) : 0;
  const msa = o.msa ? 2 + 32 : 0;
  const lasx = m.guestHasLasx(v) ? 32 : 0;
  const written = 35 + fpu + msa + o.vzRegs;
  const n = written + (o.quirks === 'kernel' ? lasx : 0);
  v.regList.n = n;
  v.regList.written = written;
  if (m.trace.on) {
    m.trace.fn(
      0,
      'kvm_mips_num_regs',
      `= 35 common + ${fpu} FPU + ${msa} MSA${lasx ? ` + ${o.quirks === 'kernel' ? lasx : 0} LASX` : ''} + ${o.vzRegs} VZ = ${n}`,
    );
    m.trace.fn(
      0,
      'kvm_mips_copy_reg_indices',
      `— ${written} ids written${lasx ? ' (VEC_256 instead of VEC_128)' : ''}${n !== written ? `; ${n - written} slots left unwritten (kernel quirk)` : ''}`,
    );
  }
}
