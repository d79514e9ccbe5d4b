/**
 * Host threads' FP state: lazy load, eager store. As arch/mips/include/asm/fpu.h
 * (lose_fpu_inatomic, own_fpu_inatomic), asm/switch_to.h (switch_to) and
 * arch/mips/kernel/traps.c (do_cpu → enable_restore_fp_context, do_msa).
 * Host tasks are 64-bit with FR=1.
 */
import { copyRegs } from './fpu.js';
import { MIPS_CONF5_MSAEN, ST0_CU1, ST0_FR } from './regs.js';
import { type HostThread, type MipsVz, NUM_FPU_REGS } from './state.js';

/** fcr31 (and msacsr) travel with the registers: 4 bytes each. */
const CSR_BYTES = 4;

/** fpu.h lose_fpu_inatomic(save=1, tsk): save the task's live state and disable the unit(s). */
export function lose_fpu_inatomic(m: MipsVz, cpu: number, ctx: number, depth: number): void {
  const th = m.threads[ctx] as HostThread;
  const c = m.cpus[cpu];
  if (c === undefined) return;
  const hw = m.host.registerFile[cpu] as Uint8Array;
  const t = m.trace;
  if (c.config5 & MIPS_CONF5_MSAEN) {
    // is_msa_enabled(): save the vector context (and FCSR), disable MSA
    if (t.on) t.fn(depth, 'lose_fpu_inatomic', `(${m.host.contextName(ctx)}: MSA enabled)`);
    const bytes = copyRegs(th.fpu, hw, m.o.slot, 0, 1, 0, m.o.slot);
    m.host.call(
      m.counters._save_msa,
      ctx,
      bytes + 2 * CSR_BYTES,
      m.ids.FPU_BIT | m.ids.VECTOR_BITS,
      depth + 1,
    );
    m.changeConfig5(cpu, MIPS_CONF5_MSAEN, 0, depth + 1);
    th.usedMsa = false;
    m.changeStatus(cpu, ST0_CU1, 0, depth + 1);
  } else if (th.usedFpu) {
    // is_fpu_owner(): _save_fp, disable CU1
    if (t.on) t.fn(depth, 'lose_fpu_inatomic', `(${m.host.contextName(ctx)}: FPU owner)`);
    const bytes = copyRegs(th.fpu, hw, m.o.slot, 0, 1, 0, 8);
    m.host.call(m.counters._save_fp, ctx, bytes + CSR_BYTES, m.ids.FPU_BIT, depth + 1);
    m.changeStatus(cpu, ST0_CU1, 0, depth + 1);
  } else if (c.status & ST0_CU1) {
    m.host.warn('lose_fpu_inatomic: orphaned FPU left enabled (WARN_ON)');
  }
  th.usedFpu = false;
}

/** fpu.h _restore_fp: the task's 32 doubles and FCSR from thread.fpu. */
function _restore_fp(m: MipsVz, cpu: number, ctx: number, depth: number): void {
  const th = m.threads[ctx] as HostThread;
  const bytes = copyRegs(m.host.registerFile[cpu] as Uint8Array, th.fpu, m.o.slot, 0, 1, 0, 8);
  m.host.call(m.counters._restore_fp, ctx, bytes + CSR_BYTES, m.ids.FPU_BIT, depth);
  m.host.loaded(cpu, ctx, m.ids.FPU_BIT);
}

/** fpu.h __own_fpu + own_fpu_inatomic(restore): enable CU1 with FR=1 and restore when not already owner. */
function own_fpu_inatomic(
  m: MipsVz,
  cpu: number,
  ctx: number,
  restore: boolean,
  depth: number,
): void {
  const th = m.threads[ctx] as HostThread;
  const t = m.trace;
  if (t.on) t.fn(depth, 'own_fpu_inatomic', `(restore=${restore ? 1 : 0})`);
  if (th.usedFpu) return; // __is_fpu_owner()
  m.changeStatus(cpu, ST0_CU1 | ST0_FR, ST0_CU1 | ST0_FR, depth + 1);
  th.usedFpu = true;
  if (restore) _restore_fp(m, cpu, ctx, depth + 1);
}

