/**
 * What a trace says about its architecture, which exits are FP/SIMD traps, and which workload
 * reason an in-kernel exit gets. The kernel names come from the trace headers cited in
 * bodies.ts; the backend ids are vfpu's.
 */
import { ExitForm, type TraceEvent } from './bodies.js';

/** Evidence for each backend id, counted while scanning. */
export class ArchEvidence {
  readonly seen = new Map<string, string>();

  note(arch: string, why: string | (() => string)): void {
    if (!this.seen.has(arch)) this.seen.set(arch, typeof why === 'string' ? why : why());
  }

  /** Events of a kind whose evidence is already noted are not looked at again. */
  private readonly done = new Set<string>();

  /** From one parsed event. */
  event(event: string, e: TraceEvent): void {
    // one form, one architecture: the first line of a form says it all
    const form =
      event === 'kvm_entry'
        ? e.entryForm === 'x86'
          ? 'entry x86'
          : 'entry arm64'
        : event === 'kvm_exit'
          ? e.exitForm === ExitForm.x86
            ? 'exit x86'
            : e.exitForm === ExitForm.arm64
              ? 'exit arm64'
              : undefined
          : event === 'kvm_fpu' || event.startsWith('x86_fpu_')
            ? 'x86 fpu'
            : undefined;
    if (form !== undefined) {
      if (this.done.has(form)) return;
      this.done.add(form);
    }
    if (event === 'kvm_fpu') this.note('x86-xfd', 'kvm_fpu (x86 only: kvm_load_guest_fpu)');
    else if (event.startsWith('x86_fpu_')) this.note('x86-xfd', event);
    else if (event === 'kvm_entry' && e.entryForm === 'x86')
      this.note('x86-xfd', 'kvm_entry "vcpu N"');
    else if (event === 'kvm_entry' && e.entryForm === 'arm64')
      this.note('arm-vfp', 'kvm_entry "PC: 0x…"');
    else if (event === 'kvm_exit') {
      if (e.exitForm === ExitForm.x86) this.note('x86-xfd', () => `kvm_exit reason ${e.label}`);
      else if (e.exitForm === ExitForm.arm64) this.note('arm-vfp', 'kvm_exit HSR_EC');
      else if (MIPS_EXIT_NAMES.has(e.label)) this.note('mips-vz', () => `kvm_exit [${e.label}]`);
      else if (LOONGARCH_EXIT_NAMES.has(e.label) || /^0x[0-9a-f]+$/.test(e.label))
        this.note('loongarch', () => `kvm_exit [${e.label}]`);
    } else if (event === 'kvm_aux') {
      if (e.auxState.includes('MSA')) this.note('mips-vz', () => `kvm_aux ${e.label}`);
      else if (e.auxState.includes('LSX') || e.auxState.includes('LASX'))
        this.note('loongarch', () => `kvm_aux ${e.label}`);
    }
  }

  /** The one architecture the evidence names, or a sentence saying why there is none. */
  decide(): { arch: string } | { problem: string } {
    const archs = [...this.seen.keys()];
    if (archs.length === 1) return { arch: archs[0] as string };
    if (archs.length === 0)
      return {
        problem:
          'the trace does not show its architecture (no kvm_exit, kvm_aux or kvm_fpu event tells it)',
      };
    // Loongson's MIPS kernels (3A4000) name LASX in kvm_aux beside MIPS exit names
    if (archs.length === 2 && this.seen.has('mips-vz') && this.seen.has('loongarch')) {
      const why = this.seen.get('loongarch') as string;
      if (why.startsWith('kvm_aux')) return { arch: 'mips-vz' };
    }
    const list = archs.map((a) => `${a} (${this.seen.get(a)})`).join(', ');
    return { problem: `the trace shows events of more than one architecture: ${list}` };
  }
}

/** arch/mips/kvm/trace.h kvm_trace_symbol_exit_types (v4.8+). */
const MIPS_EXIT_NAMES = new Set([
  'Interrupt',
  'TLB Mod',
  'TLB Miss (LD)',
  'TLB Miss (ST)',
  'Address Error (LD)',
  'Address Err (ST)',
  'System Call',
  'Break Inst',
  'Reserved Inst',
  'COP0/1 Unusable',
  'Trap Inst',
  'MSA FPE',
  'FPE',
  'MSA Disabled',
  'Guest Exit',
  'WAIT',
  'Signal',
  'GPSI',
  'GSFC',
  'HC',
  'GRR',
  'GVA',
  'GHFC',
  'GPA',
]);

/** arch/loongarch/kvm/trace.h: the named exit types; Loongson's downstream names the FP ones. */
const LOONGARCH_EXIT_NAMES = new Set([
  'IDLE',
  'CPUCFG',
  'CSR',
  'FPU disable',
  'LSX disable',
  'LASX disable',
]);

