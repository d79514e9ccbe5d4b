/**
 * `Machine.guestEnabled` against the hardware check (hardware.ts guestAccess): a unit it names
 * executes (after a root trap if root has not enabled it), one it does not is the guest's own
 * exception. The case that split them: a loongson-3a4000 VM with LASX and no MSA (Config3.MSAP
 * clear): LS-vz kvm_mips_guest_has_lasx does not look at MSAP, kvm_mips_guest_has_msa does.
 */
import { runText } from '@vfpu/core';
import { policyViewAfter } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { mipsVz } from '../src/index.js';

const backend = mipsVz();

/** guestEnabled after `run`, and each unit's guest exceptions and root traps when used alone. */
function probe(guest: Record<string, string[]>) {
  const header = JSON.stringify({
    format: 'vfpu-workload',
    version: 1,
    arch: 'mips-vz',
    variant: 'loongson-3a4000',
    cpus: 1,
    vcpus: 1,
    config: { guest },
  });
  const run = '{"op":"run","vcpu":0,"cpu":0}';
  const w = policyViewAfter(backend, `${header}\n${run}`);
  const enabled = w.lattice.units.filter((_, i) => w.guestEnabled(0) & (1 << i)).map((u) => u.id);
  const uses = Object.fromEntries(
    w.lattice.units.map((u) => {
      const use = `{"op":"use","vcpu":0,"unit":"${u.id}"}`;
      const r = runText(`${header}\n${run}\n${use}`, {
        backends: [backend],
        policy: 'lazy',
      }).report;
      const own = Object.entries(r.traps).filter(([k, n]) => k.startsWith('guest:') && n > 0);
      return [u.id, own.length === 0];
    }),
  );
  return { enabled, uses };
}

describe('mips-vz guestEnabled', () => {
  it('LASX without MSA (Config3.MSAP clear): LASX enabled and runs, MSA is the guest’s own exception', () => {
    const { enabled, uses } = probe({ Config3: [] });
    expect(enabled).toEqual(['fpu', 'lasx']);
    expect(uses).toEqual({ fpu: true, msa: false, lasx: true });
  });

  it('the default guest: every unit enabled, every use runs', () => {
    const { enabled, uses } = probe({});
    expect(enabled).toEqual(['fpu', 'msa', 'lasx']);
    expect(uses).toEqual({ fpu: true, msa: true, lasx: true });
  });
});
