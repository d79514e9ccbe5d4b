/**
 * The kernel's print formats (TP_printk) of the events the import reads, one parser per event,
 * filling a reused record. Each format is cited where it is defined; a body that matches none of
 * its event's forms is a malformed line (the caller reports FILE:LINE: EVENT: message).
 *
 * - include/trace/events/kvm.h: kvm_fpu `"%s"` of {0 "unload", 1 "load"}; kvm_userspace_exit
 *   `"reason %s (%d)"` (KVM_EXIT_* by ERSN, or "restart" for -EINTR, "error" for other errnos).
 * - arch/x86/kvm/trace.h: kvm_entry `"vcpu %u"` (v2.6.x–v4.x: no rip), `"vcpu %u, rip 0x%lx"`
 *   (v5.x), `"vcpu %u, rip 0x%lx%s"` with `[immediate exit]` (v6.9+), and the proposed
 *   `inj 0x%08x inj_error_code 0x%08x` / `[guest]` suffixes (tolerated); kvm_exit
 *   `"reason %s rip 0x%lx info %llx %llx"` (until v5.6; also what libtraceevent's kvm plugin
 *   prints in `trace-cmd report`, plugin_kvm.c kvm_exit_handler), `"vcpu %u reason %s rip 0x%lx
 *   info %llx %llx"` (v5.7–v5.11), and `"vcpu %u reason %s%s%s rip 0x%lx info1 0x%016llx info2
 *   0x%016llx intr_info 0x%08x error_code 0x%08x"` (v5.12+, TRACE_EVENT_KVM_EXIT).
 * - arch/x86/include/asm/trace/fpu.h: the x86_fpu class, `"x86/fpu: %p load: %d xfeatures: %llx
 *   xcomp_bv: %llx"` (older kernels print other flags before xfeatures: tolerated).
 * - arch/arm64/kvm/trace_arm.h: kvm_entry `"PC: 0x%016lx"` (0x%08lx before v5.x), kvm_exit
 *   `"%s: HSR_EC: 0x%04x (%s), PC: 0x%016lx"` (type of kvm_arm_exception_type, class of
 *   kvm_arm_exception_class), and the proposed `vcpu: %u` form (tolerated).
 * - arch/mips/kvm/trace.h: kvm_enter/kvm_reenter/kvm_out `"PC: 0x%08lx"` (kvm_transition),
 *   kvm_exit `"[%s]PC: 0x%08lx"` (kvm_trace_symbol_exit_types), kvm_aux `"%s %s PC: 0x%08lx"`
 *   (kvm_trace_symbol_aux_op × kvm_trace_symbol_aux_state: FPU, MSA, "FPU & MSA"; Loongson's
 *   3A4000 kernel also "FPU & MSA & LASX").
 * - arch/loongarch/kvm/trace.h: the same shapes, kvm_exit `"[%s]PC: 0x%08lx"` and the later
 *   `"vcpu %u [%s] PC: 0x%08lx"`, kvm_enter `"vcpu %u PC: 0x%08lx"`; the exit symbol is
 *   __print_symbolic of the ESTAT ecode with only IDLE/CACHE/CPUCFG/CSR named, so other ecodes
 *   print as `0x%lx` (trace_print_symbols_seq's fallback): FPD 0xf, LSXD 0x10, LASXD 0x11,
 *   BTD 0x14. aux states FPU, LSX, LASX (Loongson's downstream kernel also "FPU & LSX",
 *   "FPU & LSX & LASX").
 * - include/trace/events/sched.h: sched_switch `"prev_comm=%s prev_pid=%d prev_prio=%d
 *   prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d"` (vendor kernels add fields:
 *   tolerated), and trace-cmd's sched plugin form `"%s:%d [%d] %s ==> %s:%d [%d]"`.
 */

