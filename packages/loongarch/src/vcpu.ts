/**
 * arch/loongarch/kvm/vcpu.c: own / lose of the guest's FP, LSX and LASX state, vCPU load / put,
 * the delayed load of KVM_REQ_AUX_LOAD, and KVM_GET_FPU / KVM_SET_FPU.
 *
 * Versions: kvm_own_lsx / kvm_own_lasx of the first port (v6.7/v6.8, Gen-1) check the guest's
 * CPUCFG themselves and return -EINVAL; from Gen-2 the exit handlers check it. Gen-1 wraps each
 * own in preempt_disable(); the 2026 version (@01f492e) runs it from kvm_late_check_requests with
 * IRQs off. LBT (kvm_own_lbt, kvm_lose_lbt, kvm_check_fcsr, kvm_check_fcsr_alive) as in @01f492e;
 * FTOP (saved with FCSR0 when TM is set) is not modelled.
 */
import type { Slice } from '@vfpu/core';
import { ERRNO, readU32 } from '@vfpu/core/backend-utils';
import { _restore_lasx_upper, _restore_lsx_upper } from './fpu.js';
import {
  CSR_EUEN_FPEN,
  CSR_EUEN_LASXEN,
  CSR_EUEN_LBTEN,
  CSR_EUEN_LSXEN,
  EXCCODE_FPDIS,
  EXCCODE_LASXDIS,
  EXCCODE_LSXDIS,
  FCSR_OFFSET,
  FPU_CSR_TM,
  KVM_LARCH_FPU,
  KVM_LARCH_LASX,
  KVM_LARCH_LBT,
  KVM_LARCH_LSX,
  LBT_SLICES,
  SLOT,
} from './layout.js';
import { _restore_lbt, _save_lbt } from './lbt.js';
import { type LoongState, NOWHERE } from './state.js';
import {
  kvm_restore_fpu,
  kvm_restore_lasx,
  kvm_restore_lsx,
  kvm_save_fpu,
  kvm_save_lasx,
  kvm_save_lsx,
} from './switch.js';

function set_csr_euen(s: LoongState, v: number, bits: number): void {
  const cpu = s.cpuOf[v] as number;
  s.euen[cpu] = (s.euen[cpu] as number) | bits;
  s.h.control(1);
}

function clear_csr_euen(s: LoongState, v: number, bits: number): void {
  const cpu = s.cpuOf[v] as number;
  s.euen[cpu] = (s.euen[cpu] as number) & ~bits;
  s.h.control(1);
}

/** kvm_own_lbt: unless LBT is live, enable LBTEN and _restore_lbt. */
export function kvm_own_lbt(s: LoongState, v: number): number {
  if (s.h.trace.on) s.h.trace.fn(1, 'kvm_own_lbt');
  if (((s.aux[v] as number) & KVM_LARCH_LBT) === 0) {
    set_csr_euen(s, v, CSR_EUEN_LBTEN);
    _restore_lbt(s, v);
    s.aux[v] = (s.aux[v] as number) | KVM_LARCH_LBT;
  }
  return 0;
}

/** kvm_lose_lbt: if LBT is live, _save_lbt and disable LBTEN. */
function kvm_lose_lbt(s: LoongState, v: number): void {
  if (s.h.trace.on) s.h.trace.fn(1, 'kvm_lose_lbt');
  if (((s.aux[v] as number) & KVM_LARCH_LBT) !== 0) {
    _save_lbt(s, v);
    clear_csr_euen(s, v, CSR_EUEN_LBTEN);
    s.aux[v] = (s.aux[v] as number) & ~KVM_LARCH_LBT;
  }
}

/** kvm_check_fcsr: TM set: the FTOP save/restore needs LBT, so own it first. */
function kvm_check_fcsr(s: LoongState, v: number, fcsr: number): void {
  if (fcsr & FPU_CSR_TM) kvm_own_lbt(s, v);
}

