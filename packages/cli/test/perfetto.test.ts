/** `--perfetto`: a Chrome trace-event JSON timeline, one process (track group) per pCPU. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, cli, tempDir, writeFile } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

interface TraceEvent {
  ph: string;
  pid: number;
  tid?: number;
  ts?: number;
  name: string;
  args?: Record<string, number | string>;
}

describe('vfpu run --perfetto', () => {
  it("is valid trace JSON with a track per pCPU, balanced slices, and the run's FP work", async () => {
    const out = join(dir, 'p.json');
    const r = await cli([
      'run',
      'preset:overcommit',
      '--events',
      '3000',
      '--perfetto',
      out,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    const events = JSON.parse(readFileSync(out, 'utf8')).traceEvents as TraceEvent[];
    const names = events.filter((e) => e.name === 'process_name').map((e) => e.args?.name);
    expect(names).toEqual(['cpu 0', 'cpu 1']);
    // B/E nest on each "running" track, in time order
    for (const pid of [1, 2]) {
      let open = 0;
      let last = -1;
      for (const e of events.filter((x) => x.pid === pid && (x.ph === 'B' || x.ph === 'E'))) {
        expect(e.ts).toBeGreaterThanOrEqual(last);
        last = e.ts as number;
        open += e.ph === 'B' ? 1 : -1;
        expect(open === 0 || open === 1).toBe(true);
      }
      expect(open).toBe(0);
    }
    const x = events.filter((e) => e.ph === 'X');
    const sum = (k: string) => x.reduce((a, e) => a + Number(e.args?.[k] ?? 0), 0);
    const rootTraps = ['cop_unusable', 'msa_disabled', 'lasx_disabled'].reduce(
      (a, k) => a + report.traps[k],
      0,
    );
    expect(sum('traps')).toBe(rootTraps);
    expect(sum('bytes')).toBe(report.bytes.saved + report.bytes.restored);
    expect(events.some((e) => e.ph === 'C' && e.name === 'units live')).toBe(true);
  });

  it("uses the workload's own timestamps where it has them (microseconds from the first)", async () => {
    const file = writeFile(dir, 'ts.ndjson', [
      {
        format: 'vfpu-workload',
        version: 1,
        arch: 'mips-vz',
        cpus: 1,
        vcpus: 1,
        threads: [],
        config: {},
      },
      { op: 'run', vcpu: 0, cpu: 0, ts: 10.0 },
      { op: 'use', vcpu: 0, unit: 'fpu', ts: 10.00025 },
      { op: 'exit', vcpu: 0, reason: 'mmio', ts: 10.001 },
    ]);
    const out = join(dir, 'ts.json');
    expect((await cli(['run', file, '--perfetto', out])).code).toBe(0);
    const events = JSON.parse(readFileSync(out, 'utf8')).traceEvents as TraceEvent[];
    const trap = events.find((e) => e.ph === 'X' && String(e.name).includes('trap'));
    expect(trap?.ts).toBe(250);
    // the last slice ends one microsecond after the last event
    expect(events.filter((e) => e.ph === 'E').at(-1)?.ts).toBe(1001);
  });

  it('takes one policy, and leaves no file when the run fails', async () => {
    const out = join(dir, 'none.json');
    const r = await cli(['run', 'preset:idle', '--policy', 'kvm,eager', '--perfetto', out]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('vfpu: --perfetto takes one policy\n');
    const bad = writeFile(dir, 'bad.ndjson', [
      { format: 'vfpu-workload', version: 1, cpus: 1, vcpus: 1 },
      { op: 'enter', vcpu: 0 },
    ]);
    expect((await cli(['run', bad, '--perfetto', out])).code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});