/**
 * Is this exit an FP/SIMD-disabled trap (the guest's first FP instruction of a kind)?
 * MIPS: "COP0/1 Unusable" (an FPU use when a kvm_aux load follows) and "MSA Disabled";
 * LoongArch: ecodes FPD 0xf, LSXD 0x10, LASXD 0x11, BTD 0x14 (mainline prints them in hex) or
 * the downstream names; x86: #NM, i.e. EXCEPTION_NMI with interruption vector 7 (VMX), or SVM's
 * "NM excp". arm64: none (kvm_hyp_handle_fpsimd answers the trap in the hyp fast path).
 */
export function isFpTrap(e: TraceEvent): boolean {
  if (e.exitForm === ExitForm.x86)
    return (
      (e.label === 'EXCEPTION_NMI' && e.intrInfo >= 0 && (e.intrInfo & 0xff) === 7) ||
      e.label === 'NM excp'
    );
  if (e.exitForm !== ExitForm.bracket) return false;
  return FP_TRAP_NAMES.has(e.label);
}

const FP_TRAP_NAMES = new Set([
  'COP0/1 Unusable',
  'MSA Disabled',
  '0xf',
  '0x10',
  '0x11',
  '0x14',
  'FPU disable',
  'LSX disable',
  'LASX disable',
]);

/** The canonical detail of an FP kvm_exit (BRIEF-14-COMMON: x86 "EXCEPTION_NMI vector 7"). */
export function fpExitDetail(e: TraceEvent): string {
  if (e.exitForm === ExitForm.x86 && e.label === 'EXCEPTION_NMI') return 'EXCEPTION_NMI vector 7';
  return e.label;
}

/** The unit a kvm_aux restore/enable loaded (its state names the widest part). */
export function auxUnit(state: string): string | undefined {
  switch (state) {
    case 'FPU':
      return 'fpu';
    case 'MSA':
    case 'FPU & MSA':
      return 'msa';
    case 'LSX':
    case 'FPU & LSX':
      return 'lsx';
    case 'LASX':
    case 'FPU & LSX & LASX':
    case 'MSA & LASX':
    case 'FPU & MSA & LASX':
      return 'lasx';
    default:
      return undefined;
  }
}

/** The unit an x86 #NM stands for: AMX under XFD (6.16: #NM is intercepted only for XFD), else x87 (4.8 CR0.TS: every unit traps alike). */
export function x86TrapUnit(variant: string): string {
  return variant === 'kvm-lazy-cr0ts' ? 'x87' : 'amx-tile';
}

/** The workload reason of an exit handled in the kernel, by the kernel's name of it. */
export function inKernelReason(label: string): string {
  switch (label) {
    case 'EXTERNAL_INTERRUPT':
    case 'intr':
    case 'Interrupt':
    case 'IRQ':
    case '0x0':
      return 'irq';
    case 'HLT':
    case 'hlt':
    case 'WAIT':
    case 'WFx':
    case 'IDLE':
      return 'hlt';
    case 'VMCALL':
    case 'vmmcall':
    case 'HVC64':
    case 'HVC32':
    case 'HC':
      return 'hypercall';
    default:
      return 'other';
  }
}

/** The workload reason of an exit after which KVM_RUN returned to userspace. */
export function userspaceReason(uexit: string, ioReason: string): string {
  // KVM_EXIT_INTR, or -EINTR printed as "restart": a signal ended KVM_RUN
  if (uexit === 'KVM_EXIT_INTR' || uexit === 'restart') return 'signal';
  if (uexit === 'KVM_EXIT_IO') return ioReason;
  return 'mmio';
}

/** The widest unit an x86 guest's FP state in `xfeatures` (XSTATE_BV) holds, for a variant's units. */
export function xfeaturesUnit(xfeatures: number, units: readonly string[]): string {
  const has = (u: string) => units.includes(u);
  if (xfeatures & (1 << 18) && has('amx-tile')) return 'amx-tile';
  if (xfeatures & 0xe0 && has('avx512')) return 'avx512';
  if (xfeatures & 0x04 && has('avx')) return 'avx';
  if (xfeatures & 0x02 && has('sse')) return 'sse';
  return units[0] as string;
}

const LABELS = new Map<string, string>();

/** A label the workload format accepts (^[A-Za-z0-9_][A-Za-z0-9_ ./&()#:+-]{0,63}$). */
export function workloadLabel(label: string): string {
  const known = LABELS.get(label);
  if (known !== undefined) return known;
  const l = toLabel(label);
  if (LABELS.size < 4096) LABELS.set(label, l);
  return l;
}

function toLabel(label: string): string {
  let l = label.replace(/[^A-Za-z0-9_ ./&()#:+-]/g, '_').slice(0, 64);
  if (!/^[A-Za-z0-9_]/.test(l)) l = `_${l.slice(0, 63)}`;
  return l;
}
