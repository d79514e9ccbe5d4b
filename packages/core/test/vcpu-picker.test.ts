import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng.js';
import { VcpuPicker } from '../src/workload/presets/vcpu-picker.js';

/** The loop the picker replaced (generator.ts before): the reference it must agree with. */
function loopPick(
  running: Int32Array,
  last: Int32Array,
  start: number,
  c: number,
  migrate: boolean,
): number {
  const n = running.length;
  let pick = -1;
  for (let i = 0; i < n; i++) {
    const v = (start + i) % n;
    if (running[v] !== -1) continue;
    if (pick === -1) pick = v;
    if ((last[v] === c) !== migrate) return v;
  }
  return pick;
}

describe('VcpuPicker', () => {
  it('picks what the loop over every vCPU picks, through loads and puts', () => {
    const rng = new Rng(5, 1);
    for (const [vcpus, cpus] of [
      [1, 1],
      [1, 2],
      [3, 8],
      [31, 4],
      [32, 2],
      [33, 33],
      [64, 7],
      [100, 64],
      [1024, 512],
    ] as const) {
      const picker = new VcpuPicker(vcpus, cpus);
      const running = new Int32Array(vcpus).fill(-1);
      const last = Int32Array.from({ length: vcpus }, (_, v) => v % cpus);
      const cpuVcpu = new Int32Array(cpus).fill(-1);
      for (let step = 0; step < 4000; step++) {
        const c = rng.int(cpus);
        const v = cpuVcpu[c] as number;
        if (v !== -1 && rng.chance(0.5)) {
          running[v] = -1;
          cpuVcpu[c] = -1;
          picker.release(v);
          continue;
        }
        if (v !== -1) continue;
        const start = rng.int(vcpus);
        const migrate = rng.chance(0.3);
        const want = loopPick(running, last, start, c, migrate);
        expect(picker.pick(start, c, migrate), `${vcpus}×${cpus} step ${step}`).toBe(want);
        if (want === -1) continue;
        running[want] = c;
        last[want] = c;
        cpuVcpu[c] = want;
        picker.take(want, c);
      }
    }
  });
});