export const Kind = {
  entry: 1,
  exit: 2,
  fpu: 3,
  aux: 4,
  userspaceExit: 5,
  out: 6,
  schedSwitch: 7,
  x86fpu: 8,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** What kind of line an exit body showed (architecture evidence). */
export const ExitForm = { x86: 1, arm64: 2, bracket: 3 } as const;
export type ExitForm = (typeof ExitForm)[keyof typeof ExitForm];

export interface TraceEvent {
  kind: Kind;
  /** The `vcpu %u` field where the event has one, else -1. */
  vcpu: number;
  /** exit: the kernel's name of the reason; aux: "op state"; fpu: load|unload; userspace: reason. */
  label: string;
  exitForm: ExitForm | 0;
  /** x86 exit: the VM-exit interruption information (vector in bits 0–7), -1 if not printed. */
  intrInfo: number;
  auxOp: string;
  auxState: string;
  /** kvm_userspace_exit: the number in parentheses (exit reason, or errno). */
  code: number;
  prevPid: number;
  prevComm: string;
  nextPid: number;
  nextComm: string;
  xfeatures: number;
  /** Entry forms that name the arch: 'arm64' (`PC:` kvm_entry), 'x86' (`vcpu %u` kvm_entry). */
  entryForm: 'x86' | 'arm64' | '';
  /** MIPS / LoongArch kvm_exit: the guest PC printed (`PC: 0x…`), else ''. */
  pc: string;
}

export function newEvent(): TraceEvent {
  return {
    kind: Kind.entry,
    vcpu: -1,
    label: '',
    exitForm: 0,
    intrInfo: -1,
    auxOp: '',
    auxState: '',
    code: 0,
    prevPid: 0,
    prevComm: '',
    nextPid: 0,
    nextComm: '',
    xfeatures: 0,
    entryForm: '',
    pc: '',
  };
}

const HEX = '[0-9a-fA-F]+';
const X86_ENTRY = new RegExp(
  `^vcpu (\\d+)(?:, rip 0x${HEX}(?: inj 0x${HEX} inj_error_code 0x${HEX})?(?:\\[immediate exit\\])?(?:\\[guest\\])?)?$`,
);
const PC_ONLY = new RegExp(`^(?:vcpu (\\d+) )?PC: 0x${HEX}$`);
const X86_EXIT_NEW = new RegExp(
  `^vcpu (\\d+) reason (.+?) rip 0x${HEX} info1 0x${HEX} info2 0x${HEX} intr_info 0x(${HEX}) error_code 0x${HEX}$`,
);
const X86_EXIT_INFO = new RegExp(
  `^(?:vcpu (\\d+) )?reason (.+?) rip 0x${HEX}(?: info (${HEX}) (${HEX}))?$`,
);
const ARM64_EXIT = new RegExp(
  `^(\\S+): (?:vcpu: (\\d+) )?HSR_EC: 0x(${HEX}) \\(([^)]*)\\), PC: 0x${HEX}$`,
);
const BRACKET_EXIT = new RegExp(`^(?:vcpu (\\d+) )?\\[([^\\]]*)\\] ?PC: 0x(${HEX})$`);
const AUX = new RegExp(
  `^(?:vcpu (\\d+) )?(restore|save|enable|disable|discard) (FPU & MSA & LASX|MSA & LASX|FPU & MSA|FPU & LSX & LASX|FPU & LSX|FPU|MSA|LSX|LASX|0x${HEX}) PC: 0x${HEX}$`,
);
const USERSPACE_EXIT = /^reason (\S+) \((-?\d+)\)$/;
const SCHED_KERNEL =
  /^prev_comm=(.*) prev_pid=(-?\d+) .*?==> next_comm=(.*) next_pid=(-?\d+)(?: |$)/;
const SCHED_PLUGIN = /^(.*):(-?\d+) \[(-?\d+)\] (\S+) ==> (.*):(-?\d+) \[(-?\d+)\]/;
const X86_FPU = new RegExp(`^x86/fpu: \\S+ .*?xfeatures: (${HEX}) xcomp_bv: ${HEX}$`);

/** The events this import reads; anything else is skipped and counted. */
export function isKnown(event: string): boolean {
  switch (event) {
    case 'kvm_entry':
    case 'kvm_enter':
    case 'kvm_reenter':
    case 'kvm_exit':
    case 'kvm_out':
    case 'kvm_fpu':
    case 'kvm_aux':
    case 'kvm_userspace_exit':
    case 'sched_switch':
      return true;
    default:
      return event.startsWith('x86_fpu_');
  }
}

const num = (s: string | undefined): number => (s === undefined ? -1 : Number(s));

/**
 * Parses the body of a known event into `e`; returns undefined, or the message for a body that
 * matches none of the event's print formats.
 */
export function parseBody(event: string, body: string, e: TraceEvent): string | undefined {
  e.vcpu = -1;
  e.exitForm = 0;
  e.intrInfo = -1;
  e.entryForm = '';
  e.pc = '';
  switch (event) {
    case 'kvm_entry': {
      e.kind = Kind.entry;
      const m = X86_ENTRY.exec(body);
      if (m !== null) {
        e.vcpu = Number(m[1]);
        e.entryForm = 'x86';
        return undefined;
      }
      const p = PC_ONLY.exec(body);
      if (p === null) return 'expected "vcpu N[, rip 0x…]" (x86) or "PC: 0x…" (arm64)';
      e.vcpu = num(p[1]);
      e.entryForm = 'arm64';
      return undefined;
    }
    case 'kvm_enter':
    case 'kvm_reenter':
    case 'kvm_out': {
      e.kind = event === 'kvm_out' ? Kind.out : Kind.entry;
      const p = PC_ONLY.exec(body);
      if (p === null) return 'expected "[vcpu N ]PC: 0x…"';
      e.vcpu = num(p[1]);
      return undefined;
    }
    case 'kvm_exit':
      e.kind = Kind.exit;
      return parseExit(body, e);
    case 'kvm_fpu':
      e.kind = Kind.fpu;
      if (body !== 'load' && body !== 'unload') return 'expected "load" or "unload"';
      e.label = body;
      return undefined;
    case 'kvm_aux': {
      e.kind = Kind.aux;
      const m = AUX.exec(body);
      if (m === null)
        return 'expected "OP STATE PC: 0x…" (OP restore|save|enable|disable|discard, STATE FPU|MSA|LSX|LASX|FPU & MSA|…)';
      e.vcpu = num(m[1]);
      e.auxOp = m[2] as string;
      e.auxState = m[3] as string;
      e.label = `${e.auxOp} ${e.auxState}`;
      return undefined;
    }
    case 'kvm_userspace_exit': {
      e.kind = Kind.userspaceExit;
      const m = USERSPACE_EXIT.exec(body);
      if (m === null) return 'expected "reason NAME (N)"';
      e.label = m[1] as string;
      e.code = Number(m[2]);
      return undefined;
    }
    case 'sched_switch':
      e.kind = Kind.schedSwitch;
      return parseSched(body, e);
    default: {
      e.kind = Kind.x86fpu;
      const m = X86_FPU.exec(body);
      if (m === null) return 'expected "x86/fpu: PTR … xfeatures: HEX xcomp_bv: HEX"';
      e.xfeatures = Number.parseInt((m[1] as string).slice(-8), 16);
      return undefined;
    }
  }
}

/** The end of the `[0-9a-fA-F]+` run at s[i], or -1 if there is none. */
function hexEnd(s: string, i: number): number {
  const from = i;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102))) break;
  }
  return i > from ? i : -1;
}

