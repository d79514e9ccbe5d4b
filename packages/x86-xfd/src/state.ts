/**
 * The x86 machine state, one struct per kernel object: `struct fpstate` (an XSAVE buffer), `struct
 * fpu_guest`, the vCPU (`struct kvm_vcpu` / `vcpu_vmx`), the per-CPU FPU state (fpregs_owner_ctx,
 * xfd_state, and the hardware's XINUSE / XMODIFIED / XRSTOR_INFO) and the host task (`struct fpu`
 * with TIF_NEED_FPU_LOAD). All allocated once per run; {@link X86} holds them with the host, the
 * options and the counter ids, and is what every kernel routine takes.
 */
import type { CounterId, MachineHost, MachineIds } from '@vfpu/core';
import type { ExitRow } from '@vfpu/core/backend-utils';
import { x86ExitTable } from './exits.js';
import { initComponents, restoreInstruction } from './hw/xsave.js';
import { hex, IMAGE_BYTES, KVM_XSAVE_BYTES, MASK, USER_DYNAMIC } from './layout.js';
import { RegisterIds, SyscallIds, UnitIds } from './machine-ids.js';
import { kvmSupportedXcr0, type X86Options } from './options.js';

export const NONE = -1;

// the #NM a guest instruction raised, latched by guestAccess for handleTrap (X86Vcpu.trap)
export const TRAP_LAZY_TS = 1; // KVM's own CR0.TS while the guest fpstate is not loaded
export const TRAP_LAZY_XFD = 2; // KVM's own XFD[18] for AMX while not loaded (not a kernel path)
export const TRAP_GUEST_TS = 3; // the guest's CR0.TS #NM, intercepted because of XFD
export const TRAP_XFD = 4; // the guest's XFD #NM

/** struct fpstate: one XSAVE buffer (a task's own, or a vCPU's guest fpstate). */
export class Fpstate {
  /** The context whose state the buffer holds (core's context index). */
  readonly ctx: number;
  /** fpstate->regs */
  readonly regs = new Uint8Array(IMAGE_BYTES + 64);
  /** XSTATE_BV of the buffer's header. */
  xstateBv = 0;
  /** fpstate->xfeatures: what the buffer is sized for (the save RFBM). */
  xfeatures: number;
  /** fpstate->xfd. */
  xfd: number;
  /** fpu->last_cpu while this fpstate is the fpu's (the key fpregs_state_valid compares). */
  lastCpu = NONE;
  /** fpstate->in_use: a guest fpstate swapped into the VMM thread's fpu for KVM_RUN. */
  inUse = false;
  constructor(ctx: number, xfeatures: number, xfd: number) {
    initComponents(this.regs, MASK.FP | MASK.SSE); // fpstate_init_fxstate: cwd 0x37f, mxcsr 0x1f80
    this.ctx = ctx;
    this.xfeatures = xfeatures;
    this.xfd = xfd;
  }
}

/** struct fpu_guest (vcpu->arch.guest_fpu). */
export class FpuGuest {
  readonly fpstate: Fpstate;
  /** guest_fpu->xfd_err */
  xfdErr = 0;
  /** guest_fpu->uabi_size */
  uabiSize = KVM_XSAVE_BYTES;
  constructor(fpstate: Fpstate) {
    this.fpstate = fpstate;
  }
}

/** A host task's `struct fpu` and the flags the FPU code reads. */
export class HostTask {
  readonly ctx: number;
  /** fpu->fpstate: the task's own, or its vCPU's guest fpstate inside KVM_RUN. */
  fpstate: Fpstate;
  /** fpu->__task_fpstate: the task's own fpstate while the guest's is swapped in. */
  taskFpstate: Fpstate | null = null;
  /** TIF_NEED_FPU_LOAD */
  needFpuLoad = true;
  /** ARCH_REQ_XCOMP_PERM(18) was granted. */
  readonly amxPermitted: boolean;
  /** PF_KTHREAD (named idle, kworker…, ksoftirqd…): no user FPU state. */
  readonly kthread: boolean;
  /** The vCPU this VMM thread runs KVM_RUN for, or null. */
  vcpu: X86Vcpu | null = null;
  /** Killed by an oops (kernel/dumpstack.ts die): none of its later events run. */
  dead = false;
  constructor(ctx: number, fpstate: Fpstate, amxPermitted: boolean, kthread: boolean) {
    this.ctx = ctx;
    this.fpstate = fpstate;
    this.amxPermitted = amxPermitted;
    this.kthread = kthread;
  }
}