/** kvm_check_fcsr_alive: FPU live and LBT not: check the hardware FCSR0. */
function kvm_check_fcsr_alive(s: LoongState, v: number): void {
  const aux = s.aux[v] as number;
  if (aux & KVM_LARCH_FPU && (aux & KVM_LARCH_LBT) === 0)
    kvm_check_fcsr(s, v, readU32(s.hw(v), FCSR_OFFSET)); // read_fcsr(LOONGARCH_FCSR0)
}

/** The saved vcpu->arch.fpu.fcsr. */
function savedFcsr(s: LoongState, v: number): number {
  return readU32(s.fpu[v] as Uint8Array, FCSR_OFFSET);
}

/**
 * trace_kvm_aux (arch/loongarch/kvm/trace.h): "%s %s" of kvm_trace_symbol_aux_op ("save",
 * "restore", …) and kvm_trace_symbol_aux_state ("FPU", "LSX", "LASX"), PC left out. vcpu.c
 * fires one per kvm_own_fpu / kvm_own_lsx / kvm_own_lasx (after the restore) and per branch of
 * kvm_lose_fpu (after the save and the aux_inuse update, before EUEN is cleared); the LBT
 * routines fire none (v6.7 vcpu.c; the same calls in the KVM_REQ_AUX_LOAD series).
 */
const KVM_AUX = 'kvm_aux';

/** kvm_own_fpu: kvm_check_fcsr, enable FPEN, kvm_restore_fpu, aux_inuse |= FPU, trace. */
export function kvm_own_fpu(s: LoongState, v: number): void {
  if (s.h.trace.on) s.h.trace.fn(1, 'kvm_own_fpu');
  kvm_check_fcsr(s, v, savedFcsr(s, v));
  set_csr_euen(s, v, CSR_EUEN_FPEN);
  kvm_restore_fpu(s, v);
  s.aux[v] = (s.aux[v] as number) | KVM_LARCH_FPU;
  if (s.h.trace.on) s.h.trace.tracepoint(v, KVM_AUX, 'restore FPU');
}

/** kvm_own_lsx: enable LSXEN|FPEN; only the upper halves if FP is live, else kvm_restore_lsx. */
export function kvm_own_lsx(s: LoongState, v: number): number {
  // Gen-1: `if (!kvm_guest_has_fpu(...) || !kvm_guest_has_lsx(...)) return -EINVAL;`
  if (!s.auxLoad && (!s.has.fp || !s.has.lsx)) return -ERRNO.EINVAL;
  if (s.h.trace.on) s.h.trace.fn(1, 'kvm_own_lsx');
  kvm_check_fcsr(s, v, savedFcsr(s, v));
  set_csr_euen(s, v, CSR_EUEN_LSXEN | CSR_EUEN_FPEN);
  if ((s.aux[v] as number) & KVM_LARCH_FPU) _restore_lsx_upper(s, v);
  else kvm_restore_lsx(s, v);
  if (s.h.trace.on) s.h.trace.tracepoint(v, KVM_AUX, 'restore LSX');
  s.aux[v] = (s.aux[v] as number) | KVM_LARCH_LSX | KVM_LARCH_FPU;
  return 0;
}

/** kvm_own_lasx: enable FPEN|LSXEN|LASXEN; restore only what is not live yet. */
export function kvm_own_lasx(s: LoongState, v: number): number {
  if (!s.auxLoad && (!s.has.fp || !s.has.lsx || !s.has.lasx)) return -ERRNO.EINVAL;
  if (s.h.trace.on) s.h.trace.fn(1, 'kvm_own_lasx');
  kvm_check_fcsr(s, v, savedFcsr(s, v));
  set_csr_euen(s, v, CSR_EUEN_FPEN | CSR_EUEN_LSXEN | CSR_EUEN_LASXEN);
  const live = (s.aux[v] as number) & (KVM_LARCH_FPU | KVM_LARCH_LSX);
  if (live & KVM_LARCH_LSX) {
    _restore_lasx_upper(s, v); // case KVM_LARCH_LSX, case KVM_LARCH_LSX | KVM_LARCH_FPU
  } else if (live === KVM_LARCH_FPU) {
    _restore_lsx_upper(s, v);
    _restore_lasx_upper(s, v);
  } else {
    kvm_restore_lasx(s, v);
  }
  if (s.h.trace.on) s.h.trace.tracepoint(v, KVM_AUX, 'restore LASX');
  s.aux[v] = (s.aux[v] as number) | KVM_LARCH_LASX | KVM_LARCH_LSX | KVM_LARCH_FPU;
  return 0;
}

