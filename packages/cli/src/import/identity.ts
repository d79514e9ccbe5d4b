/**
 * Who a trace line is about: vCPU threads and host tasks, by pid.
 *
 * vCPU n is the thread QEMU names `CPU n/KVM` (qemu_thread_create in kvm_start_vcpu_thread), or
 * the `vcpu %u` field of its events where the event has one; a thread that runs KVM events
 * under another name gets the lowest free index. Indices are handed out on first sight, so both
 * passes over a file give the same ones. Host tasks are named COMM.PID (made a valid workload
 * thread name); at most MAX_THREADS are declared, later ones share HOST_OTHER.
 */
import { InputError } from '@vfpu/core';
import { commOf, type Frame } from './framing.js';

const VCPU_COMM = /^CPU (\d+)\/KVM$/;
export const MAX_THREADS = 4095;
export const HOST_OTHER = 'host_other';
const MAX_VCPU_INDEX = 4095;

export class Identity {
  private readonly vcpuByPid = new Map<number, number>();
  private readonly taken: boolean[] = [];
  private readonly threadByPid = new Map<number, string>();
  readonly threads: string[] = [];
  /** vCPU threads whose index is not their QEMU name's (a second VM, or an unnamed thread). */
  renumbered = 0;
  private other = false;
  vcpus = 0;

  /** The vCPU of a thread already known as one, else undefined. */
  known(pid: number): number | undefined {
    return this.vcpuByPid.get(pid);
  }

  /** The vCPU of a thread that runs a KVM vCPU event (made one on first sight). */
  vcpu(pid: number, who: string | Frame, field: number, file: string, line: number): number {
    const v = this.vcpuByPid.get(pid);
    if (v !== undefined) return v;
    let want = field;
    if (want < 0) {
      const m = VCPU_COMM.exec(typeof who === 'string' ? who : commOf(who));
      if (m !== null) want = Number(m[1]);
    }
    let idx = want;
    if (want < 0 || this.taken[want] === true) {
      idx = 0;
      while (this.taken[idx] === true) idx++;
      this.renumbered++;
    }
    this.vcpuByPid.set(pid, this.field(idx, file, line));
    return idx;
  }

  /** Claims vCPU `n`: named by an event's field where the trace names no threads, or given to a thread. */
  field(n: number, file: string, line: number): number {
    if (n > MAX_VCPU_INDEX)
      throw new InputError(
        file,
        line,
        'vcpu',
        `vCPU ${n} is beyond the workload format's ${MAX_VCPU_INDEX + 1} vCPUs`,
      );
    this.taken[n] = true;
    if (n + 1 > this.vcpus) this.vcpus = n + 1;
    return n;
  }

  /** A thread sched_switch names: its vCPU if it is (or is named as) a vCPU thread. */
  scheduled(pid: number, comm: string, file: string, line: number): number | undefined {
    const v = this.vcpuByPid.get(pid);
    if (v !== undefined) return v;
    if (VCPU_COMM.test(comm)) return this.vcpu(pid, comm, -1, file, line);
    return undefined;
  }

  /** The workload thread name of a host task. */
  thread(pid: number, comm: string): string {
    const t = this.threadByPid.get(pid);
    if (t !== undefined) return t;
    let name: string;
    if (this.threads.length >= MAX_THREADS) {
      name = HOST_OTHER;
      if (!this.other) this.threads.push(HOST_OTHER);
      this.other = true;
    } else {
      let base = comm.replace(/[^A-Za-z0-9_.-]/g, '_');
      if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
      name = `${base}.${pid}`;
      this.threads.push(name);
    }
    this.threadByPid.set(pid, name);
    return name;
  }
}