/** The vCPU: struct kvm_vcpu_arch and vcpu_vmx, as far as the FPU is concerned. */
export class X86Vcpu {
  readonly id: number;
  readonly guestFpu: FpuGuest;
  /** The VMM thread that calls KVM_RUN for it. */
  readonly vmm: HostTask;
  /** vcpu->cpu */
  cpu = NONE;
  /** vcpu->arch.xcr0 */
  xcr0 = 0;
  /** The guest's CR0.TS (0 or 1). */
  cr0ts = 0;
  cpl = 0;
  /** vcpu->arch.xfd_no_write_intercept */
  xfdNoWriteIntercept = false;
  /** kvm_vcpu_has_run */
  hasRun = false;
  /** CPUID.(0xD,0).EAX as set by KVM_SET_CPUID2 */
  cpuidXcr0 = 0;
  /** vcpu->arch.guest_supported_xcr0 */
  guestSupportedXcr0 = 0;
  /** The #NM exit guestAccess latched (TRAP_*), as the VM-exit interruption information. */
  trap = 0;
  /** An exception was queued (kvm_queue_exception_p): the next guest instruction is its handler. */
  pendingInject = false;
  /** 4.8: vcpu->guest_fpu_loaded */
  guestFpuLoaded = false;
  constructor(id: number, guestFpu: FpuGuest, vmm: HostTask) {
    this.id = id;
    this.guestFpu = guestFpu;
    this.vmm = vmm;
  }
}

/** Per pCPU: the kernel's per-CPU FPU variables and the hardware's XSAVE tracking. */
export class X86Cpu {
  readonly id: number;
  /** The register file (XSAVE standard layout). */
  readonly regs: Uint8Array;
  /** fpregs_owner_ctx: the fpstate the registers hold validly, or null. */
  owner: Fpstate | null = null;
  /** XINUSE */
  xinuse = 0;
  /** XMODIFIED */
  xmodified = 0;
  /** XRSTOR_INFO: the buffer last restored, or null. */
  xrstorInfo: Fpstate | null = null;
  /** xfd_state: the per-CPU cache of the IA32_XFD MSR. */
  xfdState = 0;
  /** current */
  current: HostTask | null = null;
  constructor(id: number, regs: Uint8Array) {
    this.id = id;
    this.regs = regs;
  }
}

/** Counter, trap and routine ids registered with core; the order fixes the report's key order. */
export interface Ids {
  readonly nmExit: CounterId;
  readonly msrWrite: CounterId;
  readonly xsetbv: CounterId;
  readonly crAccess: CounterId;
  readonly trapLazyTs: CounterId;
  readonly trapLazyXfd: CounterId;
  readonly trapTs: CounterId;
  readonly trapXfd: CounterId;
  readonly guestNm: CounterId;
  readonly guestUd: CounterId;
  readonly guestGp: CounterId;
  readonly hostNm: CounterId;
  readonly nmPayload: CounterId;
  readonly nmZero: CounterId;
  readonly gp: CounterId;
  readonly fpuReload: CounterId;
  readonly sigill: CounterId;
  readonly cpuidEperm: CounterId;
  readonly getXsaveEinval: CounterId;
  readonly opSave: CounterId;
  readonly opRestore: CounterId;
  readonly opRealloc: CounterId;
}