/** kvm_lose_fpu: save the widest live width (no dirty tracking), clear aux_inuse and EUEN. */
export function kvm_lose_fpu(s: LoongState, v: number): void {
  if (s.cpuOf[v] === NOWHERE) return;
  if (s.h.trace.on) s.h.trace.fn(1, 'kvm_lose_fpu');
  kvm_check_fcsr_alive(s, v);
  const aux = s.aux[v] as number;
  if (aux & KVM_LARCH_LASX) {
    kvm_save_lasx(s, v);
    s.aux[v] = aux & ~(KVM_LARCH_LSX | KVM_LARCH_FPU | KVM_LARCH_LASX);
    if (s.h.trace.on) s.h.trace.tracepoint(v, KVM_AUX, 'save LASX');
    clear_csr_euen(s, v, CSR_EUEN_FPEN | CSR_EUEN_LSXEN | CSR_EUEN_LASXEN);
  } else if (aux & KVM_LARCH_LSX) {
    kvm_save_lsx(s, v);
    s.aux[v] = aux & ~(KVM_LARCH_LSX | KVM_LARCH_FPU);
    if (s.h.trace.on) s.h.trace.tracepoint(v, KVM_AUX, 'save LSX');
    clear_csr_euen(s, v, CSR_EUEN_FPEN | CSR_EUEN_LSXEN);
  } else if (aux & KVM_LARCH_FPU) {
    kvm_save_fpu(s, v);
    s.aux[v] = aux & ~KVM_LARCH_FPU;
    if (s.h.trace.on) s.h.trace.tracepoint(v, KVM_AUX, 'save FPU');
    clear_csr_euen(s, v, CSR_EUEN_FPEN);
  }
  kvm_lose_lbt(s, v);
}

/**
 * kvm_handle_exit, its trace_kvm_exit(vcpu, ecode) (after local_irq_enable, before
 * kvm_handle_fault): "[%s]PC: 0x%08lx" (later "vcpu %u [%s] PC: …") with
 * kvm_trace_symbol_exit_types, which names only IDLE (64), CACHE (65) (later CPUCFG, CSR), so an
 * FP/SIMD/LBT-disabled Ecode prints as __print_symbolic's hex fallback: FPD 15 "0xf", LSXD 16
 * "0x10", LASXD 17 "0x11", BTD 20 "0x14". The rest of kvm_handle_exit is core's exit path.
 */
export function kvm_handle_exit(s: LoongState, v: number, ecode: number): void {
  if (!s.h.trace.on) return;
  s.h.trace.tracepoint(v, 'kvm_exit', exitType(ecode));
}

function exitType(ecode: number): string {
  if (ecode === EXCCODE_FPDIS) return '0xf';
  if (ecode === EXCCODE_LSXDIS) return '0x10';
  if (ecode === EXCCODE_LASXDIS) return '0x11';
  return '0x14'; // EXCCODE_BTDIS
}