/** After `lit` at s[i] (i ≥ 0), the end of the hex number that follows it, or -1. */
function litHex(s: string, i: number, lit: string): number {
  return i >= 0 && s.startsWith(lit, i) ? hexEnd(s, i + lit.length) : -1;
}

/** What {@link x86ExitScan} read: the vCPU, the reason's raw range in the body, intr_info. */
export interface X86Exit {
  vcpu: number;
  reasonStart: number;
  reasonEnd: number;
  intrInfo: number;
}

export function newX86Exit(): X86Exit {
  return { vcpu: 0, reasonStart: 0, reasonEnd: 0, intrInfo: 0 };
}

/**
 * X86_EXIT_NEW without a RegExp (a recording is mostly kvm_exit and kvm_entry lines): true if it
 * matched, with `x` filled (the label is body[reasonStart, reasonEnd) trimmed, as the RegExp's
 * group is). The reason is the text up to the first ` rip 0x`; where the RegExp's lazy group
 * would have to look further, this says no and the RegExp decides.
 */
export function x86ExitScan(body: string, x: X86Exit): boolean {
  if (!body.startsWith('vcpu ')) return false;
  let i = 5;
  let vcpu = 0;
  for (; i < body.length && i < 15; i++) {
    const d = body.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    vcpu = vcpu * 10 + d;
  }
  if (i === 5 || !body.startsWith(' reason ', i)) return false;
  const r = i + 8;
  const rip = body.indexOf(' rip 0x', r + 1);
  if (rip < 0) return false;
  i = litHex(body, rip, ' rip 0x');
  i = litHex(body, i, ' info1 0x');
  i = litHex(body, i, ' info2 0x');
  const intr = i + ' intr_info 0x'.length;
  i = litHex(body, i, ' intr_info 0x');
  const intrEnd = i;
  i = litHex(body, i, ' error_code 0x');
  if (i !== body.length) return false;
  x.vcpu = vcpu;
  x.reasonStart = r;
  x.reasonEnd = rip;
  x.intrInfo = Number.parseInt(body.slice(intr, intrEnd), 16);
  return true;
}

