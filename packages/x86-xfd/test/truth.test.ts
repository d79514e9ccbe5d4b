/**
 * Issue 12: paths where the oracle's truth and the machine must move together. Each workload is
 * valid and must report no violation under every policy, on every variant it applies to.
 */
import { InputError, type Machine, POLICY_NAMES, runText } from '@vfpu/core';
import { workloadText } from '@vfpu/testkit';
import { describe, expect, it } from 'vitest';
import { x86Xfd } from '../src/index.js';

const backends = [x86Xfd()];
const VARIANTS = ['kvm-6.16', 'kvm-lazy-cr0ts'];

function run(variant: string, events: string[], config: Record<string, unknown> = {}, vcpus = 1) {
  const text = workloadText({ arch: 'x86-xfd', variant, cpus: 1, vcpus, config }, events);
  return POLICY_NAMES.map((policy) => ({ policy, r: runText(text, { backends, policy }).report }));
}

function clean(variant: string, events: string[], config: Record<string, unknown> = {}, vcpus = 1) {
  for (const { policy, r } of run(variant, events, config, vcpus)) {
    expect({ policy, violations: r.check.violations, first: r.check.first }).toEqual({
      policy,
      violations: 0,
      first: null,
    });
    expect(r.check.reads).toBeGreaterThan(0);
  }
}

describe('item 1: a guest LDMXCSR reaches the register file (SDM LDMXCSR)', () => {
  for (const variant of VARIANTS) {
    it(`${variant}: the reproducer`, () => {
      clean(variant, [
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"guest-write","vcpu":0,"reg":"MXCSR","value":"0x1f81"}',
        '{"op":"use","vcpu":0,"unit":"sse","access":"read"}',
      ]);
    });
    it(`${variant}: the value survives a switch to another vCPU and userspace reads it`, () => {
      clean(
        variant,
        [
          '{"op":"run","vcpu":0,"cpu":0}',
          '{"op":"guest-write","vcpu":0,"reg":"MXCSR","set":["PE","DAZ"]}',
          '{"op":"exit","vcpu":0,"reason":"irq"}',
          '{"op":"put","vcpu":0}',
          '{"op":"run","vcpu":1,"cpu":0}',
          '{"op":"guest-write","vcpu":1,"reg":"MXCSR","value":"0x9fc0"}',
          '{"op":"exit","vcpu":1,"reason":"io"}',
          '{"op":"run","vcpu":0,"cpu":0}',
          '{"op":"use","vcpu":0,"unit":"sse","access":"read","reg":3}',
          '{"op":"exit","vcpu":0,"reason":"io"}',
          '{"op":"user-get","vcpu":0,"unit":"sse"}',
          '{"op":"user-get","vcpu":1,"unit":"sse"}',
        ],
        {},
        2,
      );
    });
  }
});

describe('item 2: userspace replaces the vCPU state; the truth follows', () => {
  // the syscalls exist on the 6.16 variant only (4.8's models none)
  for (const variant of ['kvm-6.16']) {
    // kvm_arch_vcpu_create → fpu_alloc_guest_fpstate: the new guest fpstate is the init state
    it(`${variant}: KVM_CREATE_VCPU after a user-set XSAVE`, () => {
      clean(variant, [
        '{"op":"user-set","vcpu":0,"id":"XSAVE"}',
        '{"op":"syscall","vcpu":0,"name":"KVM_CREATE_VCPU"}',
        '{"op":"user-get","vcpu":0,"id":"XSAVE2"}',
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"use","vcpu":0,"unit":"sse","access":"read"}',
        '{"op":"use","vcpu":0,"unit":"x87","access":"read"}',
      ]);
    });
    // copy_uabi_to_xstate: xfeatures = the header's; the XRSTORS initialises the rest, and
    // __copy_xstate_to_uabi_buf reports init_fpstate's MXCSR (0x1f80) without SSE and YMM
    it(`${variant}: KVM_SET_XSAVE with XSTATE_BV 0x20000 initialises SSE (MXCSR 0x1f80)`, () => {
      clean(variant, [
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"guest-write","vcpu":0,"reg":"MXCSR","value":"0x1f81"}',
        '{"op":"use","vcpu":0,"unit":"sse","access":"write"}',
        '{"op":"exit","vcpu":0,"reason":"io"}',
        '{"op":"syscall","vcpu":0,"name":"KVM_SET_XSAVE","value":"0x20000"}',
        '{"op":"user-get","vcpu":0,"id":"XSAVE2"}',
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"use","vcpu":0,"unit":"sse","access":"read"}',
      ]);
    });
  }
});

/** The image id of KVM_GET_XSAVE2 (4.8 has KVM_GET_XSAVE only). */
function image(variant: string): string {
  return variant === 'kvm-6.16' ? 'XSAVE2' : 'XSAVE';
}

