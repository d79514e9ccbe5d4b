import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASES_1 } from './bad-input-cases-1.js';
import { CASES_2 } from './bad-input-cases-2.js';
import { CASES_3 } from './bad-input-cases-3.js';
import { expectUsageFailure, header } from './bad-input-shared.js';
import { cleanup, cli, IN_GUEST, ndjson, tempDir, writeFile } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

describe('bad workloads: exit 2, FILE:LINE: FIELD: message', () => {
  [...CASES_1, ...CASES_2, ...CASES_3].forEach((c, i) => {
    it(c.name, async () => {
      const file = writeFile(dir, `case${i}.ndjson`, c.workload);
      const r = await cli(['run', file, '--json', ...(c.args ?? [])]);
      const where =
        c.field === null
          ? `${file}:${c.line}: ${c.message}`
          : `${file}:${c.line}: ${c.field}: ${c.message}`;
      expectUsageFailure(r, [`vfpu: ${where}`, ...(c.also ?? [])]);
    });
  });

  it('a blank line is skipped but still counted for line numbers', async () => {
    const file = writeFile(dir, 'blank-lines.ndjson', [
      header(),
      '',
      '   ',
      { op: 'enter', vcpu: 0 },
    ]);
    const r = await cli(['run', file, '--json']);
    expectUsageFailure(r, [`${file}:4: vcpu: enter: vcpu 0 is not loaded`]);
  });

  it('CRLF line ends are accepted (control: the same errors still name the right line)', async () => {
    const ok = writeFile(
      dir,
      'crlf-ok.ndjson',
      ndjson([header(), ...IN_GUEST]).replace(/\n/g, '\r\n'),
    );
    const good = await cli(['run', ok, '--json']);
    expect(good.err).toBe('');
    expect(good.code).toBe(0);
    const bad = writeFile(
      dir,
      'crlf-bad.ndjson',
      ndjson([header(), ...IN_GUEST, { op: 'enter', vcpu: 0 }]).replace(/\n/g, '\r\n'),
    );
    expectUsageFailure(await cli(['run', bad, '--json']), [
      `${bad}:4: vcpu: enter: vcpu 0 is already in guest mode`,
    ]);
  });

  it('explain reports the same error and prints nothing on stdout', async () => {
    const file = writeFile(dir, 'explain-bad.ndjson', [
      header(),
      { op: 'load', vcpu: 0, cpu: 0 },
      { op: 'use', vcpu: 0, unit: 'fpu' },
    ]);
    const r = await cli(['explain', file]);
    expectUsageFailure(r, [`vfpu: ${file}:3: vcpu: use: vcpu 0 is not in guest mode`]);
  });
});
