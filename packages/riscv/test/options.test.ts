/** Options, ONE_REG ids, the two variants and the policies, as the README describes them. */
import { InputError, runText } from '@vfpu/core';
import { workloadText } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { riscv } from '../src/index.js';
import { idName, resolveId } from '../src/onereg-ids.js';

const backend = riscv();
const variant = backend.variants[0];
if (variant === undefined) throw new Error('no variant');
const shape = { cpus: 1, vcpus: 1, threads: [] };

describe('resolveConfig', () => {
  it('takes the defaults', () => {
    expect(backend.resolveConfig(variant, {}, shape)).toEqual({
      ok: true,
      value: { isa: 'fd', vector: true, vlen: 128, faults: [] },
    });
  });
  it.each([
    [{ isa: 'd' }, 'isa'],
    [{ vector: 1 }, 'vector'],
    [{ vlen: 1024 }, 'vlen'],
    [{ faults: ['nope'] }, 'faults[0]'],
    [{ faults: 'skip-dirty-save' }, 'faults'],
  ])('refuses %j at %s', (config, field) => {
    const r = backend.resolveConfig(variant, config, shape);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.field).toBe(field);
  });
  it('refuses an unknown option', () => {
    const r = backend.resolveConfig(variant, { VLEN: 128 }, shape);
    expect(r.ok).toBe(false);
  });
});

describe('ONE_REG ids', () => {
  it('resolves names to the kernel reg_num and back', () => {
    expect(idName(resolveId('FP_D(f[31])') as number)).toBe('KVM_REG_RISCV_FP_D_REG(f[31])');
    expect(idName(resolveId('FP_F(fcsr)') as number)).toBe('KVM_REG_RISCV_FP_F_REG(fcsr)');
    expect(idName(resolveId('VECTOR(v0)') as number)).toBe('KVM_REG_RISCV_VECTOR_REG(0)');
    expect((resolveId('VECTOR(v0)') as number) & 0xff).toBe(6);
    expect(idName(resolveId('VECTOR(vlenb)') as number)).toBe(
      'KVM_REG_RISCV_VECTOR_CSR_REG(vlenb)',
    );
  });
  it.each(['FP_F(f[32])', 'FP_D(f[03])', 'VECTOR(fcsr)', 'FP_D(vl)', 'VECTOR(f[1])', 'fp'])(
    'refuses %s',
    (id) => expect(typeof resolveId(id)).toBe('string'),
  );
  it('a malformed id is an input error at its line', () => {
    const text = workloadText({ arch: 'riscv', cpus: 1, vcpus: 1 }, [
      '{"op":"user-get","vcpu":0,"id":"FP_D(f[32])"}',
    ]);
    let error: unknown;
    try {
      runText(text, { backends: [riscv()], policy: 'kvm' });
    } catch (e) {
      error = e;
    }
    expect(InputError.isInstance(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/:2: id: register number 32 is not 0…31/);
  });
});

const illegal = [
  '{"op":"run","vcpu":0,"cpu":0}',
  '{"op":"use","vcpu":0,"unit":"v","access":"write","reg":1}',
  '{"op":"exit","vcpu":0,"reason":"mmio"}',
];

describe('variants and policies', () => {
  it('6.16 exits to KVM on an illegal instruction, 6.17 does not', () => {
    const run = (v: string) =>
      runText(
        workloadText(
          { arch: 'riscv', variant: v, cpus: 1, vcpus: 1, config: { vector: false } },
          illegal,
        ),
        { backends: [riscv()], policy: 'kvm' },
      ).report;
    expect(run('kvm-6.16').exits).toMatchObject({ instr_illegal_exits: 1, exits: 2 });
    expect(run('kvm-6.17').exits).toMatchObject({ instr_illegal_exits: 0, exits: 1 });
    expect(run('kvm-6.17').traps['guest:illegal_instruction']).toBe(1);
  });

  it('kvm and eager restore at vcpu_load (Linux); lazy parks at load and traps at first use; lazy-per-exit also after every exit', () => {
    const events = [
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"fp","access":"write","reg":1}',
      '{"op":"exit","vcpu":0,"reason":"hypercall"}',
      '{"op":"enter","vcpu":0}',
      '{"op":"use","vcpu":0,"unit":"fp","access":"read","reg":1}',
      '{"op":"exit","vcpu":0,"reason":"hypercall"}',
      '{"op":"enter","vcpu":0}',
      '{"op":"use","vcpu":0,"unit":"v","access":"read","reg":1}',
    ];
    const r = (policy: string) =>
      runText(workloadText({ arch: 'riscv', cpus: 1, vcpus: 1 }, events), {
        backends: [riscv()],
        policy,
      }).report;
    for (const p of ['kvm', 'eager'])
      expect(r(p).traps).toMatchObject({ illegal_insn_fs_off: 0, illegal_insn_vs_off: 0 });
    // the FP is loaded at the first use and stays until the put; the V at its first use
    for (const p of ['lazy', 'widest']) {
      expect(r(p).traps).toMatchObject({ illegal_insn_fs_off: 1, illegal_insn_vs_off: 1 });
      expect(r(p).check.violations).toBe(0);
    }
    const lpe = r('lazy-per-exit');
    // parked at the load, then after the first exit: two FP traps; V parked at the load: one
    expect(lpe.traps).toMatchObject({ illegal_insn_fs_off: 2, illegal_insn_vs_off: 1 });
    expect(lpe.check.violations).toBe(0);
  });
});