/** init_msa_upper: fill the upper 64 bits of every vector so the task sees nothing of another. */
function init_msa_upper(m: MipsVz, cpu: number, ctx: number, depth: number): void {
  const hw = m.host.registerFile[cpu] as Uint8Array;
  const slot = m.o.slot;
  for (let r = 0; r < NUM_FPU_REGS; r++) hw.fill(0xff, r * slot + 8, r * slot + slot);
  m.host.call(m.counters.init_msa_upper, ctx, NUM_FPU_REGS * (slot - 8), m.ids.VECTOR_BITS, depth);
  m.host.loaded(cpu, ctx, m.ids.VECTOR_BITS);
}

/** traps.c enable_restore_fp_context(msa): the host CpU / MSA Disabled exception handler. */
function enable_restore_fp_context(
  m: MipsVz,
  cpu: number,
  ctx: number,
  msa: boolean,
  depth: number,
): void {
  const th = m.threads[ctx] as HostThread;
  const t = m.trace;
  if (t.on) t.fn(depth, 'enable_restore_fp_context', `(msa=${msa ? 1 : 0})`);
  const d = depth + 1;
  if (!th.usedMath) {
    // init_fp_ctx: first use; the context starts with all-ones registers
    th.usedMath = true;
    th.fpu.fill(0xff, 0, NUM_FPU_REGS * m.o.slot);
    m.host.call(m.counters.init_fp_ctx, ctx, 0, 0, d);
    own_fpu_inatomic(m, cpu, ctx, true, d);
    if (msa) {
      m.changeConfig5(cpu, MIPS_CONF5_MSAEN, MIPS_CONF5_MSAEN, d);
      init_msa_upper(m, cpu, ctx, d);
      th.usedMsa = true;
      th.msaCtxLive = true;
    }
    return;
  }
  if (!msa && !th.msaCtxLive) {
    own_fpu_inatomic(m, cpu, ctx, true, d); // own_fpu(1)
    return;
  }
  const wasFpuOwner = th.usedFpu;
  own_fpu_inatomic(m, cpu, ctx, false, d);
  m.changeConfig5(cpu, MIPS_CONF5_MSAEN, MIPS_CONF5_MSAEN, d);
  th.usedMsa = true;
  const priorMsa = th.msaCtxLive;
  th.msaCtxLive = true;
  if (!priorMsa && wasFpuOwner) {
    init_msa_upper(m, cpu, ctx, d);
    return;
  }
  const hw = m.host.registerFile[cpu] as Uint8Array;
  if (!priorMsa) {
    _restore_fp(m, cpu, ctx, d);
    init_msa_upper(m, cpu, ctx, d);
  } else {
    const bytes = copyRegs(hw, th.fpu, m.o.slot, 0, 1, 0, m.o.slot);
    m.host.call(
      m.counters.restore_msa,
      ctx,
      bytes + CSR_BYTES,
      m.ids.FPU_BIT | m.ids.VECTOR_BITS,
      d,
    );
    m.host.loaded(cpu, ctx, m.ids.FPU_BIT | m.ids.VECTOR_BITS);
  }
}

/**
 * A host thread executes an FP (`msa` false) or MSA instruction on `cpu`. Returns true: the
 * instruction executes once the exception, if any, has been handled.
 */
export function hostAccess(m: MipsVz, cpu: number, ctx: number, msa: boolean): boolean {
  const c = m.cpus[cpu];
  const th = m.threads[ctx];
  if (c === undefined || th === undefined) return false;
  const t = m.trace;
  if (!msa) {
    if (c.status & ST0_CU1) return true;
    if (t.on) t.line(0, 'host exception: Coprocessor Unusable (ExcCode 11, CE=1) → do_cpu');
    m.host.count(m.counters.hostCpu);
    enable_restore_fp_context(m, cpu, ctx, false, 0);
  } else {
    if (c.config5 & MIPS_CONF5_MSAEN && c.status & ST0_CU1) return true;
    if (t.on) t.line(0, 'host exception: MSA Disabled (ExcCode 21) → do_msa');
    m.host.count(m.counters.hostMsaDis);
    enable_restore_fp_context(m, cpu, ctx, true, 0);
  }
  return true;
}
