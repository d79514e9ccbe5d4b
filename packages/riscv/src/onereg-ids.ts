/**
 * ONE_REG ids as workloads write them (glue), resolved once at parse time to a handle:
 * `kind << 8 | reg_num`, reg_num as the kernel derives it from the id (arch/riscv/include/uapi/
 * asm/kvm.h): FP_F f[n] = n, fcsr = 32 (offsetof / sizeof(u32)); FP_D f[n] = n, fcsr = 32;
 * VECTOR CSRs vstart 0, vl 1, vtype 2, vcsr 3, vlenb 4 (offsetof / sizeof(unsigned long)), and
 * v[n] = 6 + n (KVM_REG_RISCV_VECTOR_REG: after the six words of struct __riscv_v_ext_state).
 */
import { writeU32 } from '@vfpu/core/backend-utils';

export const KIND_FP_F = 1;
export const KIND_FP_D = 2;
export const KIND_VECTOR = 3;
export const FCSR_NUM = 32;
export const VECTOR_CSRS = ['vstart', 'vl', 'vtype', 'vcsr', 'vlenb'] as const;
export const VLENB_NUM = 4;
export const VREG0_NUM = 6;
export { VLENB } from './layout.js';

const ID =
  /^(FP_F|FP_D|VECTOR)\((?:f\[(\d{1,2})\]|v(\d{1,2})|(fcsr|vstart|vl|vtype|vcsr|vlenb))\)$/;

/** A handle, or why the id is not one (a malformed id is an input error). */
export function resolveId(id: string): number | string {
  const m = ID.exec(id);
  if (m === null)
    return `expected FP_F(f[n]), FP_F(fcsr), FP_D(f[n]), FP_D(fcsr), VECTOR(v<n>) or VECTOR(vstart|vl|vtype|vcsr|vlenb), n 0…31 without leading zeros, got ${JSON.stringify(id)}`;
  const [, type, f, vreg, csr] = m;
  const n = f ?? vreg;
  if (n !== undefined && (Number(n) > 31 || (n.length > 1 && n.startsWith('0'))))
    return `register number ${n} is not 0…31 (without leading zeros)`;
  if (type === 'VECTOR') {
    if (f !== undefined || csr === 'fcsr') return 'VECTOR takes v<n> or a vector CSR';
    if (vreg !== undefined) return (KIND_VECTOR << 8) | (VREG0_NUM + Number(vreg));
    return (KIND_VECTOR << 8) | VECTOR_CSRS.indexOf(csr as (typeof VECTOR_CSRS)[number]);
  }
  if (vreg !== undefined || (csr !== undefined && csr !== 'fcsr'))
    return `${type} takes f[n] or fcsr`;
  const kind = type === 'FP_F' ? KIND_FP_F : KIND_FP_D;
  return (kind << 8) | (f === undefined ? FCSR_NUM : Number(f));
}

export function idName(handle: number): string {
  const kind = handle >>> 8;
  const num = handle & 0xff;
  if (kind === KIND_VECTOR)
    return num >= VREG0_NUM
      ? `KVM_REG_RISCV_VECTOR_REG(${num - VREG0_NUM})`
      : `KVM_REG_RISCV_VECTOR_CSR_REG(${VECTOR_CSRS[num]})`;
  const t = kind === KIND_FP_F ? 'FP_F' : 'FP_D';
  return `KVM_REG_RISCV_${t}_REG(${num === FCSR_NUM ? 'fcsr' : `f[${num}]`})`;
}

/** An unsigned long (RV64) field of a save area. */
export function writeVlenb(b: Uint8Array, off: number, value: number): void {
  writeU32(b, off, value);
  writeU32(b, off + 4, 0);
}
