/**
 * The lifecycle model of random-workload.ts: what a workload's own events make of each vCPU
 * (outside / loaded / in guest / preempted) and of the host scheduler, independent of policy.
 */
export const OUTSIDE = 0;
export const LOADED = 1;
export const IN_GUEST = 2;
export const PREEMPTED = 3;
export const NONE = -1;

/** The workload's own vCPU lifecycle and host scheduling (thread ids: named threads, then vmmN). */
export class Lifecycle {
  readonly state: Int8Array;
  readonly cpu: Int32Array;
  readonly lastCpu: Int32Array;
  readonly returned: Uint8Array;
  readonly cpuVcpu: Int32Array;
  readonly cpuThread: Int32Array;
  readonly threadCpu: Int32Array;
  /** MIPS: root Status.CU2 set on a cpu by a `cop2` exit (no CE=2 exit until a first entry clears it). */
  readonly cu2: Uint8Array;
  /** The next entry is KVM_RUN's first (it rebuilds root Status: kvm_mips_build_vcpu_run). */
  readonly firstEntry: Uint8Array;
  private readonly cpus: number;
  private readonly vcpus: number;
  private readonly named: number;
  constructor(cpus: number, vcpus: number, named: number) {
    this.cpus = cpus;
    this.vcpus = vcpus;
    this.named = named;
    this.state = new Int8Array(vcpus);
    this.cpu = new Int32Array(vcpus).fill(NONE);
    this.lastCpu = new Int32Array(vcpus).fill(NONE);
    this.returned = new Uint8Array(vcpus);
    this.cpuVcpu = new Int32Array(cpus).fill(NONE);
    this.cpuThread = new Int32Array(cpus).fill(NONE);
    this.threadCpu = new Int32Array(named + vcpus).fill(NONE);
    this.cu2 = new Uint8Array(cpus);
    this.firstEntry = new Uint8Array(vcpus);
  }
  vcpusIn(state: number): number[] {
    const out: number[] = [];
    for (let v = 0; v < this.vcpus; v++) if (this.state[v] === state) out.push(v);
    return out;
  }
  freeCpus(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.cpus; c++) if (this.cpuVcpu[c] === NONE) out.push(c);
    return out;
  }
  cpusWithoutGuest(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.cpus; c++) {
      const v = this.cpuVcpu[c] as number;
      if (v === NONE || this.state[v] !== IN_GUEST) out.push(c);
    }
    return out;
  }
  startable(): number[] {
    const out: number[] = [];
    for (let v = 0; v < this.vcpus; v++)
      if (this.state[v] === OUTSIDE || this.state[v] === PREEMPTED) out.push(v);
    return out;
  }
  /** Returned from loaded / in-guest by an ioctl: `enter` runs KVM_RUN again on the last cpu. */
  returnedEnterable(): number[] {
    const out: number[] = [];
    for (let v = 0; v < this.vcpus; v++) {
      if (this.state[v] !== OUTSIDE || !this.returned[v]) continue;
      if (this.cpuVcpu[this.lastCpu[v] as number] === NONE) out.push(v);
    }
    return out;
  }
  /** Threads a `switch` may name: any but the VMM thread of a loaded vCPU. */
  switchable(): number[] {
    const out: number[] = [];
    for (let th = 0; th < this.named + this.vcpus; th++) {
      const v = th - this.named;
      if (v >= 0 && (this.state[v] === LOADED || this.state[v] === IN_GUEST)) continue;
      out.push(th);
    }
    return out;
  }
  schedule(cpu: number, th: number): void {
    const prev = this.cpuThread[cpu] as number;
    if (prev === th) return;
    const elsewhere = this.threadCpu[th] as number;
    if (elsewhere !== NONE) this.cpuThread[elsewhere] = NONE;
    if (prev !== NONE) this.threadCpu[prev] = NONE;
    this.cpuThread[cpu] = th;
    this.threadCpu[th] = cpu;
  }
  load(v: number, cpu: number): void {
    if (this.state[v] === OUTSIDE) this.firstEntry[v] = 1;
    this.schedule(cpu, this.named + v);
    this.state[v] = LOADED;
    this.cpu[v] = cpu;
    this.lastCpu[v] = cpu;
    this.cpuVcpu[cpu] = v;
    this.returned[v] = 0;
  }
  enter(v: number): void {
    if (this.firstEntry[v]) this.cu2[this.cpu[v] as number] = 0;
    this.firstEntry[v] = 0;
    this.state[v] = IN_GUEST;
  }
  private release(v: number): void {
    const cpu = this.cpu[v] as number;
    if (cpu !== NONE) this.cpuVcpu[cpu] = NONE;
    this.cpu[v] = NONE;
  }
  preempt(v: number): void {
    this.release(v);
    this.state[v] = PREEMPTED;
  }
  /** A vCPU ioctl (or its VMM thread running user code): KVM_RUN returns. */
  ioctl(v: number): void {
    const s = this.state[v];
    if (s === LOADED || s === IN_GUEST) {
      this.release(v);
      this.returned[v] = 1;
    } else if (s === PREEMPTED) this.returned[v] = 0;
    this.state[v] = OUTSIDE;
  }
  hostUse(cpu: number): void {
    const v = (this.cpuThread[cpu] as number) - this.named;
    if (v >= 0) this.ioctl(v);
  }
}