/** `e` as parseBody fills it for an x86 kvm_exit that {@link x86ExitScan} read. */
export function setX86Exit(e: TraceEvent, vcpu: number, label: string, intrInfo: number): void {
  e.kind = Kind.exit;
  e.vcpu = vcpu;
  e.label = label;
  e.intrInfo = intrInfo;
  e.exitForm = ExitForm.x86;
  e.entryForm = '';
  e.pc = '';
}

const scanned = newX86Exit();

function x86ExitNew(body: string, e: TraceEvent): boolean {
  if (!x86ExitScan(body, scanned)) return false;
  const x = scanned;
  setX86Exit(e, x.vcpu, body.slice(x.reasonStart, x.reasonEnd).trim(), x.intrInfo);
  return true;
}

function parseExit(body: string, e: TraceEvent): string | undefined {
  if (x86ExitNew(body, e)) return undefined;
  const n = X86_EXIT_NEW.exec(body);
  if (n !== null) {
    e.vcpu = Number(n[1]);
    e.label = (n[2] as string).trim();
    e.intrInfo = Number.parseInt(n[3] as string, 16);
    e.exitForm = ExitForm.x86;
    return undefined;
  }
  const o = X86_EXIT_INFO.exec(body);
  if (o !== null) {
    e.vcpu = num(o[1]);
    e.label = (o[2] as string).trim();
    // before v5.12 vmx_get_exit_info put VM_EXIT_INTR_INFO in info2
    e.intrInfo = o[4] === undefined ? -1 : Number.parseInt((o[4] as string).slice(-8), 16);
    e.exitForm = ExitForm.x86;
    return undefined;
  }
  const a = ARM64_EXIT.exec(body);
  if (a !== null) {
    e.vcpu = num(a[2]);
    // a trap is named by its exception class (DABT_LOW, WFx, HVC64, …), anything else by its type
    e.label = a[1] === 'TRAP' ? (a[4] as string) : (a[1] as string);
    e.exitForm = ExitForm.arm64;
    return undefined;
  }
  const b = BRACKET_EXIT.exec(body);
  if (b !== null) {
    e.vcpu = num(b[1]);
    e.label = b[2] as string;
    e.pc = b[3] as string;
    e.exitForm = ExitForm.bracket;
    return undefined;
  }
  return 'expected one of the kernel\'s kvm_exit forms: "[vcpu N ]reason NAME rip 0x… …" (x86), "TYPE: HSR_EC: 0x… (CLASS), PC: 0x…" (arm64), "[NAME]PC: 0x…" (MIPS, LoongArch)';
}

function parseSched(body: string, e: TraceEvent): string | undefined {
  const k = SCHED_KERNEL.exec(body);
  if (k !== null) {
    e.prevComm = k[1] as string;
    e.prevPid = Number(k[2]);
    e.nextComm = k[3] as string;
    e.nextPid = Number(k[4]);
    return undefined;
  }
  const p = SCHED_PLUGIN.exec(body);
  if (p !== null) {
    e.prevComm = p[1] as string;
    e.prevPid = Number(p[2]);
    e.nextComm = p[5] as string;
    e.nextPid = Number(p[6]);
    return undefined;
  }
  return 'expected "prev_comm=… prev_pid=N … ==> next_comm=… next_pid=N …" or "COMM:PID [PRIO] STATE ==> COMM:PID [PRIO]"';
}
