/**
 * The x86 KVM machine: the host FPU core (fpstate buffers, TIF_NEED_FPU_LOAD, fpregs_owner_ctx and
 * last_cpu, the XFD MSR) and KVM's guest FPU handling, in two generations:
 *
 * - Linux 6.16 (`kvm-6.16`): kvm_load_guest_fpu / kvm_put_guest_fpu swap the VMM thread's fpstate
 *   for the guest's for the whole KVM_RUN (core.c fpu_swap_kvm_fpstate); a preemption saves the
 *   guest registers through switch_fpu and vcpu_enter_guest reloads them (switch_fpu_return); XFD
 *   and XFD_ERR are virtualised (x86.c kvm_set_msr_common, vmx.c vmx_set_msr,
 *   handle_nm_fault_irqoff); the guest buffer grows at KVM_SET_CPUID2.
 * - Linux 4.8 (`kvm-lazy-cr0ts`): the guest FPU is activated by the #NM that CR0.TS raises
 *   (vmx.c handle_exception → vmx_fpu_activate), loaded before entry (x86.c kvm_load_guest_fpu)
 *   and saved at every vcpu_put (kvm_put_guest_fpu); when it stays active is the policy's decision
 *   (`kvm` = adaptive 5/256/initial, as fpu_counter).
 *
 * A policy that does not load the guest at entry on 6.16 is "not a kernel path": KVM would then
 * have to keep CR0.TS set (and XFD[18] armed, since AMX ignores CR0.TS) and intercept #NM.
 */
import {
  ERRNO,
  type ExitRow,
  ImpossibleEvent,
  type Machine,
  type MachineHost,
  NO_EXIT,
  packSlice,
  RESUME_GUEST,
  RESUME_HOST,
  type Resume,
  takeExit,
} from '@vfpu/core';
import { x86ExitTable } from './exits.js';
import {
  hex,
  IMAGE_BYTES,
  KVM_XSAVE_BYTES,
  MASK,
  MODELLED,
  MXCSR_OFFSET,
  NON_TILE_BYTES,
  TILECFG_OFFSET,
  transferBytes,
  UABI_SIZE_WITH_TILES,
  UNIT,
  UNIT_COMPONENTS,
  UNIT_OWN,
  UNIT_XCR0,
  USER_DYNAMIC,
  unitSlice,
  XFEATURE_MAX,
} from './layout.js';
import { kvmSupportedXcr0, type X86Options } from './options.js';
import { componentsWritten, copyComponents, initComponents, restoreInstruction } from './xsave.js';

// control registers (variants.ts controlRegisters: keep the order)
const REG_XCR0 = 0;
const REG_CR0 = 1;
const REG_CPL = 2;
const REG_MXCSR = 3;
const REG_XFD = 4;
const REG_XFD_ERR = 5;
const REG_TILECFG = 6;
const CR0_TS = 1 << 3;

// system calls (variants.ts SYSCALLS_616: keep the order)
const SYS_REQ_GUEST_PERM = 0;
const SYS_SET_CPUID2 = 1;
const SYS_CREATE_VCPU = 2;
const SYS_SET_XFD = 3;
const SYS_SET_XFD_ERR = 4;
const SYS_GET_XFD = 5;
const SYS_GET_XFD_ERR = 6;
const SYS_SET_XCRS = 7;
const SYS_SET_XSAVE = 8;

// root traps (guestAccess results)
const TRAP_LAZY_TS = 1; // KVM's own CR0.TS while the guest fpstate is not loaded
const TRAP_LAZY_XFD = 2; // KVM's own XFD[18] for AMX while not loaded (not a kernel path)
const TRAP_GUEST_TS = 3; // the guest's CR0.TS #NM, intercepted because of XFD
const TRAP_XFD = 4; // the guest's XFD #NM

/** VM-exit interruption information of #NM: valid, hardware exception, vector 7. */
const NM_INTR_INFO = 0x80000307;
const NONE = -1;

export class X86Machine implements Machine {
  private readonly host: MachineHost;
  private readonly o: X86Options;
  private readonly legacy: boolean;
  private readonly vcpus: number;
  private readonly unitCount: number;
  private readonly amxBit: number;
  private readonly maxFeatures: number;
  private readonly defaultFeatures: number;
  private readonly saveName: string;

  // per context (vCPUs, VMM threads, host threads)
  private readonly buf: Uint8Array[];
  /** XSTATE_BV of the buffer's header. */
  private readonly xstateBv: Int32Array;
  /** fpstate->xfeatures: what the buffer is sized for (the save RFBM). */
  private readonly features: Int32Array;
  /** fpstate->xfd. */
  private readonly fpXfd: Int32Array;
  private readonly lastCpu: Int32Array;
  /** Threads: TIF_NEED_FPU_LOAD. */
  private readonly needLoad: Uint8Array;
  private readonly amxPermitted: Uint8Array;
  /** Kernel threads (PF_KTHREAD: named idle, kworker…, ksoftirqd…): no user FPU state. */
  private readonly kthread: Uint8Array;

  // per pCPU
  /** fpregs_owner_ctx: the context whose state the registers hold validly, or −1. */
  private readonly owner: Int32Array;
  private readonly hwInuse: Int32Array;
  private readonly modified: Int32Array;
  /** XRSTOR_INFO: the buffer last restored, or −1. */
  private readonly rstorCtx: Int32Array;
  /** The per-CPU cache of the IA32_XFD MSR (xfd_state). */
  private readonly xfdMsr: Int32Array;
  private readonly current: Int32Array;

  // per vCPU
  private readonly vcpuCpu: Int32Array;
  private readonly xcr0: Int32Array;
  private readonly cr0ts: Uint8Array;
  private readonly cpl: Uint8Array;
  private readonly xfdErr: Int32Array;
  private readonly noWriteIntercept: Uint8Array;
  private readonly hasRun: Uint8Array;
  private readonly cpuidXcr0: Int32Array;
  private readonly supported: Int32Array;
  private readonly uabiSize: Int32Array;
  private readonly inKvmRun: Uint8Array;
  private readonly leaving: Uint8Array;
  private readonly swapped: Uint8Array;
  private readonly swapPending: Uint8Array;
  private readonly pendingInject: Uint8Array;
  /** 4.8: vcpu->guest_fpu_loaded. */
  private readonly loaded: Uint8Array;