function registerIds(h: MachineHost, o: X86Options): Ids {
  const cnt = (name: string) => h.counter('exits', name);
  const out = (name: string) => h.counter('outcomes', name);
  return {
    nmExit: cnt('EXCEPTION_NMI'),
    msrWrite: cnt('MSR_WRITE'),
    xsetbv: cnt('XSETBV'),
    crAccess: cnt('CR_ACCESS'),
    trapLazyTs: h.trapKind('nm_cr0ts_kvm', 'root'),
    trapLazyXfd: h.trapKind('nm_xfd_kvm', 'root'),
    trapTs: h.trapKind('nm_cr0ts', 'root'),
    trapXfd: h.trapKind('nm_xfd', 'root'),
    guestNm: h.trapKind('nm_cr0ts', 'guest'),
    guestUd: h.trapKind('ud', 'guest'),
    guestGp: h.trapKind('gp', 'guest'),
    hostNm: h.trapKind('nm_xfd', 'host'),
    nmPayload: out('#NM injected (payload 0x40000)'),
    nmZero: out('#NM injected (payload 0)'),
    gp: out('#GP injected'),
    fpuReload: out('fpu_reload'),
    sigill: out('SIGILL (AMX without ARCH_REQ_XCOMP_PERM)'),
    cpuidEperm: out('KVM_SET_CPUID2 → -EPERM'),
    getXsaveEinval: out('KVM_GET_XSAVE → -EINVAL'),
    opSave: h.op(o.save, 'save'),
    opRestore: h.op(restoreInstruction(o.save), 'restore'),
    opRealloc: h.op('fpstate_realloc', 'other'),
  };
}

/** Counters of what only an oops produces, registered at the first (so other reports keep their keys). */
export interface LateIds {
  /** host:nm_xfd_kernel: an XFD #NM taken in kernel mode (an XRSTORS). */
  readonly nmKernel: CounterId;
  readonly die: CounterId;
}

/** Everything the kernel routines work on (the "context object": no routine keeps state elsewhere). */
export class X86 {
  readonly host: MachineHost;
  readonly o: X86Options;
  /** The 4.8 variant (kvm-lazy-cr0ts). */
  readonly legacy: boolean;
  readonly unitCount: number;
  /** Every unit's bit. */
  readonly allUnits: number;
  readonly amxBit: number;
  /** fpu_kernel_cfg.max_features (as KVM supports it). */
  readonly maxFeatures: number;
  /** fpu_kernel_cfg.default_features. */
  readonly defaultFeatures: number;
  // faults and quirks, resolved once
  readonly skipPreemptSave: boolean;
  readonly restoreDefaultFeatures: boolean;
  readonly skipReloadBeforeEntry: boolean;
  readonly skipPutSave: boolean;
  readonly quirksFixed: boolean;

  /** By context index: vCPUs' guest fpstates, then the tasks' own. */
  readonly fpstates: Fpstate[] = [];
  /** By context index (vCPU contexts have none). */
  readonly tasks: Array<HostTask | undefined> = [];
  readonly vcpus: X86Vcpu[] = [];
  readonly cpus: X86Cpu[] = [];
  readonly exits: readonly ExitRow[];
  readonly ids: Ids;
  /** Unit, control-register and system-call ids core gave (MachineInit.ids). */
  readonly units: UnitIds;
  readonly regs: RegisterIds;
  readonly sys: SyscallIds;
  /** Construction is over (core's oracle exists only after it). */
  ready = false;
  private late: LateIds | null = null;

  constructor(host: MachineHost, o: X86Options, ids: MachineIds) {
    this.host = host;
    this.o = o;
    this.legacy = o.legacy;
    this.units = new UnitIds(ids.units);
    this.regs = new RegisterIds(ids.controlRegisters);
    this.sys = new SyscallIds(ids.syscalls);
    this.unitCount = this.units.count;
    this.allUnits = (1 << this.unitCount) - 1;
    this.amxBit = this.units.amx < 0 ? 0 : 1 << this.units.amx;
    this.maxFeatures = kvmSupportedXcr0(o.legacy);
    this.defaultFeatures = this.maxFeatures & ~USER_DYNAMIC;
    this.skipPreemptSave = o.faults['skip-preempt-save'];
    this.restoreDefaultFeatures = o.faults['restore-default-features'];
    this.skipReloadBeforeEntry = o.faults['skip-reload-before-entry'];
    this.skipPutSave = o.faults['skip-put-save'];
    this.quirksFixed = o.quirks === 'fixed';
    // host threads start with init_fpstate.xfd = the dynamic features (xstate.c fpu__init_system_xstate)
    const initXfd = o.legacy ? 0 : USER_DYNAMIC;
    const nv = host.vcpus;
    for (let c = 0; c < host.contexts; c++) {
      const fps = new Fpstate(c, this.defaultFeatures, initXfd);
      this.fpstates.push(fps);
      if (c < nv) {
        this.tasks.push(undefined);
        continue;
      }
      const name = host.contextName(c);
      const kthread = /^(idle|kworker|ksoftirqd)/.test(name);
      this.tasks.push(new HostTask(c, fps, o.amxPermission.includes(name), kthread));
    }
    for (let v = 0; v < nv; v++) {
      const vmm = this.task(host.vmmThread(v));
      const vcpu = new X86Vcpu(v, new FpuGuest(this.fpstate(v)), vmm);
      vmm.vcpu = vcpu;
      this.vcpus.push(vcpu);
    }
    for (let c = 0; c < host.cpus; c++) {
      // the pCPU's state is in its initial configuration (XINUSE = 0): FCW 0x37f, MXCSR 0x1f80
      initComponents(host.registerFile[c] as Uint8Array, MASK.FP | MASK.SSE);
      this.cpus.push(new X86Cpu(c, host.registerFile[c] as Uint8Array));
    }
    this.exits = x86ExitTable(host, ids.exitReasons);
    this.ids = registerIds(host, o);
  }