describe('item 2: components the CPUID does not offer read as init (get_xsave2 mask)', () => {
  const noAvx512 = { cpuid: { xcr0: ['x87', 'sse', 'avx'] } };
  for (const variant of VARIANTS) {
    it(`${variant}: user-set of avx512 on a vCPU whose CPUID lacks AVX-512`, () => {
      clean(
        variant,
        [
          '{"op":"user-set","vcpu":0,"unit":"avx512"}',
          '{"op":"user-get","vcpu":0,"unit":"avx512"}',
          '{"op":"run","vcpu":0,"cpu":0}',
          '{"op":"use","vcpu":0,"unit":"avx","access":"read"}',
          '{"op":"exit","vcpu":0,"reason":"io"}',
          '{"op":"user-get","vcpu":0,"unit":"avx512"}',
          `{"op":"user-get","vcpu":0,"id":"${image(variant)}"}`,
        ],
        noAvx512,
      );
    });
    it(`${variant}: a KVM_SET_XSAVE image carries no component the CPUID lacks`, () => {
      clean(
        variant,
        [
          '{"op":"user-set","vcpu":0,"id":"XSAVE"}',
          `{"op":"user-get","vcpu":0,"id":"${image(variant)}"}`,
          '{"op":"run","vcpu":0,"cpu":0}',
          '{"op":"use","vcpu":0,"unit":"avx","access":"read"}',
        ],
        noAvx512,
      );
    });
  }
  // kvm_vcpu_after_set_cpuid before the first KVM_RUN: the buffer's AVX-512 state shows again
  it('kvm-6.16: a later KVM_SET_CPUID2 that offers AVX-512 shows what the buffer holds', () => {
    clean(
      'kvm-6.16',
      [
        '{"op":"user-set","vcpu":0,"unit":"avx512"}',
        '{"op":"syscall","vcpu":0,"name":"KVM_SET_CPUID2","value":"0x602e7"}',
        '{"op":"user-get","vcpu":0,"unit":"avx512"}',
        '{"op":"user-get","vcpu":0,"id":"XSAVE2"}',
        '{"op":"syscall","vcpu":0,"name":"KVM_SET_CPUID2","value":"0x7"}',
        '{"op":"user-get","vcpu":0,"id":"XSAVE2"}',
      ],
      noAvx512,
    );
  });
  // kvm_set_cpuid → cpuid_get_supported_xcr0: bits & kvm_caps.supported_xcr0 (0xcb63f0e7 → 0x200e7)
  it('kvm-6.16: KVM_SET_CPUID2 with reserved bits, then user-set of amx-tile', () => {
    clean('kvm-6.16', [
      '{"op":"syscall","vcpu":0,"name":"KVM_SET_CPUID2","value":"0xcb63f0e7"}',
      '{"op":"user-set","vcpu":0,"unit":"amx-tile"}',
      '{"op":"user-get","vcpu":0,"unit":"amx-tile"}',
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"sse","access":"read"}',
      '{"op":"exit","vcpu":0,"reason":"io"}',
      '{"op":"user-get","vcpu":0,"unit":"amx-tile"}',
      '{"op":"user-get","vcpu":0,"id":"XSAVE2"}',
    ]);
  });
  // validate_user_xstate_header: TILEDATA outside fpstate->user_xfeatures → -EINVAL, nothing stored
  it('kvm-6.16: user-set of amx-tile without the TILEDATA buffer stores nothing', () => {
    clean(
      'kvm-6.16',
      [
        '{"op":"user-set","vcpu":0,"unit":"amx-tile"}',
        '{"op":"user-get","vcpu":0,"unit":"amx-tile"}',
        '{"op":"user-get","vcpu":0,"id":"XSAVE2"}',
      ],
      { guestPermission: false },
    );
  });
});

describe('item 2: config XCR0 lists follow the architectural rules (__kvm_set_xcr)', () => {
  const bad: [string, string[], RegExp][] = [
    ['cpuid', ['x87', 'sse', 'hi16_zmm'], /bits 5–7\) go together/],
    ['cpuid', ['sse', 'avx'], /x87 \(bit 0\) must be set/],
    ['cpuid', ['x87', 'avx'], /avx \(bit 2\) needs sse/],
    ['cpuid', ['x87', 'sse', 'opmask', 'zmm_hi256', 'hi16_zmm'], /need avx/],
    ['cpuid', ['x87', 'sse', 'avx', 'xtilecfg'], /bits 17 and 18\) go together/],
    ['cpuid', ['x87', 'sse', 'bndregs'], /bndregs and bndcsr/],
    ['guest', ['x87', 'sse', 'xtiledata'], /bits 17 and 18\) go together/],
  ];
  for (const variant of VARIANTS)
    for (const [key, xcr0, why] of bad) {
      it(`${variant}: ${key}.xcr0 ${JSON.stringify(xcr0)} is refused, naming the field`, () => {
        const text = workloadText(
          { arch: 'x86-xfd', variant, cpus: 1, vcpus: 1, config: { [key]: { xcr0 } } },
          ['{"op":"run","vcpu":0,"cpu":0}'],
        );
        for (const policy of POLICY_NAMES) {
          let err: unknown;
          try {
            runText(text, { backends, policy });
          } catch (e) {
            err = e;
          }
          expect(InputError.isInstance(err)).toBe(true);
          expect(String((err as Error).message)).toMatch(new RegExp(`config\\.${key}\\.xcr0`));
          expect(String((err as Error).message)).toMatch(why);
        }
      });
    }
});