  private readonly exits: readonly ExitRow[];
  /** Construction is over (core's oracle exists only after it). */
  private ready = false;
  private readonly c: {
    nmExit: number;
    msrWrite: number;
    xsetbv: number;
    crAccess: number;
    trapLazyTs: number;
    trapLazyXfd: number;
    trapTs: number;
    trapXfd: number;
    guestNm: number;
    guestUd: number;
    guestGp: number;
    hostNm: number;
    nmPayload: number;
    nmZero: number;
    gp: number;
    fpuReload: number;
    sigill: number;
    cpuidEperm: number;
    getXsaveEinval: number;
    opSave: number;
    opRestore: number;
    opRealloc: number;
  };

  constructor(host: MachineHost, o: X86Options) {
    this.host = host;
    this.o = o;
    this.legacy = o.legacy;
    this.vcpus = host.vcpus;
    this.unitCount = o.legacy ? 4 : 5;
    this.amxBit = o.legacy ? 0 : 1 << UNIT.amx;
    this.maxFeatures = kvmSupportedXcr0(o.legacy);
    this.defaultFeatures = this.maxFeatures & ~USER_DYNAMIC;
    this.saveName = o.save;
    const n = host.contexts;
    this.buf = [];
    for (let i = 0; i < n; i++) this.buf.push(new Uint8Array(IMAGE_BYTES + 64));
    this.xstateBv = new Int32Array(n);
    this.features = new Int32Array(n).fill(this.defaultFeatures);
    // host threads start with init_fpstate.xfd = the dynamic features (xstate.c fpu__init_system_xstate)
    this.fpXfd = new Int32Array(n).fill(o.legacy ? 0 : USER_DYNAMIC);
    this.lastCpu = new Int32Array(n).fill(NONE);
    this.needLoad = new Uint8Array(n).fill(1);
    this.amxPermitted = new Uint8Array(n);
    this.kthread = new Uint8Array(n);
    for (let t = this.vcpus; t < n; t++) {
      if (o.amxPermission.includes(host.contextName(t))) this.amxPermitted[t] = 1;
      if (/^(idle|kworker|ksoftirqd)/.test(host.contextName(t))) this.kthread[t] = 1;
    }
    const cpus = host.cpus;
    this.owner = new Int32Array(cpus).fill(NONE);
    this.hwInuse = new Int32Array(cpus);
    this.modified = new Int32Array(cpus);
    this.rstorCtx = new Int32Array(cpus).fill(NONE);
    this.xfdMsr = new Int32Array(cpus);
    this.current = new Int32Array(cpus).fill(NONE);
    const v = this.vcpus;
    this.vcpuCpu = new Int32Array(v).fill(NONE);
    this.xcr0 = new Int32Array(v);
    this.cr0ts = new Uint8Array(v);
    this.cpl = new Uint8Array(v);
    this.xfdErr = new Int32Array(v);
    this.noWriteIntercept = new Uint8Array(v);
    this.hasRun = new Uint8Array(v);
    this.cpuidXcr0 = new Int32Array(v);
    this.supported = new Int32Array(v);
    this.uabiSize = new Int32Array(v);
    this.inKvmRun = new Uint8Array(v);
    this.leaving = new Uint8Array(v);
    this.swapped = new Uint8Array(v);
    this.swapPending = new Uint8Array(v);
    this.pendingInject = new Uint8Array(v);
    this.loaded = new Uint8Array(v);

    const h = host;
    const cnt = (name: string) => h.counter('exits', name);
    const out = (name: string) => h.counter('outcomes', name);
    this.exits = x86ExitTable(h);
    this.c = {
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
    for (let i = 0; i < v; i++) {
      this.createVcpu(i);
      const want = o.guestXcr0 < 0 ? (this.supported[i] as number) | MASK.FP : o.guestXcr0;
      if (!this.setXcr(i, want))
        h.warn(
          `config guest.xcr0 ${hex(want)} is not a valid XCR0 for vcpu ${i}'s CPUID (__kvm_set_xcr); the guest keeps XCR0 = ${hex(this.xcr0[i] as number)}`,
        );
      this.cr0ts[i] = o.guestCr0ts ? 1 : 0;
    }
    this.ready = true;
  }

  // ---- helpers -----------------------------------------------------------------------------

  private vmm(v: number): number {
    return this.vcpus + v;
  }
  /** The context whose fpstate thread `t` currently points at (the guest's inside KVM_RUN). */
  private dataOf(t: number): number {
    const v = t - this.vcpus;
    return v >= 0 && v < this.vcpus && this.swapped[v] ? v : t;
  }
  /** The units whose own part of the state is among `components`. */
  private unitsOf(components: number): number {
    let u = 0;
    for (let i = 0; i < this.unitCount; i++) if ((UNIT_OWN[i] as number) & components) u |= 1 << i;
    return u;
  }
  private t(depth: number, text: string): void {
    if (this.host.trace.on) this.host.trace.line(depth, text);
  }

  /** The save instruction (save_fpregs_to_fpstate → os_xsave, RFBM = fpstate->xfeatures). */
  private save(cpu: number, ctx: number, depth: number): void {
    const rfbm = (this.features[ctx] as number) & MODELLED;
    const xfd = this.xfdMsr[cpu] as number;
    const inuse = (this.hwInuse[cpu] as number) & ~xfd;
    const write =
      componentsWritten(
        this.o.save,
        rfbm,
        inuse,
        this.modified[cpu] as number,
        this.rstorCtx[cpu] === ctx,
      ) & ~(this.o.save === 'xsave' ? 0 : xfd);
    const b = this.buf[ctx] as Uint8Array;
    copyComponents(b, this.host.registerFile[cpu] as Uint8Array, write & inuse);
    if (this.o.save === 'xsave') initComponents(b, write & ~inuse);
    this.xstateBv[ctx] = ((this.xstateBv[ctx] as number) & ~rfbm) | (rfbm & inuse);
    this.host.call(this.c.opSave, ctx, transferBytes(write), this.unitsOf(write), depth);
    if (this.host.trace.on)
      this.t(
        depth + 1,
        `RFBM ${hex(rfbm)}, written ${hex(write)}, XSTATE_BV ${hex(this.xstateBv[ctx] as number)}${xfd ? `, XFD ${hex(xfd)} in force` : ''}`,
      );
  }

  /** restore_fpregs_from_fpstate: xfd_update_state, then XRSTOR(S) with the kernel's max features. */
  private restore(cpu: number, ctx: number, depth: number): void {
    this.xfdUpdate(cpu, this.fpXfd[ctx] as number, depth);
    const rfbm =
      (this.o.faults.has('restore-default-features')
        ? (this.features[ctx] as number) & ~USER_DYNAMIC
        : this.maxFeatures) & MODELLED;
    let bv = (this.xstateBv[ctx] as number) & rfbm;
    const hw = this.host.registerFile[cpu] as Uint8Array;
    if (bv & (this.xfdMsr[cpu] as number)) {
      // XRSTORS of a component that XFD disables raises #NM in the host kernel
      this.host.warn(
        'host kernel: unexpected #NM in restore_fpregs_from_fpstate (XRSTORS of XSTATE_BV[18]=1 while XFD[18]=1; "x86/fpu: Clear XSTATE_BV[i] in save state whenever XFD[i]=1" fixes it): the registers are reinitialised',
      );
      this.host.undefine(ctx, (1 << this.unitCount) - 1);
      bv = 0;
      this.xstateBv[ctx] = 0;
    }
    copyComponents(hw, this.buf[ctx] as Uint8Array, bv);
    initComponents(hw, rfbm & ~bv & (this.hwInuse[cpu] as number));
    this.hwInuse[cpu] = ((this.hwInuse[cpu] as number) & ~rfbm) | bv;
    this.modified[cpu] = 0;
    this.rstorCtx[cpu] = ctx;
    this.owner[cpu] = ctx;
    this.lastCpu[ctx] = cpu;
    this.host.call(this.c.opRestore, ctx, transferBytes(bv), this.unitsOf(bv), depth);
    if (this.host.trace.on) this.t(depth + 1, `RFBM ${hex(rfbm)}, XSTATE_BV ${hex(bv)}`);
    this.host.loaded(cpu, ctx, (1 << this.unitCount) - 1);
  }

  /** xfd_update_state: WRMSR IA32_XFD when the fpstate's value differs from the per-CPU cache. */
  private xfdUpdate(cpu: number, xfd: number, depth: number): void {
    if (this.legacy || this.xfdMsr[cpu] === xfd) return;
    this.xfdMsr[cpu] = xfd;
    this.host.control(1);
    this.t(depth, `xfd_update_state: WRMSR IA32_XFD ← ${hex(xfd)}`);
  }

  /** A buffer changed behind the registers' back: no CPU may skip its restore any more. */
  private invalidate(ctx: number): void {
    for (let c = 0; c < this.host.cpus; c++) {
      if (this.owner[c] === ctx) this.owner[c] = NONE;
      if (this.rstorCtx[c] === ctx) this.rstorCtx[c] = NONE;
    }
  }

  private resident(v: number): boolean {
    const cpu = this.vcpuCpu[v] as number;
    if (cpu < 0) return false;
    if (this.legacy) return this.loaded[v] === 1;
    return (
      this.swapped[v] === 1 &&
      this.swapPending[v] === 0 &&
      this.needLoad[this.vmm(v)] === 0 &&
      this.owner[cpu] === v
    );
  }

  // ---- vCPU creation and CPUID -------------------------------------------------------------

  /** kvm_arch_vcpu_create → fpu_alloc_guest_fpstate (xfd = 0, uabi_size 4096), then KVM_SET_CPUID2. */
  private createVcpu(v: number): void {
    (this.buf[v] as Uint8Array).fill(0);
    this.xstateBv[v] = 0;
    this.features[v] = this.defaultFeatures;
    this.fpXfd[v] = 0;
    this.invalidate(v);
    this.xfdErr[v] = 0;
    this.noWriteIntercept[v] = 0;
    this.hasRun[v] = 0;
    this.uabiSize[v] = KVM_XSAVE_BYTES;
    this.xcr0[v] = MASK.FP; // XCR0 reset value
    this.cr0ts[v] = 0;
    this.cpl[v] = 0;
    this.pendingInject[v] = 0;
    this.cpuidXcr0[v] = 0;
    this.supported[v] = 0;
    if (this.ready) this.host.undefine(v, (1 << this.unitCount) - 1);
    if (!this.ready)
      this.t(0, `vcpu ${v} created before the workload: fpu_alloc_guest_fpstate, KVM_SET_CPUID2`);
    const r = this.setCpuid(v, this.o.cpuidXcr0);
    if (r < 0) this.host.count(this.c.cpuidEperm);
  }

  /** kvm_set_cpuid: kvm_cpuid_check_equal after the first run; else kvm_check_cpuid's enlargement. */
  private setCpuid(v: number, mask: number): number {
    if (this.hasRun[v]) {
      this.t(
        1,
        'kvm_set_cpuid: the vCPU has run, so only an identical CPUID is accepted (kvm_cpuid_check_equal)',
      );
      return mask === this.cpuidXcr0[v] ? 0 : -ERRNO.EINVAL;
    }
    const dynamic = mask & USER_DYNAMIC & ~(this.features[v] as number);
    if (!this.legacy && dynamic !== 0) {
      this.t(
        1,
        `kvm_check_cpuid → fpu_enable_guest_xfd_features(${hex(dynamic)}) → __xfd_enable_feature`,
      );
      if (!this.o.guestPermission) {
        this.t(2, 'the guest permission lacks TILEDATA: -EPERM (the CPUID is rolled back)');
        return -ERRNO.EPERM;
      }
      this.features[v] = (this.features[v] as number) | dynamic;
      this.uabiSize[v] = UABI_SIZE_WITH_TILES;
      this.host.call(this.c.opRealloc, v, 0, 0, 2);
      this.t(
        3,
        `guest buffer for ${hex(this.features[v] as number)}, uabi_size ${UABI_SIZE_WITH_TILES}, fpstate->xfd ${hex(this.fpXfd[v] as number)}`,
      );
    }
    this.cpuidXcr0[v] = mask;
    this.supported[v] = mask & kvmSupportedXcr0(this.legacy);
    return 0;
  }

  /** __kvm_set_xcr (x86.c): false when the value would #GP. */
  private setXcr(v: number, x: number): boolean {
    if (!(x & MASK.FP)) return false;
    if (x & MASK.YMM && !(x & MASK.SSE)) return false;
    if (x & ~((this.supported[v] as number) | MASK.FP)) return false;
    if (!(x & MASK.BNDREGS) !== !(x & MASK.BNDCSR)) return false;
    if (x & MASK.AVX512) {
      if (!(x & MASK.YMM)) return false;
      if ((x & MASK.AVX512) !== MASK.AVX512) return false;
    }
    if (x & MASK.XTILE && (x & MASK.XTILE) !== MASK.XTILE) return false;
    const lost = this.enabledUnits(this.xcr0[v] as number) & ~this.enabledUnits(x);
    this.xcr0[v] = x;
    if (lost && this.ready) this.host.undefine(v, lost);
    return true;
  }

  private enabledUnits(xcr0: number): number {
    let u = 0;
    for (let i = 0; i < this.unitCount; i++) {
      const need = UNIT_XCR0[i] as number;
      if ((xcr0 & need) === need) u |= 1 << i;
    }
    return u;
  }

  // ---- Machine: state ----------------------------------------------------------------------

  guestEnabled(v: number): number {
    return this.enabledUnits(this.xcr0[v] as number);
  }
  live(v: number): number {
    return this.resident(v) ? this.enabledUnits(this.xcr0[v] as number) : 0;
  }
  slice(_v: number, unit: number, reg: number): number {
    return unitSlice(unit, reg);
  }
  hostSlice(_t: number, unit: number, reg: number): number {
    return unitSlice(unit, reg);
  }
  controlSlice(reg: number): number {
    return reg === REG_MXCSR ? packSlice(MXCSR_OFFSET, 4) : -1;
  }

  // ---- Machine: KVM_RUN, load, put ---------------------------------------------------------

  kvmRunBegin(v: number, cpu: number): void {
    if (this.inKvmRun[v]) return; // the vCPU thread is scheduled in again inside KVM_RUN
    this.inKvmRun[v] = 1;
    if (this.legacy) return;
    const h = this.host;
    const t = this.vmm(v);
    if (h.trace.on) h.trace.fn(0, 'kvm_load_guest_fpu', '→ fpu_swap_kvm_fpstate(guest_fpu, true)');
    if (!this.needLoad[t] && this.owner[cpu] === t) this.save(cpu, t, 1);
    this.swapped[v] = 1;
    this.swapPending[v] = 1;
    this.needLoad[t] = 1;
    this.t(
      1,
      "current's fpstate → the guest buffer (in_use); its registers are restored when the guest is loaded at entry",
    );
  }

  vcpuLoad(v: number, cpu: number): void {
    this.vcpuCpu[v] = cpu;
  }

  vcpuPut(v: number): void {
    const cpu = this.vcpuCpu[v] as number;
    if (this.legacy) {
      this.putGuestLegacy(v, cpu, false);
    } else if (this.leaving[v]) {
      this.putGuestModern(v, cpu);
    }
    if (this.leaving[v]) {
      this.leaving[v] = 0;
      this.inKvmRun[v] = 0;
    }
    this.vcpuCpu[v] = NONE;
  }

  /** x86.c kvm_put_guest_fpu → core.c fpu_swap_kvm_fpstate(guest_fpu, false); ++stat.fpu_reload. */
  private putGuestModern(v: number, cpu: number): void {
    const h = this.host;
    const t = this.vmm(v);
    if (h.trace.on) h.trace.fn(0, 'kvm_put_guest_fpu', '→ fpu_swap_kvm_fpstate(guest_fpu, false)');
    if (!this.needLoad[t] && !this.swapPending[v] && this.owner[cpu] === v) {
      if (!this.o.faults.has('skip-put-save')) this.save(cpu, v, 1);
    }
    this.swapped[v] = 0;
    this.swapPending[v] = 0;
    this.restore(cpu, t, 1);
    this.needLoad[t] = 0;
    h.count(this.c.fpuReload);
  }

  /** 4.8 x86.c kvm_put_guest_fpu (from kvm_arch_vcpu_put): save the guest, __kernel_fpu_end. */
  private putGuestLegacy(v: number, cpu: number, notKernel: boolean): void {
    if (!this.loaded[v]) return;
    const h = this.host;
    if (h.trace.on)
      h.trace.fn(0, 'kvm_put_guest_fpu', notKernel ? '(at the exit: not a kernel path)' : '');
    if (!this.o.faults.has('skip-put-save')) this.save(cpu, v, 1);
    this.loaded[v] = 0;
    if (h.trace.on) h.trace.fn(1, '__kernel_fpu_end', '(the VMM thread is fpregs_active)');
    this.restore(cpu, this.vmm(v), 2);
    h.count(this.c.fpuReload);
  }

  enter(v: number, _reentry: boolean): void {
    this.hasRun[v] = 1;
    if (!this.legacy && this.xfdErr[v] !== 0) {
      // vcpu_enter_guest: "if (vcpu->arch.guest_fpu.xfd_err) wrmsrq(MSR_IA32_XFD_ERR, …)"
      this.host.control(1);
      this.t(
        0,
        `vcpu_enter_guest: WRMSR IA32_XFD_ERR ← ${hex(this.xfdErr[v] as number)} (the guest's value)`,
      );
    }
  }

  load(v: number, want: number): void {
    if (want === 0 || this.resident(v)) return;
    this.loadGuest(v, 0, false);
  }

  /** Makes the guest fpstate the registers' content on the vCPU's pCPU. */
  private loadGuest(v: number, depth: number, notKernel: boolean): void {
    const h = this.host;
    const cpu = this.vcpuCpu[v] as number;
    if (this.legacy) {
      // 4.8 x86.c kvm_load_guest_fpu: __kernel_fpu_begin (save the VMM thread), restore the guest
      if (h.trace.on)
        h.trace.fn(depth, 'kvm_load_guest_fpu', notKernel ? '(not a kernel path)' : '');
      const t = this.vmm(v);
      if (h.trace.on) h.trace.fn(depth + 1, '__kernel_fpu_begin');
      if (this.owner[cpu] === t && !this.needLoad[t]) this.save(cpu, t, depth + 2);
      this.restore(cpu, v, depth + 1);
      this.loaded[v] = 1;
      return;
    }
    const t = this.vmm(v);
    if (this.swapPending[v]) {
      if (h.trace.on)
        h.trace.fn(depth, 'fpu_swap_kvm_fpstate', '(the restore half of kvm_load_guest_fpu)');
    } else if (h.trace.on) {
      h.trace.fn(
        depth,
        notKernel ? 'switch_fpu_return' : 'vcpu_enter_guest → switch_fpu_return',
        notKernel ? '(not a kernel path)' : '(TIF_NEED_FPU_LOAD)',
      );
    }
    if (!this.swapPending[v] && this.owner[cpu] === v && this.lastCpu[v] === cpu) {
      this.t(
        depth + 1,
        'fpregs_state_valid: this CPU still holds the guest state (fpregs_owner_ctx, last_cpu): no XRSTORS',
      );
    } else if (this.o.faults.has('skip-reload-before-entry') && !this.swapPending[v]) {
      this.owner[cpu] = v;
    } else {
      this.restore(cpu, v, depth + 1);
    }
    this.swapPending[v] = 0;
    this.needLoad[t] = 0;
  }

  // ---- Machine: guest execution -----------------------------------------------------------

  guestAccess(v: number, unit: number, _control: number, _conditionFails: boolean): number {
    if (this.pendingInject[v]) {
      // the injected exception runs the guest's handler: the instruction does not execute
      this.pendingInject[v] = 0;
      return -1;
    }
    const need = UNIT_XCR0[unit] as number;
    if (((this.xcr0[v] as number) & need) !== need) {
      this.host.count(this.c.guestUd);
      this.t(0, `#UD in the guest: XCR0 ${hex(this.xcr0[v] as number)} lacks ${hex(need)}`);
      return -1;
    }
    if (!this.resident(v)) return unit === UNIT.amx ? TRAP_LAZY_XFD : TRAP_LAZY_TS;
    if (unit !== UNIT.amx && this.cr0ts[v]) {
      if (!this.legacy && this.noWriteIntercept[v]) return TRAP_GUEST_TS;
      this.host.count(this.c.guestNm);
      this.t(0, "#NM (vector 7) from the guest's CR0.TS, not intercepted: delivered to the guest");
      return -1;
    }
    if (unit === UNIT.amx && (this.fpXfd[v] as number) & USER_DYNAMIC) return TRAP_XFD;
    const cpu = this.vcpuCpu[v] as number;
    const comps = UNIT_COMPONENTS[unit] as number;
    this.hwInuse[cpu] = (this.hwInuse[cpu] as number) | comps;
    this.modified[cpu] = (this.modified[cpu] as number) | comps;
    return 0;
  }

  private nmExitText(v: number): void {
    if (!this.host.trace.on) return;
    this.t(
      0,
      `VM exit EXCEPTION_NMI: vector 7 (#NM), VM-exit interruption information ${hex(NM_INTR_INFO)}; guest CR0.TS ${this.cr0ts[v]}, IA32_XFD ${hex(this.fpXfd[v] as number)}, #NM intercepted (${this.legacy ? 'the guest FPU is inactive' : this.noWriteIntercept[v] ? 'xfd_no_write_intercept' : 'KVM keeps the guest FPU unloaded: not a kernel path'})`,
    );
  }

  handleTrap(v: number, trap: number, _unit: number, _grant: number): Resume {
    const h = this.host;
    h.count(this.c.nmExit);
    this.nmExitText(v);
    const cpu = this.vcpuCpu[v] as number;
    switch (trap) {
      case TRAP_LAZY_TS:
      case TRAP_LAZY_XFD:
        h.count(trap === TRAP_LAZY_TS ? this.c.trapLazyTs : this.c.trapLazyXfd);
        if (this.legacy) {
          // 4.8 vmx.c handle_exception: is_no_device → vmx_fpu_activate; return 1
          if (h.trace.on)
            h.trace.fn(
              0,
              'handle_exception → vmx_fpu_activate',
              'GUEST_CR0.TS from the guest, #NM no longer intercepted',
            );
          h.control(2);
          this.loadGuest(v, 1, false);
        } else {
          this.exitTail(v);
          this.loadGuest(v, 0, true);
        }
        return RESUME_GUEST;
      case TRAP_GUEST_TS:
        h.count(this.c.trapTs);
        this.exitTail(v);
        if (h.trace.on)
          h.trace.fn(
            0,
            'handle_exception_irqoff → handle_nm_fault_irqoff',
            'CR0.TS = 1: not an XFD #NM, XFD_ERR left alone',
          );
        this.inject(v, 0);
        return RESUME_GUEST;
      default: {
        h.count(this.c.trapXfd);
        if (h.trace.on)
          h.trace.fn(
            0,
            'handle_exception_irqoff → handle_nm_fault_irqoff',
            'is_xfd_nm_fault: RDMSR IA32_XFD_ERR with interrupts off',
          );
        this.xfdErr[v] = (this.fpXfd[v] as number) & MASK.XTILE_DATA;
        this.t(1, `guest_fpu.xfd_err ← ${hex(this.xfdErr[v] as number)}`);
        this.exitTail(v);
        this.inject(v, this.xfdErr[v] as number);
        return RESUME_GUEST;
      }
    }
  }

  /** handle_exception_nmi → kvm_queue_exception_p(NM_VECTOR, payload). */
  private inject(v: number, payload: number): void {
    if (this.host.trace.on)
      this.host.trace.fn(
        0,
        'handle_exception_nmi → kvm_queue_exception_p',
        `(NM_VECTOR, ${hex(payload)})`,
      );
    this.host.count(payload ? this.c.nmPayload : this.c.nmZero);
    this.pendingInject[v] = 1;
  }

  /** After every VM exit (x86.c vcpu_enter_guest): sync a passed-through XFD, clear XFD_ERR. */
  private exitTail(v: number): void {
    if (this.legacy) return;
    if (this.noWriteIntercept[v])
      this.t(1, 'fpu_sync_guest_vmexit_xfd_state: RDMSR IA32_XFD into fpstate->xfd');
    if (this.xfdErr[v] !== 0) {
      this.host.control(1);
      this.t(1, 'WRMSR IA32_XFD_ERR ← 0 (the host value outside its #NM handler)');
    }
  }

  exit(v: number, reason: number, save: boolean): Resume {
    const h = this.host;
    const resume = takeExit(h, this.exits, reason);
    this.exitTail(v);
    if (save) {
      const cpu = this.vcpuCpu[v] as number;
      if (this.legacy) this.putGuestLegacy(v, cpu, true);
      else if (this.resident(v)) {
        if (h.trace.on)
          h.trace.fn(0, 'save_fpregs_to_fpstate', '(the guest, at the exit: not a kernel path)');
        this.save(cpu, v, 1);
        this.needLoad[this.vmm(v)] = 1;
      }
    }
    if (resume === RESUME_HOST) this.leaving[v] = 1;
    return resume;
  }

  guestWrite(
    v: number,
    reg: number,
    hasValue: boolean,
    value: number,
    set: number,
    clear: number,
  ): Resume | typeof NO_EXIT {
    const h = this.host;
    const cpu = this.vcpuCpu[v] as number;
    const val = (old: number) => (hasValue ? value : ((old | set) & ~clear) >>> 0);
    switch (reg) {
      case REG_XCR0: {
        if (this.cpl[v] !== 0) {
          // the privilege check comes before the VM exit: the CPU raises #GP(0) itself
          h.count(this.c.guestGp);
          this.t(0, `XSETBV at CPL ${this.cpl[v]}: #GP(0) in the guest, no exit`);
          return NO_EXIT;
        }
        h.count(this.c.xsetbv);
        const x = val(this.xcr0[v] as number);
        if (h.trace.on) h.trace.fn(0, 'handle_xsetbv → kvm_emulate_xsetbv', `(XCR0 ← ${hex(x)})`);
        if (!this.setXcr(v, x)) {
          this.t(
            1,
            this.cpl[v] !== 0 ? `CPL ${this.cpl[v]}: #GP(0)` : '__kvm_set_xcr refuses it: #GP(0)',
          );
          h.count(this.c.gp);
        }
        this.exitTail(v);
        return RESUME_GUEST;
      }
      case REG_CR0: {
        const ts = val(this.cr0ts[v] ? CR0_TS : 0) & CR0_TS ? 1 : 0;
        if (!this.legacy || this.loaded[v]) {
          this.cr0ts[v] = ts;
          this.t(0, 'CR0.TS is guest-owned (cr0_guest_owned_bits): no exit');
          return NO_EXIT;
        }
        h.count(this.c.crAccess);
        this.cr0ts[v] = ts;
        if (ts) {
          if (h.trace.on)
            h.trace.fn(
              0,
              'handle_cr → kvm_set_cr0',
              '(TS in the read shadow; the FPU stays inactive)',
            );
          return RESUME_GUEST;
        }
        // 4.8 vmx.c handle_cr case 2: handle_clts, skip_emulated_instruction, vmx_fpu_activate
        if (h.trace.on) h.trace.fn(0, 'handle_cr → handle_clts → vmx_fpu_activate');
        h.control(2);
        this.loadGuest(v, 1, false);
        return RESUME_GUEST;
      }
      case REG_CPL:
        this.cpl[v] = (hasValue ? value : 0) & 3;
        return NO_EXIT;
      case REG_XFD:
        return this.writeXfd(v, cpu, val(this.fpXfd[v] as number));
      case REG_XFD_ERR: {
        h.count(this.c.msrWrite);
        const x = val(this.xfdErr[v] as number);
        if (h.trace.on)
          h.trace.fn(0, 'handle_wrmsr → kvm_set_msr_common', `(MSR_IA32_XFD_ERR ← ${hex(x)})`);
        if (!this.o.cpuidXfd || x & ~((this.supported[v] as number) & USER_DYNAMIC)) {
          this.t(
            1,
            'refused (no CPUID XFD, or a bit outside the guest-supported dynamic features): #GP(0)',
          );
          h.count(this.c.gp);
        } else this.xfdErr[v] = x;
        this.exitTail(v);
        return RESUME_GUEST;
      }
      case REG_TILECFG:
        return this.ldtilecfg(v, cpu, hasValue ? value : 0);
      default:
        return NO_EXIT; // MXCSR: the SSE instruction itself (core checked and trapped it)
    }
  }

  private writeXfd(v: number, cpu: number, x: number): Resume | typeof NO_EXIT {
    const h = this.host;
    const old = this.fpXfd[v] as number;
    if (this.noWriteIntercept[v]) {
      this.t(0, `WRMSR IA32_XFD ← ${hex(x)}: passed through, no exit`);
      this.fpXfd[v] = x;
      if (cpu >= 0 && this.resident(v)) this.xfdMsr[cpu] = x;
      this.xfdArmed(v, old, x);
      return NO_EXIT;
    }
    h.count(this.c.msrWrite);
    if (h.trace.on)
      h.trace.fn(0, 'handle_wrmsr → kvm_set_msr_common', `(MSR_IA32_XFD ← ${hex(x)})`);
    if (!this.o.cpuidXfd || x & ~((this.supported[v] as number) & USER_DYNAMIC)) {
      this.t(1, 'refused (no CPUID XFD, or a bit outside kvm_guest_supported_xfd): #GP(0)');
      h.count(this.c.gp);
      this.exitTail(v);
      return RESUME_GUEST;
    }
    if (h.trace.on) h.trace.fn(1, 'fpu_update_guest_xfd', `(fpstate->xfd ← ${hex(x)})`);
    this.fpXfd[v] = x;
    if (this.resident(v)) this.xfdUpdate(cpu, x, 2);
    this.xfdArmed(v, old, x);
    if (x !== 0 && !this.noWriteIntercept[v]) {
      this.noWriteIntercept[v] = 1;
      h.control(1);
      if (h.trace.on)
        h.trace.fn(
          1,
          'vmx_set_msr',
          'non-zero: IA32_XFD read/write interception off, xfd_no_write_intercept, vmx_update_exception_bitmap adds #NM',
        );
    }
    this.exitTail(v);
    return RESUME_GUEST;
  }

  /** Setting XFD[18] does not preserve the tile data (and, with the fix, clears XSTATE_BV[18]). */
  private xfdArmed(v: number, old: number, x: number): void {
    if (!(x & USER_DYNAMIC) || old & USER_DYNAMIC) return;
    this.host.undefine(v, this.amxBit);
    if (this.o.quirks === 'fixed' && !this.resident(v))
      this.xstateBv[v] = (this.xstateBv[v] as number) & ~USER_DYNAMIC;
  }

  /** LDTILECFG (palette 0: the tile state goes to its initial configuration, as TILERELEASE). */
  private ldtilecfg(v: number, cpu: number, palette: number): Resume | typeof NO_EXIT {
    if (((this.xcr0[v] as number) & MASK.XTILE) !== MASK.XTILE) {
      this.host.count(this.c.guestUd);
      this.t(0, '#UD in the guest: XCR0 lacks the AMX components');
      return NO_EXIT;
    }
    let resume: Resume | typeof NO_EXIT = NO_EXIT;
    if (!this.resident(v)) {
      this.host.count(this.c.nmExit);
      this.nmExitText(v);
      this.host.count(this.c.trapLazyXfd);
      this.loadGuest(v, 0, true);
      resume = RESUME_GUEST;
    }
    const hw = this.host.registerFile[cpu] as Uint8Array;
    initComponents(hw, MASK.XTILE & (this.hwInuse[cpu] as number));
    let inuse = (this.hwInuse[cpu] as number) & ~MASK.XTILE;
    if (palette !== 0) {
      hw[TILECFG_OFFSET] = palette & 0xff;
      inuse |= MASK.XTILE_CFG;
      this.modified[cpu] = (this.modified[cpu] as number) | MASK.XTILE;
    }
    this.hwInuse[cpu] = inuse;
    this.host.undefine(v, this.amxBit);
    this.t(
      0,
      palette
        ? `LDTILECFG palette ${palette}: TILECFG in use, tile data initialised`
        : 'tile state initialised (TILERELEASE): XINUSE[17,18] = 0',
    );
    return resume;
  }

  // ---- Machine: host side ------------------------------------------------------------------

  hostSwitch(cpu: number, prev: number, next: number): void {
    const h = this.host;
    // switch_fpu: kernel threads (PF_KTHREAD) neither save nor restore user FPU state
    if (prev >= 0 && !this.kthread[prev]) {
      const d = this.dataOf(prev);
      if (!this.needLoad[prev] && this.owner[cpu] === d) {
        if (h.trace.on)
          h.trace.fn(
            0,
            'switch_fpu',
            `(${h.contextName(prev)} leaves: save_fpregs_to_fpstate, TIF_NEED_FPU_LOAD)`,
          );
        if (!(this.o.faults.has('skip-preempt-save') && d < this.vcpus)) this.save(cpu, d, 1);
        this.lastCpu[d] = cpu;
      }
      this.needLoad[prev] = 1;
    }
    this.current[cpu] = next;
    if (next < 0 || this.kthread[next]) return;
    const v = next - this.vcpus;
    if (!this.legacy && v >= 0 && v < this.vcpus && this.inKvmRun[v]) return; // stays in the kernel
    this.restoreUser(cpu, next, 0);
  }

  /** fpregs_restore_userregs on the way back to user space (skipped when fpregs_state_valid). */
  private restoreUser(cpu: number, t: number, depth: number): void {
    if (!this.needLoad[t]) return;
    const h = this.host;
    if (this.owner[cpu] === t && this.lastCpu[t] === cpu) {
      if (h.trace.on)
        h.trace.fn(
          depth,
          'fpregs_restore_userregs',
          `(${h.contextName(t)}: fpregs_state_valid, no XRSTORS)`,
        );
    } else {
      if (h.trace.on) h.trace.fn(depth, 'fpregs_restore_userregs', `(${h.contextName(t)})`);
      this.restore(cpu, t, depth + 1);
    }
    this.needLoad[t] = 0;
  }

  hostUse(cpu: number, t: number, unit: number): boolean {
    const h = this.host;
    const v = t - this.vcpus;
    if (!this.legacy && v >= 0 && v < this.vcpus && this.inKvmRun[v]) {
      // a vCPU thread runs user code only once KVM_RUN has returned (here: a signal, -EINTR)
      this.t(0, `${h.contextName(t)} runs user code, so KVM_RUN returned (a pending signal)`);
      this.putGuestModern(v, cpu);
      this.inKvmRun[v] = 0;
    }
    this.restoreUser(cpu, t, 0);
    if (unit === UNIT.amx && (this.fpXfd[t] as number) & USER_DYNAMIC) {
      // traps.c exc_device_not_available → handle_xfd_event
      h.count(this.c.hostNm);
      if (h.trace.on)
        h.trace.fn(
          0,
          'exc_device_not_available → handle_xfd_event',
          'XFD_ERR 0x40000, WRMSR IA32_XFD_ERR ← 0',
        );
      h.control(1);
      if (!this.amxPermitted[t]) {
        this.t(1, 'xfd_enable_feature: no permission (-EPERM) → SIGILL');
        h.count(this.c.sigill);
        return false;
      }
      if (h.trace.on) h.trace.fn(1, 'xfd_enable_feature → fpstate_realloc');
      h.call(this.c.opRealloc, t, 0, 0, 2);
      this.features[t] = (this.features[t] as number) | USER_DYNAMIC;
      this.fpXfd[t] = (this.fpXfd[t] as number) & ~USER_DYNAMIC;
      this.xfdUpdate(cpu, this.fpXfd[t] as number, 2);
      this.t(1, 'the instruction is retried');
    }
    const comps = UNIT_COMPONENTS[unit] as number;
    this.hwInuse[cpu] = (this.hwInuse[cpu] as number) | comps;
    this.modified[cpu] = (this.modified[cpu] as number) | comps;
    return true;
  }

  kernelFpu(cpu: number): boolean {
    const h = this.host;
    const t = this.current[cpu] as number;
    const v = t - this.vcpus;
    if (this.legacy && v >= 0 && v < this.vcpus && this.loaded[v]) {
      this.t(
        0,
        'irq_fpu_usable() is false while KVM holds the FPU (kernel_fpu_disable): the caller takes its non-FPU path',
      );
      return true;
    }
    if (h.trace.on) h.trace.fn(0, 'kernel_fpu_begin_mask');
    if (t >= 0) {
      const d = this.dataOf(t);
      if (!this.needLoad[t] && this.owner[cpu] === d) this.save(cpu, d, 1);
      this.needLoad[t] = 1;
    }
    this.owner[cpu] = NONE;
    h.loaded(cpu, NONE, (1 << this.unitCount) - 1);
    // the kernel's SIMD code overwrites XMM0–XMM1
    const hw = h.registerFile[cpu] as Uint8Array;
    hw.fill(0xa5, 160, 176);
    hw.fill(0x5a, 224, 240);
    this.hwInuse[cpu] = (this.hwInuse[cpu] as number) | MASK.SSE;
    this.modified[cpu] = (this.modified[cpu] as number) | MASK.SSE;
    if (this.legacy && t >= 0) {
      // 4.8 __kernel_fpu_end: the current task's registers come back at once
      if (h.trace.on) h.trace.fn(0, 'kernel_fpu_end → __kernel_fpu_end');
      this.restore(cpu, t, 1);
      this.needLoad[t] = 0;
    }
    return true;
  }

  // ---- Machine: userspace ------------------------------------------------------------------

  private requireOutside(v: number, what: string): void {
    if (this.inKvmRun[v])
      throw new ImpossibleEvent(
        'vcpu',
        `${what}: vcpu ${v} is preempted inside KVM_RUN (its thread holds vcpu->mutex); a vCPU ioctl waits until KVM_RUN returns to userspace`,
      );
  }

  private imageBytes(v: number): number {
    return (this.uabiSize[v] as number) > KVM_XSAVE_BYTES ? IMAGE_BYTES : NON_TILE_BYTES;
  }

  userGetRegister(v: number, handle: number, out: Uint8Array): number {
    this.requireOutside(v, 'user-get');
    if (handle === 0 && (this.uabiSize[v] as number) > KVM_XSAVE_BYTES) {
      this.t(0, `KVM_GET_XSAVE: uabi_size ${this.uabiSize[v]} > 4096: -EINVAL`);
      this.host.count(this.c.getXsaveEinval);
      return -1;
    }
    // fpu_copy_guest_fpstate_to_uabi: mask guest_supported_xcr0 | FP | SSE, init values elsewhere
    const len = handle === 0 ? NON_TILE_BYTES : this.imageBytes(v);
    const mask =
      ((this.supported[v] as number) | MASK.FP | MASK.SSE) & (this.xstateBv[v] as number);
    out.fill(0, 0, len);
    copyComponents(out, this.buf[v] as Uint8Array, mask);
    this.t(
      0,
      `${handle === 0 ? 'KVM_GET_XSAVE' : 'KVM_GET_XSAVE2'}: ${handle === 0 ? KVM_XSAVE_BYTES : this.uabiSize[v]} bytes, XSTATE_BV ${hex(mask)}${mask & USER_DYNAMIC ? ' (TILEDATA at offset 2816)' : ''}`,
    );
    return packSlice(0, len);
  }

  /**
   * The image a VMM restores is one KVM_GET_XSAVE2 gave it, and that reports XSTATE_BV[i] = 0 for
   * a component XFD disables (reference §6): so its tile data is fresh only while XFD[18] is clear.
   */
  private setMask(v: number): number {
    return (this.features[v] as number) & MODELLED & ~(this.fpXfd[v] as number);
  }

  userRegisterSlice(v: number, _handle: number): number {
    return packSlice(0, this.setMask(v) & USER_DYNAMIC ? IMAGE_BYTES : NON_TILE_BYTES);
  }

  userSetRegister(v: number, _handle: number, src: Uint8Array): boolean {
    this.requireOutside(v, 'user-set');
    const mask = this.setMask(v);
    if (!(mask & USER_DYNAMIC)) {
      initComponents(this.buf[v] as Uint8Array, MASK.XTILE);
      this.host.undefine(v, this.amxBit);
    }
    copyComponents(this.buf[v] as Uint8Array, src, mask);
    this.xstateBv[v] = mask;
    this.invalidate(v);
    this.t(0, `KVM_SET_XSAVE: ${this.uabiSize[v]} bytes, XSTATE_BV ${hex(mask)}`);
    return true;
  }

  userRead(v: number, unit: number, reg: number, out: Uint8Array): number {
    this.requireOutside(v, 'user-get');
    const p = unitSlice(unit, reg);
    const off = p >>> 16;
    out.set((this.buf[v] as Uint8Array).subarray(off, off + (p & 0xffff)), off);
    return p;
  }

  userWrite(v: number, unit: number, reg: number, src: Uint8Array): boolean {
    this.requireOutside(v, 'user-set');
    const p = unitSlice(unit, reg);
    const off = p >>> 16;
    (this.buf[v] as Uint8Array).set(src.subarray(off, off + (p & 0xffff)), off);
    this.xstateBv[v] = (this.xstateBv[v] as number) | (UNIT_COMPONENTS[unit] as number);
    this.invalidate(v);
    return true;
  }

  syscall(v: number, call: number, value: number): number {
    const h = this.host;
    if (v >= 0) this.requireOutside(v, 'syscall');
    switch (call) {
      case SYS_REQ_GUEST_PERM:
        // xstate.c xstate_request_perm(idx, guest = true)
        if (value >= XFEATURE_MAX) return -ERRNO.EINVAL;
        if (value !== 18) return -ERRNO.EOPNOTSUPP;
        if (this.o.guestPermission) return 0;
        this.t(1, 'the first vCPU locked the guest permissions (FPU_GUEST_PERM_LOCKED)');
        return -ERRNO.EBUSY;
      case SYS_SET_CPUID2:
        return this.setCpuid(v, value);
      case SYS_CREATE_VCPU:
        if (h.trace.on)
          h.trace.fn(
            1,
            'fpu_free_guest_fpstate; kvm_arch_vcpu_create → fpu_alloc_guest_fpstate',
            '(xfd 0, uabi_size 4096); KVM_SET_CPUID2',
          );
        this.createVcpu(v);
        return 0;
      case SYS_SET_XFD: {
        // kvm_set_msr_common (host-initiated: no CPUID check), then vmx_set_msr
        if (value & ~((this.supported[v] as number) & USER_DYNAMIC)) return 0;
        const old = this.fpXfd[v] as number;
        this.fpXfd[v] = value;
        this.xfdArmed(v, old, value);
        if (value !== 0 && !this.noWriteIntercept[v]) {
          this.noWriteIntercept[v] = 1;
          this.t(1, 'vmx_set_msr: non-zero, so pass-through and #NM interception on this vCPU too');
        }
        return 1;
      }
      case SYS_SET_XFD_ERR:
        if (value & ~((this.supported[v] as number) & USER_DYNAMIC)) return 0;
        this.xfdErr[v] = value;
        return 1;
      case SYS_GET_XFD:
        this.t(1, `IA32_XFD = ${hex(this.fpXfd[v] as number)}`);
        return 1;
      case SYS_GET_XFD_ERR:
        this.t(1, `IA32_XFD_ERR = ${hex(this.xfdErr[v] as number)}`);
        return 1;
      case SYS_SET_XCRS:
        return this.setXcr(v, value) ? 0 : -ERRNO.EINVAL;
      case SYS_SET_XSAVE: {
        // core.c fpu_copy_uabi_to_guest_fpstate, xstate.c validate_user_xstate_header
        if (value & ~kvmSupportedXcr0(this.legacy)) return -ERRNO.EINVAL;
        if (value & ~(this.features[v] as number)) return -ERRNO.EINVAL;
        const dropped = (this.xstateBv[v] as number) & ~value;
        this.xstateBv[v] = (this.xstateBv[v] as number) & value;
        initComponents(this.buf[v] as Uint8Array, dropped);
        if (dropped) this.host.undefine(v, this.unitsOf(dropped));
        this.invalidate(v);
        return 0;
      }
      default:
        return -ERRNO.EINVAL;
    }
  }

  inspect(): Record<string, unknown> {
    const vcpus = [];
    for (let v = 0; v < this.vcpus; v++) {
      vcpus.push({
        xcr0: hex(this.xcr0[v] as number),
        cr0ts: this.cr0ts[v] === 1,
        xfd: hex(this.fpXfd[v] as number),
        xfd_err: hex(this.xfdErr[v] as number),
        xfd_no_write_intercept: this.noWriteIntercept[v] === 1,
        nm_intercepted: this.legacy ? !this.loaded[v] : this.noWriteIntercept[v] === 1,
        xfeatures: hex(this.features[v] as number),
        uabi_size: this.uabiSize[v],
        guest_supported_xcr0: hex(this.supported[v] as number),
        in_kvm_run: this.inKvmRun[v] === 1,
        loaded: this.resident(v),
      });
    }
    return {
      vcpus,
      fpregs_owner_ctx: Array.from(this.owner, (c) => (c < 0 ? null : this.host.contextName(c))),
    };
  }
}
