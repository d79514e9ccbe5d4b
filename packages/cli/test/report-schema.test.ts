/** `vfpu schema report`: real reports of every backend validate against it, and it is strict. */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../src/index.js';
import { cli } from './helpers.js';

async function validator() {
  const r = await cli(['schema', 'report']);
  expect(r.code).toBe(0);
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  return ajv.compile(JSON.parse(r.out));
}

describe('the report JSON Schema', () => {
  it('accepts the report of every variant of every backend, under several policies', async () => {
    const validate = await validator();
    for (const b of BACKENDS)
      for (const v of b.variants) {
        const args = [
          'run',
          'preset:overcommit',
          '--events',
          '1500',
          '--arch',
          b.id,
          '--variant',
          v.id,
        ];
        const r = await cli([...args, '--policy', 'kvm,eager,adaptive', '--json']);
        expect(r.code).toBe(0);
        for (const rep of JSON.parse(r.out).reports) {
          const ok = validate(rep);
          expect(ok ? [] : validate.errors, `${b.id}/${v.id} ${rep.policy}`).toEqual([]);
        }
      }
  });

  it('refuses a report with an unknown key or a fractional cycle count', async () => {
    const validate = await validator();
    const rep = JSON.parse((await cli(['run', 'preset:idle', '--events', '200', '--json'])).out);
    expect(validate(rep)).toBe(true);
    expect(validate({ ...rep, extra: 1 })).toBe(false);
    expect(validate({ ...rep, cycles: { ...rep.cycles, fp: 1.5 } })).toBe(false);
  });

  it('`vfpu schema` alone is still the workload schema; an unknown name is a usage error', async () => {
    expect(JSON.parse((await cli(['schema'])).out).title).toMatch(/^vfpu workload v1/);
    expect((await cli(['schema', 'nope'])).code).toBe(2);
  });
});
