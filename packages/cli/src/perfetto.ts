/**
 * `--perfetto FILE`: the run as a Chrome trace-event JSON timeline (opens in ui.perfetto.dev and
 * chrome://tracing). One process per pCPU ("cpu N") with two threads: "running" (slices `guest
 * vcpuN`, `vcpuN loaded`, `host THREAD`) and "FP work" (a slice per event that trapped, exited,
 * saved or restored, with the counts and bytes), and a counter of the loaded vCPU's live units.
 * Time: the events' own `ts` where the workload has them (imported traces), else one microsecond
 * per event. Written as it runs (flat memory), to a Sink (never half-written).
 */
import type { TimelineStep, TimelineView } from '@vfpu/core';
import type { Sink } from './output.js';

const RUNNING = 1;
const FP_WORK = 2;

export class PerfettoWriter {
  private readonly out: Sink;
  private first = true;
  private started = false;
  /** Per pCPU: the open "running" slice's name ('' none), the live mask counted last. */
  private running: string[] = [];
  private live: number[] = [];
  /** Per vCPU: the pCPU it was last seen on (a migration changes two pCPUs). */
  private readonly lastCpu = new Map<number, number>();
  private t0 = -1;
  private t = 0;
  private useTs = false;

  constructor(out: Sink) {
    this.out = out;
  }

  private emit(json: string): void {
    this.out.write(this.first ? `{"traceEvents":[\n${json}` : `,\n${json}`);
    this.first = false;
  }

  private start(view: TimelineView): void {
    this.started = true;
    this.running = Array.from({ length: view.cpus }, () => '');
    this.live = Array.from({ length: view.cpus }, () => 0);
    for (let c = 0; c < view.cpus; c++) {
      const pid = c + 1;
      this.emit(`{"ph":"M","pid":${pid},"name":"process_name","args":{"name":"cpu ${c}"}}`);
      this.emit(`{"ph":"M","pid":${pid},"name":"process_sort_index","args":{"sort_index":${c}}}`);
      this.emit(
        `{"ph":"M","pid":${pid},"tid":${RUNNING},"name":"thread_name","args":{"name":"running"}}`,
      );
      this.emit(
        `{"ph":"M","pid":${pid},"tid":${FP_WORK},"name":"thread_name","args":{"name":"FP work"}}`,
      );
    }
  }

  step(st: TimelineStep, view: TimelineView): void {
    if (!this.started) {
      this.useTs = st.ts >= 0;
      this.start(view);
    }
    // microseconds: from the trace's timestamps (relative to the first), else the event index
    if (this.useTs && st.ts >= 0) {
      const us = Math.round(st.ts * 1e6);
      if (this.t0 < 0) this.t0 = us;
      this.t = Math.max(this.t, us - this.t0);
    } else if (!this.useTs) this.t = st.index;
    const cpu = st.cpu;
    if (cpu >= 0) {
      this.update(cpu, view);
      const prev = st.vcpu >= 0 ? this.lastCpu.get(st.vcpu) : undefined;
      if (prev !== undefined && prev !== cpu) this.update(prev, view);
      if (st.vcpu >= 0) this.lastCpu.set(st.vcpu, cpu);
      if (st.traps + st.exits + st.saves + st.restores > 0) {
        const what = [
          st.traps ? 'trap' : '',
          st.exits ? 'exit' : '',
          st.saves ? 'save' : '',
          st.restores ? 'restore' : '',
        ]
          .filter((x) => x !== '')
          .join(' + ');
        this.emit(
          `{"ph":"X","pid":${cpu + 1},"tid":${FP_WORK},"ts":${this.t},"dur":1,"name":"${what}","args":{"line":${st.line},"op":"${st.op}","vcpu":${st.vcpu},"traps":${st.traps},"exits":${st.exits},"saves":${st.saves},"restores":${st.restores},"bytes":${st.bytes}}}`,
        );
      }
    }
  }

  private update(cpu: number, view: TimelineView): void {
    const g = view.guestOn(cpu);
    const l = view.loadedOn(cpu);
    const thread = view.threadOn(cpu);
    const name =
      g >= 0 ? `guest vcpu${g}` : l >= 0 ? `vcpu${l} loaded` : thread ? `host ${thread}` : '';
    if (name !== this.running[cpu]) {
      if (this.running[cpu])
        this.emit(`{"ph":"E","pid":${cpu + 1},"tid":${RUNNING},"ts":${this.t}}`);
      if (name)
        this.emit(
          `{"ph":"B","pid":${cpu + 1},"tid":${RUNNING},"ts":${this.t},"name":${JSON.stringify(name)}}`,
        );
      this.running[cpu] = name;
    }
    const live = view.liveOn(cpu);
    if (live !== this.live[cpu]) {
      this.live[cpu] = live;
      const args = view.units.map((u, i) => `${JSON.stringify(u)}:${(live >>> i) & 1}`).join(',');
      this.emit(`{"ph":"C","pid":${cpu + 1},"ts":${this.t},"name":"units live","args":{${args}}}`);
    }
  }

  /** Closes the open slices and the JSON document. */
  end(): void {
    this.running.forEach((name, cpu) => {
      if (name) this.emit(`{"ph":"E","pid":${cpu + 1},"tid":${RUNNING},"ts":${this.t + 1}}`);
    });
    if (this.first) this.out.write('{"traceEvents":[');
    this.out.write('\n],"displayTimeUnit":"ns","otherData":{"generator":"vfpu"}}\n');
  }
}
