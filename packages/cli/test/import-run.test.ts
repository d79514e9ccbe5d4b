/**
 * `vfpu import` then `vfpu run` of the result under every policy, for a trace of each
 * architecture: zero violations, and the report carries the assumptions. The API's
 * onRecorded sees each recorded FP tracepoint before the batch with its line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTraceImport, type RecordedTracepoint } from '../src/import/index.js';
import { cleanup, cli, tempDir, writeFile } from './helpers.js';
import { MIPS, perfScript, SAMPLES, traceCmd, X86 } from './import-samples.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

const POLICIES = ['kvm', 'eager', 'lazy', 'lazy-per-exit', 'widest', 'adaptive'] as const;

describe('import, then run under every policy', () => {
  for (const s of SAMPLES) {
    for (const guestFp of ['none', 'every-slice'] as const) {
      it(`${s.arch}, --guest-fp ${guestFp}: zero violations, the assumptions in the report`, async () => {
        const trace = writeFile(dir, `${s.arch}-${guestFp}.txt`, traceCmd(s.events));
        const w = `${trace}.ndjson`;
        const imp = await cli(['import', trace, '-o', w, '--guest-fp', guestFp]);
        expect(imp.code).toBe(0);
        for (const policy of POLICIES) {
          const r = await cli(['run', w, '--policy', policy, '--json']);
          expect(r.err).toBe('');
          expect(r.code).toBe(0);
          const report = JSON.parse(r.out);
          expect(report.check.violations).toBe(0);
          expect(report.workload.assumptions.join('\n')).toContain(`--guest-fp ${guestFp}`);
          expect(report.workload.source.arch).toBe(s.arch);
        }
        const text = await cli(['run', w]);
        expect(text.out).toContain('assumed (the workload says its source could not show this):');
      });
    }
  }
});

describe('the API', () => {
  it('onRecorded: kvm_fpu, FP kvm_exit in canonical form, each before the batch holding its line', async () => {
    const f = writeFile(dir, 'api.txt', traceCmd(X86));
    const imp = await openTraceImport(f, { format: 'auto', guestFp: 'none' });
    expect([imp.arch, imp.variant]).toEqual(['x86-xfd', undefined]);
    const seen: RecordedTracepoint[] = [];
    let yielded = 0;
    imp.onRecorded = (r) => {
      // every workload line already yielded comes from an earlier trace line
      expect(yielded).toBeLessThanOrEqual(r.traceLine);
      seen.push(r);
    };
    const lines: string[] = [];
    for await (const b of imp.lines()) {
      expect(b.texts.length).toBe(b.traceLines.length);
      lines.push(...b.texts);
      yielded = Math.max(yielded, ...b.traceLines);
    }
    expect(seen.map((r) => [r.vcpu, r.event, r.detail, r.traceLine])).toEqual([
      [0, 'kvm_fpu', 'load', 1],
      [0, 'kvm_fpu', 'unload', 7],
      [1, 'kvm_fpu', 'load', 9],
      [0, 'kvm_fpu', 'load', 14],
      [0, 'kvm_exit', 'EXCEPTION_NMI vector 7', 16],
      [1, 'kvm_fpu', 'unload', 22],
      [0, 'kvm_fpu', 'unload', 28],
    ]);
    expect(seen[4]?.text).toContain('intr_info 0x80000307');
    expect(lines.length).toBe(18); // the header and X86_WORKLOAD (import-samples.ts)
  });

  it('MIPS: kvm_aux in "op state" form and the COP-unusable / MSA Disabled exits', async () => {
    const f = writeFile(dir, 'api-mips.perf', perfScript(MIPS));
    const imp = await openTraceImport(f, {
      format: 'perf-script',
      guestFp: 'none',
      variant: 'mainline',
    });
    const seen: string[] = [];
    imp.onRecorded = (r) => seen.push(`${r.event}: ${r.detail}`);
    for await (const _ of imp.lines()) {
      // drain
    }
    expect(seen).toEqual([
      'kvm_exit: COP0/1 Unusable',
      'kvm_aux: restore FPU',
      'kvm_exit: MSA Disabled',
      'kvm_aux: restore MSA',
      'kvm_exit: COP0/1 Unusable',
      'kvm_aux: save FPU & MSA',
    ]);
  });

  it('--format trace-cmd refuses perf script text at its first line', async () => {
    const f = writeFile(dir, 'wrong.perf', perfScript(X86));
    await expect(openTraceImport(f, { format: 'trace-cmd', guestFp: 'none' })).rejects.toThrow(
      `${f}:1: framing: not an event line`,
    );
  });
});
