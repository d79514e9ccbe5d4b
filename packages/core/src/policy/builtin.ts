/**
 * The built-in policies. Each one is a decision table over the unit lattice; the mechanism
 * (which kernel routine runs, how many bytes move) stays in the backend.
 */
import { closeMask, unitBit } from '../units.js';
import { CLAIRVOYANT } from './clairvoyant.js';
import { COST_AWARE } from './cost-aware.js';
import type { PolicyDefinition, PolicyInstance, PolicyView } from './types.js';

/** Trap on first use, grant exactly the unit (and what it contains), keep until vcpu_put. */
class Lazy implements PolicyInstance {
  protected readonly view: PolicyView;
  constructor(view: PolicyView) {
    this.view = view;
  }
  grant(_vcpu: number, unit: number): number {
    return this.view.lattice.closure[unit] as number;
  }
  preload(_vcpu: number): number {
    return 0;
  }
  saveAtExit(_vcpu: number): boolean {
    return false;
  }
  used(_vcpu: number, _unit: number): void {}
  sliceBegin(_vcpu: number): void {}
  sliceEnd(_vcpu: number): void {}
}

/** Lazy, but everything live is saved at every exit (the 2013 ARM design). */
class LazyPerExit extends Lazy {
  override saveAtExit(_vcpu: number): boolean {
    return true;
  }
}

/** Load everything the guest has enabled before every entry. */
class Eager extends Lazy {
  override preload(vcpu: number): number {
    return this.view.guestEnabled(vcpu);
  }
}

/** On a trap, grant the widest unit the guest has used so far (LoongArch KVM, 2026). */
class Widest extends Lazy {
  private readonly everUsed: Uint32Array;
  constructor(view: PolicyView) {
    super(view);
    this.everUsed = new Uint32Array(view.vcpus);
  }
  override grant(vcpu: number, unit: number): number {
    const lattice = this.view.lattice;
    const used = closeMask(lattice, this.everUsed[vcpu] as number) & this.view.guestEnabled(vcpu);
    return (lattice.closure[unit] as number) | used;
  }
  override used(vcpu: number, unit: number): void {
    this.everUsed[vcpu] = (this.everUsed[vcpu] as number) | unitBit(unit);
  }
}

/**
 * Preload after `threshold` consecutive slices with use; the counter wraps at `wrap` and the
 * vCPU falls back to lazy (Linux 2006 `fpu_counter`, KVM x86 2016's 255-load rollover).
 */
class Adaptive extends Lazy {
  private readonly counter: Uint32Array;
  private readonly sliceUsed: Uint32Array;
  private readonly lastSliceUsed: Uint32Array;
  private readonly threshold: number;
  private readonly wrap: number;
  /** vCPUs whose first slice has not ended yet (preloaded when `initial` is 1). */
  private readonly first: Uint8Array;
  constructor(view: PolicyView, threshold: number, wrap: number, initial: number) {
    super(view);
    this.counter = new Uint32Array(view.vcpus);
    this.sliceUsed = new Uint32Array(view.vcpus);
    this.lastSliceUsed = new Uint32Array(view.vcpus);
    this.threshold = threshold;
    this.wrap = wrap;
    this.first = new Uint8Array(view.vcpus).fill(initial);
  }
  override preload(vcpu: number): number {
    if (this.first[vcpu]) return this.view.guestEnabled(vcpu);
    if ((this.counter[vcpu] as number) < this.threshold) return 0;
    const lattice = this.view.lattice;
    return closeMask(lattice, this.lastSliceUsed[vcpu] as number) & this.view.guestEnabled(vcpu);
  }
  override used(vcpu: number, unit: number): void {
    this.sliceUsed[vcpu] = (this.sliceUsed[vcpu] as number) | unitBit(unit);
  }
  override sliceBegin(vcpu: number): void {
    this.sliceUsed[vcpu] = 0;
  }
  override sliceEnd(vcpu: number): void {
    // a slice counts when the units were used or live at vcpu_put (the kernel counts puts with
    // the FPU loaded: 2006 fpu_counter, KVM x86 kvm_put_guest_fpu), so a preloaded slice counts
    this.first[vcpu] = 0;
    const used = (this.sliceUsed[vcpu] as number) | this.view.live(vcpu);
    if (used !== 0) {
      this.counter[vcpu] = ((this.counter[vcpu] as number) + 1) % this.wrap;
      this.lastSliceUsed[vcpu] = used;
    } else {
      this.counter[vcpu] = 0;
    }
  }
}

/** The policies core ships (`lazy`, `eager`, `widest`, `adaptive`, …), each with its description, origin and parameters. */
export const BUILTIN_POLICIES: readonly PolicyDefinition[] = [
  {
    name: 'lazy',
    description: 'trap on first use, grant exactly the unit used, keep it until vcpu_put',
    origin: 'Linux KVM on MIPS (arch/mips/kvm/mips.c kvm_own_fpu/kvm_own_msa)',
    params: {},
    create: (view) => new Lazy(view),
  },
  {
    name: 'eager',
    description: 'load every unit the guest has enabled before each entry',
    origin: 'Linux x86 since 4.6 (eagerfpu), the LazyFP (CVE-2018-3665) mitigation',
    params: {},
    create: (view) => new Eager(view),
  },
  {
    name: 'lazy-per-exit',
    description: 'trap on first use, save everything live at every exit',
    origin: 'Linux KVM ARMv7, 2013 (arch/arm/kvm/interrupts.S)',
    params: {},
    create: (view) => new LazyPerExit(view),
  },
  {
    name: 'widest',
    description: 'on a trap, grant the widest unit the guest has used so far',
    origin: 'LoongArch KVM "Set max used FPU type with FPU exception" (B. Mao, 2026)',
    params: {},
    sameAs: { policy: 'lazy', when: 'trap-enables-all' },
    create: (view) => new Widest(view),
  },
  {
    name: 'adaptive',
    description:
      'preload the units of the last slice after `threshold` consecutive slices with use (or with the units live at vcpu_put); the counter wraps at `wrap` and the vCPU goes back to lazy',
    origin: 'Linux 2006 fpu_counter ("sLeAZY FPU"), KVM x86 2016 255-load rollover',
    params: {
      threshold: {
        default: 5,
        min: 1,
        max: 1_000_000,
        description: 'consecutive slices with use before preloading (sLeAZY FPU: 5)',
      },
      wrap: {
        default: 256,
        min: 2,
        max: 1_000_000,
        description: 'counter modulus; on wrap the vCPU is lazy again (unsigned char: 256)',
      },
      initial: {
        default: 0,
        min: 0,
        max: 1,
        description:
          '1: the first slice preloads (KVM x86 before 4.11 starts a vCPU with the FPU active: vmx_vcpu_reset → vmx_fpu_activate)',
      },
    },
    create: (view, p) =>
      new Adaptive(view, p.threshold as number, p.wrap as number, p.initial as number),
  },
  COST_AWARE,
  CLAIRVOYANT,
];