  lateIds(): LateIds {
    if (this.late === null)
      this.late = {
        nmKernel: this.host.trapKind('nm_xfd_kernel', 'host'),
        die: this.host.counter('outcomes', 'die: unexpected #NM exception'),
      };
    return this.late;
  }

  fpstate(ctx: number): Fpstate {
    return this.fpstates[ctx] as Fpstate;
  }
  task(ctx: number): HostTask {
    return this.tasks[ctx] as HostTask;
  }
  vcpu(v: number): X86Vcpu {
    return this.vcpus[v] as X86Vcpu;
  }
  cpu(c: number): X86Cpu {
    return this.cpus[c] as X86Cpu;
  }
  /** The VMM thread of a vCPU inside KVM_RUN (core's lifecycle): it stays in the kernel (6.16). */
  inKvmRun(t: HostTask): boolean {
    return !this.legacy && t.vcpu !== null && this.host.inKvmRun(t.vcpu.id);
  }

  /** A line of explanation (callers build template strings only behind `host.trace.on`). */
  line(depth: number, text: string): void {
    if (this.host.trace.on) this.host.trace.line(depth, text);
  }

  /** The units whose own part of the state is among `components`. */
  unitsOf(components: number): number {
    let u = 0;
    for (let i = 0; i < this.unitCount; i++)
      if ((this.units.own[i] as number) & components) u |= 1 << i;
    return u;
  }
  /** The units XCR0 enables (all their components). */
  enabledUnits(xcr0: number): number {
    let u = 0;
    for (let i = 0; i < this.unitCount; i++) {
      const need = this.units.xcr0[i] as number;
      if ((xcr0 & need) === need) u |= 1 << i;
    }
    return u;
  }

  /** The guest fpstate is what the registers of the vCPU's pCPU hold. */
  resident(v: X86Vcpu): boolean {
    if (v.cpu < 0) return false;
    if (this.legacy) return v.guestFpuLoaded;
    const fps = v.guestFpu.fpstate;
    return fps.inUse && !v.vmm.needFpuLoad && this.cpu(v.cpu).owner === fps;
  }
}

/** Kernel-visible state for tests and `explain`. */
export function inspectState(m: X86): Record<string, unknown> {
  return {
    vcpus: m.vcpus.map((v) => ({
      xcr0: hex(v.xcr0),
      cr0ts: v.cr0ts === 1,
      xfd: hex(v.guestFpu.fpstate.xfd),
      xfd_err: hex(v.guestFpu.xfdErr),
      xfd_no_write_intercept: v.xfdNoWriteIntercept,
      nm_intercepted: m.legacy ? !v.guestFpuLoaded : v.xfdNoWriteIntercept,
      xfeatures: hex(v.guestFpu.fpstate.xfeatures),
      uabi_size: v.guestFpu.uabiSize,
      guest_supported_xcr0: hex(v.guestSupportedXcr0),
      in_kvm_run: m.host.inKvmRun(v.id),
      loaded: m.resident(v),
    })),
    fpregs_owner_ctx: m.cpus.map((c) =>
      c.owner === null ? null : m.host.contextName(c.owner.ctx),
    ),
  };
}