function gp(variant: string, events: string[]) {
  for (const { policy, r } of run(variant, events)) {
    expect({ policy, gp: r.traps['guest:gp'], violations: r.check.violations }).toEqual({
      policy,
      gp: 1,
      violations: 0,
    });
  }
  clean(variant, events);
}

describe('item 2: a passed-through IA32_XFD write of bits without XFD support (#GP)', () => {
  // the hardware checks CPUID.(EAX=0DH,ECX=i):ECX[2]: only TILEDATA supports XFD
  it('kvm-6.16: WRMSR IA32_XFD 0x9e after the pass-through: #GP, SSE state kept', () => {
    gp('kvm-6.16', [
      '{"op":"run","vcpu":0,"cpu":0}',
      '{"op":"use","vcpu":0,"unit":"sse","access":"write"}',
      '{"op":"guest-write","vcpu":0,"reg":"IA32_XFD","value":"0x40000"}',
      '{"op":"guest-write","vcpu":0,"reg":"IA32_XFD","value":"0x9e"}',
      '{"op":"use","vcpu":0,"unit":"sse","access":"read"}',
      '{"op":"exit","vcpu":0,"reason":"io"}',
      '{"op":"user-get","vcpu":0,"unit":"sse"}',
    ]);
  });
});

describe('LDMXCSR with reserved bits (16–31) raises #GP and keeps MXCSR', () => {
  for (const variant of VARIANTS)
    it(`${variant}: LDMXCSR 0xffff1f80 after 0x1f81`, () => {
      gp(variant, [
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"guest-write","vcpu":0,"reg":"MXCSR","value":"0x1f81"}',
        '{"op":"guest-write","vcpu":0,"reg":"MXCSR","value":"0xffff1f80"}',
        '{"op":"use","vcpu":0,"unit":"sse","access":"read"}',
        '{"op":"exit","vcpu":0,"reason":"io"}',
        '{"op":"user-get","vcpu":0,"unit":"sse"}',
        `{"op":"user-get","vcpu":0,"id":"${image(variant)}"}`,
      ]);
    });
});

describe('init values of the legacy area (SDM Vol. 1 §13.6; fpstate_init_fxstate)', () => {
  /** KVM_GET_XSAVE2 (handle 1; 4.8 has only KVM_GET_XSAVE, 0) of vCPU 0 after `events`. */
  function getXsave(variant: string, events: string[], seed = 1): Uint8Array {
    const inner = x86Xfd();
    let machine: Machine | undefined;
    const backend = {
      ...inner,
      createMachine: (init: Parameters<typeof inner.createMachine>[0]) => {
        machine = inner.createMachine(init);
        return machine;
      },
    };
    const text = workloadText({ arch: 'x86-xfd', variant, cpus: 1, vcpus: 1 }, events);
    runText(text, { backends: [backend], policy: 'kvm', seed });
    const buf = new Uint8Array(16384);
    expect(machine?.userRegisters?.getRegister(0, variant === 'kvm-6.16' ? 1 : 0, buf)).not.toBe(
      null,
    );
    return buf;
  }
  const u16 = (b: Uint8Array, off: number) => (b[off] as number) | ((b[off + 1] as number) << 8);

  for (const variant of VARIANTS) {
    it(`${variant}: a new vCPU's KVM_GET_XSAVE has FCW 0x037f and MXCSR 0x1f80`, () => {
      const b = getXsave(variant, []);
      expect(u16(b, 0).toString(16)).toBe('37f');
      expect(u16(b, 24).toString(16)).toBe('1f80');
    });
    it(`${variant}: x87 state the guest never used reads as init after it ran`, () => {
      const b = getXsave(variant, [
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"use","vcpu":0,"unit":"sse","access":"write"}',
        '{"op":"sched-out","vcpu":0}',
      ]);
      expect(u16(b, 0).toString(16)).toBe('37f');
    });
    it(`${variant}: a user-set XSAVE image carries a legal MXCSR (copy_uabi_to_xstate: -EINVAL otherwise)`, () => {
      for (const seed of [1, 2, 3, 4]) {
        const events = ['{"op":"user-set","vcpu":0,"id":"XSAVE"}'];
        const b = getXsave(variant, events, seed);
        const mxcsr =
          ((b[24] as number) |
            ((b[25] as number) << 8) |
            ((b[26] as number) << 16) |
            ((b[27] as number) << 24)) >>>
          0;
        expect(mxcsr & 0xffff0000).toBe(0);
      }
      clean(variant, [
        '{"op":"user-set","vcpu":0,"id":"XSAVE"}',
        '{"op":"run","vcpu":0,"cpu":0}',
        '{"op":"use","vcpu":0,"unit":"sse","access":"read"}',
        '{"op":"sched-out","vcpu":0}',
        '{"op":"user-get","vcpu":0,"id":"XSAVE"}',
      ]);
    });
  }
});