/** kvm_late_check_requests (2026): KVM_REQ_AUX_LOAD → own by aux_ldtype, with IRQs off. */
export function kvm_late_check_requests(s: LoongState, v: number): void {
  const type = s.auxLdtype[v] as number;
  if (type === 0) return;
  if (s.h.trace.on) s.h.trace.fn(0, 'kvm_late_check_requests', '(KVM_REQ_AUX_LOAD)');
  if (type === KVM_LARCH_FPU) kvm_own_fpu(s, v);
  else if (type === KVM_LARCH_LSX) kvm_own_lsx(s, v);
  else if (type === KVM_LARCH_LASX) kvm_own_lasx(s, v);
  else if (type === KVM_LARCH_LBT) kvm_own_lbt(s, v);
  s.auxLdtype[v] = 0;
}

/** kvm_arch_vcpu_load → _kvm_vcpu_load: GCSRs and timer only; no FP/SIMD is loaded. */
export function kvm_arch_vcpu_load(s: LoongState, v: number, cpu: number): void {
  s.cpuOf[v] = cpu;
}

/** kvm_arch_vcpu_put → _kvm_vcpu_put: kvm_lose_fpu first, then the GCSRs (incl. guest EUEN). */
export function kvm_arch_vcpu_put(s: LoongState, v: number): void {
  kvm_lose_fpu(s, v);
  s.cpuOf[v] = NOWHERE;
}

/**
 * kvm_arch_vcpu_ioctl_get_fpu, one register: `memcpy(&fpu->fpr[i], &vcpu->arch.fpu.fpr[i],
 * FPU_REG_WIDTH / 64)`: 4 bytes (quirks "fixed": the whole 32-byte fpureg, as the 2026 upstream
 * fix and selftests/kvm/loongarch/fpu_test.c have it). Reads only the software copy, which
 * vcpu_put has made current. Returns the bytes copied.
 */
export function kvm_arch_vcpu_ioctl_get_fpu(
  s: LoongState,
  v: number,
  reg: number,
  out: Uint8Array,
): number {
  const base = reg * SLOT;
  const area = s.fpu[v] as Uint8Array;
  for (let i = 0; i < s.uapiBytes; i++) out[base + i] = area[base + i] as number;
  return s.uapiBytes;
}

/**
 * kvm_arch_vcpu_ioctl_set_fpu, one register of `len` bytes (userspace got the struct first, so
 * the other bytes it passes back are unchanged): the kernel stores min(copy size, len) bytes.
 */
export function kvm_arch_vcpu_ioctl_set_fpu(
  s: LoongState,
  v: number,
  reg: number,
  src: Uint8Array,
  len: number,
): void {
  const base = reg * SLOT;
  const area = s.fpu[v] as Uint8Array;
  const n = Math.min(s.uapiBytes, len);
  for (let i = 0; i < n; i++) area[base + i] = src[base + i] as number;
  // what the kernel does not store reads back as it was: the truth keeps the old bytes
  for (let i = n; i < len; i++) src[base + i] = area[base + i] as number;
}

/**
 * kvm_get_one_reg, KVM_REG_LOONGARCH_LBT_SCR0–3 / _EFLAGS (register `reg` 0–4): -ENXIO without
 * kvm_guest_has_lbt (null: nothing returned), else the 8 bytes of vcpu->arch.lbt.
 */
export function kvm_get_one_reg_lbt(
  s: LoongState,
  v: number,
  reg: number,
  out: Uint8Array,
): Slice | null {
  if (!s.has.lbt) return null;
  const p = LBT_SLICES[reg] as Slice;
  const area = s.fpu[v] as Uint8Array;
  for (let i = p.offset; i < p.offset + p.length; i++) out[i] = area[i] as number;
  return p;
}

/** kvm_set_one_reg, the LBT registers: -ENXIO without LBT (false), else vcpu->arch.lbt. */
export function kvm_set_one_reg_lbt(
  s: LoongState,
  v: number,
  reg: number,
  src: Uint8Array,
): boolean {
  if (!s.has.lbt) return false;
  const p = LBT_SLICES[reg] as Slice;
  const area = s.fpu[v] as Uint8Array;
  for (let i = p.offset; i < p.offset + p.length; i++) area[i] = src[i] as number;
  return true;
}
