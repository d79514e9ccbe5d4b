/**
 * Bad input and bad usage: every mistake exits 2 with one line on stderr that names the file,
 * the line and the field, prints nothing on stdout, shows no stack trace, and leaves no
 * half-written output file.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanup,
  cli,
  HEADER,
  IN_GUEST,
  type Line,
  ndjson,
  tempDir,
  writeFile,
} from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => cleanup(dir));

/** Header with some fields replaced (undefined removes a field). */
function header(over: Record<string, unknown> = {}): Record<string, unknown> {
  const h: Record<string, unknown> = { ...HEADER, ...over };
  for (const [k, v] of Object.entries(over)) if (v === undefined) delete h[k];
  return h;
}

/** Asserts the common shape of a bad-input failure and returns stderr. */
function expectUsageFailure(
  r: { code: number; out: string; err: string },
  fragments: readonly string[],
): void {
  expect(r.out).toBe('');
  expect(r.err).not.toContain('    at ');
  expect(r.err).not.toContain('internal error');
  for (const f of fragments) expect(r.err).toContain(f);
  // one message, one line
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.code).toBe(2);
}

interface WorkloadCase {
  /** Test name. */
  readonly name: string;
  /** The workload (header included) or raw text. */
  readonly workload: readonly Line[] | string;
  /** Line and field of the message (field null when the message has none). */
  readonly line: number;
  readonly field: string | null;
  /** The part of the message after `field: ` (or after `file:line: `). */
  readonly message: string;
  /** Further fragments the message must contain. */
  readonly also?: readonly string[];
  /** Extra arguments after `run FILE --json`. */
  readonly args?: readonly string[];
}

const WORKLOAD_CASES: readonly WorkloadCase[] = [
  // ---- line 1: the header ------------------------------------------------------------------
  {
    name: 'malformed JSON on line 1',
    workload: '{"format":"vfpu-workload",\n',
    line: 1,
    field: null,
    message: 'malformed JSON (',
  },
  {
    name: 'blank line 1 (no header)',
    workload: `\n${JSON.stringify(HEADER)}\n`,
    line: 1,
    field: null,
    message: 'malformed JSON (',
  },
  {
    name: 'header that is not an object',
    workload: [[1, 2, 3]],
    line: 1,
    field: null,
    message: 'the header must be a JSON object, got an array',
  },
  {
    name: 'wrong format',
    workload: [header({ format: 'vfpu-trace' })],
    line: 1,
    field: 'format',
    message: 'expected "vfpu-workload", got the string "vfpu-trace"',
  },
  {
    name: 'wrong version',
    workload: [header({ version: 2 })],
    line: 1,
    field: 'version',
    message: 'this vfpu reads workload version 1, got number 2',
  },
  {
    name: 'version as a string',
    workload: [header({ version: '1' })],
    line: 1,
    field: 'version',
    message: 'this vfpu reads workload version 1, got the string "1"',
  },
  {
    name: 'unknown header field',
    workload: [header({ colour: 'blue' })],
    line: 1,
    field: 'colour',
    message:
      'unknown header field (known: format, version, name, arch, variant, cpus, vcpus, threads, config)',
  },
  {
    name: 'header name not a string',
    workload: [header({ name: 7 })],
    line: 1,
    field: 'name',
    message: 'expected a string, got number 7',
  },
  {
    name: 'cpus not an integer',
    workload: [header({ cpus: 1.5 })],
    line: 1,
    field: 'cpus',
    message: 'expected an integer, got number 1.5',
  },
  {
    name: 'cpus as a string',
    workload: [header({ cpus: '2' })],
    line: 1,
    field: 'cpus',
    message: 'expected an integer, got the string "2"',
  },
  {
    name: 'cpus out of range (0)',
    workload: [header({ cpus: 0 })],
    line: 1,
    field: 'cpus',
    message: '0 is outside 1..1024',
  },
  {
    name: 'cpus out of range (2000)',
    workload: [header({ cpus: 2000 })],
    line: 1,
    field: 'cpus',
    message: '2000 is outside 1..1024',
  },
  {
    name: 'vcpus out of range',
    workload: [header({ vcpus: 5000 })],
    line: 1,
    field: 'vcpus',
    message: '5000 is outside 1..4096',
  },
  {
    name: 'threads not an array',
    workload: [header({ threads: 'bash' })],
    line: 1,
    field: 'threads',
    message: 'expected an array of names, got the string "bash"',
  },
  {
    name: 'bad threads entry (not a name)',
    workload: [header({ threads: ['bash', '1bad'] })],
    line: 1,
    field: 'threads[1]',
    message: 'expected a name like "bash", got the string "1bad"',
  },
  {
    name: 'bad threads entry (a number)',
    workload: [header({ threads: [42] })],
    line: 1,
    field: 'threads[0]',
    message: 'expected a name like "bash", got number 42',
  },
  {
    name: 'threads entry reserved for VMM threads',
    workload: [header({ threads: ['vmm0'] })],
    line: 1,
    field: 'threads[0]',
    message: '"vmm0" is reserved for vCPU VMM threads',
  },
  {
    name: 'thread declared twice',
    workload: [header({ threads: ['bash', 'bash'] })],
    line: 1,
    field: 'threads[1]',
    message: '"bash" declared twice',
  },
  {
    name: 'config not an object',
    workload: [header({ config: [] })],
    line: 1,
    field: 'config',
    message: 'expected an object, got an array',
  },
  // ---- config (backend options) ------------------------------------------------------------
  {
    name: 'unknown config option',
    workload: [header({ config: { turbo: true } })],
    line: 1,
    field: 'config.turbo',
    message: 'unknown option (known: fpu, msa, lasx, guest, host, vzRegs, quirks, faults)',
  },
  {
    name: 'bad config value: config.guest.Status unknown bit',
    workload: [header({ config: { guest: { Status: ['CU1', 'ZZ'] } } })],
    line: 1,
    field: 'config.guest.Status[1]',
    message: 'unknown bit "ZZ" (known: IE, EXL, ERL, BEV, MX, FR, CU0, CU1, CU2)',
  },
  {
    name: 'config.guest unknown register',
    workload: [header({ config: { guest: { Cause: [] } } })],
    line: 1,
    field: 'config.guest.Cause',
    message: 'unknown register (known: Status, Config1, Config3, Config5, Config)',
  },
  {
    name: 'config.guest register not an array',
    workload: [header({ config: { guest: { Status: 'CU1' } } })],
    line: 1,
    field: 'config.guest.Status',
    message: 'expected an array of bit names',
  },
  {
    name: 'config.fpu not a boolean',
    workload: [header({ config: { fpu: 'yes' } })],
    line: 1,
    field: 'config.fpu',
    message: 'expected true or false',
  },
  {
    name: 'config.host unknown feature',
    workload: [header({ config: { host: { avx: true } } })],
    line: 1,
    field: 'config.host.avx',
    message: 'unknown host feature (known: f64, fre, ufr)',
  },
  {
    name: 'config.quirks bad value',
    workload: [header({ config: { quirks: 'buggy' } })],
    line: 1,
    field: 'config.quirks',
    message: 'expected "kernel" or "fixed"',
  },
  {
    name: 'config.faults unknown fault',
    workload: [header({ config: { faults: ['nope'] } })],
    line: 1,
    field: 'config.faults[0]',
    message:
      'unknown fault "nope" (known: skip-msa-upper-restore, save-fpu-only, skip-vmm-lose-fpu, skip-fcsr-restore)',
  },
  // ---- arm-vfp config -------------------------------------------------------------------------
  {
    name: 'arm64 option on a 32-bit variant',
    workload: [header({ arch: 'arm-vfp', variant: 'armv7-2013', config: { sve: true } })],
    line: 1,
    field: 'config.sve',
    message: 'an arm64 option; armv7-2013 does not have it',
  },
  {
    name: 'SVE vector length out of range',
    workload: [header({ arch: 'arm-vfp', variant: 'arm64-e5', config: { vq: 17 } })],
    line: 1,
    field: 'config.vq',
    message: 'expected an integer from 1 to 16',
  },
  {
    name: 'unknown FPEXC bit',
    workload: [
      header({ arch: 'arm-vfp', variant: 'armv7-c', config: { guest: { FPEXC: ['EM'] } } }),
    ],
    line: 1,
    field: 'config.guest.FPEXC[0]',
    message: 'unknown bit "EM" (known: EX, EN, DEX, FP2V, VV, TFV)',
  },
  {
    name: 'unknown KVM_REG_ARM_VFP id',
    workload: [
      header({ arch: 'arm-vfp', variant: 'armv7-2013' }),
      { op: 'user-get', vcpu: 0, id: 'FPINST3' },
    ],
    line: 2,
    field: 'id',
    message: 'unknown register id "FPINST3"',
  },
  {
    name: 'condition on a use is passes or fails',
    workload: [
      header({ arch: 'arm-vfp', variant: 'armv7-2013' }),
      { op: 'run', vcpu: 0, cpu: 0 },
      { op: 'use', vcpu: 0, unit: 'vfp', condition: 'maybe' },
    ],
    line: 3,
    field: 'condition',
    message: 'expected passes or fails, got the string "maybe"',
  },
  // ---- arch and variant --------------------------------------------------------------------
  {
    name: 'unknown arch in the header',
    workload: [header({ arch: 'x86' })],
    line: 1,
    field: 'arch',
    message: 'unknown arch "x86" (known: mips-vz, arm-vfp, x86-xfd, loongarch)',
  },
  {
    name: 'arch not a string',
    workload: [header({ arch: 5 })],
    line: 1,
    field: 'arch',
    message: 'expected a string, got number 5',
  },
  {
    name: '--arch contradicting the header',
    workload: [header(), ...IN_GUEST],
    args: ['--arch', 'x86'],
    line: 1,
    field: 'arch',
    message: 'the workload is for mips-vz, but --arch x86 was given',
  },
  {
    name: 'unknown variant in the header',
    workload: [header({ variant: 'loongson' })],
    line: 1,
    field: 'variant',
    message: 'unknown variant "loongson" of mips-vz (known: loongson-3a4000, mainline)',
  },
  {
    name: 'unknown --variant',
    workload: [header(), ...IN_GUEST],
    args: ['--variant', 'v9'],
    line: 1,
    field: 'variant',
    message: 'unknown variant "v9" of mips-vz (known: loongson-3a4000, mainline)',
  },
  // ---- event syntax ------------------------------------------------------------------------
  {
    name: 'malformed JSON on a later line',
    workload: [header(), { op: 'load', vcpu: 0, cpu: 0 }, '{"op":"enter",'],
    line: 3,
    field: null,
    message: 'malformed JSON (',
  },
  {
    name: 'event not an object (array)',
    workload: [header(), ['load', 0, 0]],
    line: 2,
    field: null,
    message: 'an event must be a JSON object, got an array',
  },
  {
    name: 'event not an object (string)',
    workload: [header(), '"load"'],
    line: 2,
    field: null,
    message: 'an event must be a JSON object, got the string "load"',
  },
  {
    name: 'event null',
    workload: [header(), null],
    line: 2,
    field: null,
    message: 'an event must be a JSON object, got null',
  },
  {
    name: 'op not a string',
    workload: [header(), { op: 3, vcpu: 0 }],
    line: 2,
    field: 'op',
    message: 'expected an op name, got number 3',
  },
  {
    name: 'unknown op',
    workload: [header(), { op: 'fly', vcpu: 0 }],
    line: 2,
    field: 'op',
    message:
      'unknown op "fly" (known: load, enter, use, guest-write, exit, put, host-use, switch, kernel-fpu, user-get, user-set, work, run, sched-out, syscall)',
  },
  {
    name: 'unknown field for an op',
    workload: [header(), { op: 'load', vcpu: 0, cpu: 0 }, { op: 'enter', vcpu: 0, cpu: 0 }],
    line: 3,
    field: 'cpu',
    message: 'unknown field for op "enter" (allowed: vcpu)',
  },
  {
    name: 'missing required field',
    workload: [header(), { op: 'load', vcpu: 0 }],
    line: 2,
    field: 'cpu',
    message: 'missing (op "load" requires it)',
  },
  {
    name: 'wrong type: vcpu as a string',
    workload: [header(), { op: 'load', vcpu: '0', cpu: 0 }],
    line: 2,
    field: 'vcpu',
    message: 'expected an integer, got the string "0"',
  },
  {
    name: 'vcpu out of range',
    workload: [header(), { op: 'load', vcpu: 2, cpu: 0 }],
    line: 2,
    field: 'vcpu',
    message: '2 is outside 0..1',
  },
  {
    name: 'cpu out of range',
    workload: [header(), { op: 'load', vcpu: 0, cpu: 5 }],
    line: 2,
    field: 'cpu',
    message: '5 is outside 0..1',
  },
  {
    name: 'unknown unit',
    workload: [header(), ...IN_GUEST, { op: 'use', vcpu: 0, unit: 'avx' }],
    line: 4,
    field: 'unit',
    message:
      'unknown unit "avx" for loongson-3a4000 (known: fpu, msa, lasx, or a class: scalar, vec128, vec256, vec512, matrix)',
  },
  {
    name: 'unit not a string',
    workload: [header(), ...IN_GUEST, { op: 'use', vcpu: 0, unit: 5 }],
    line: 4,
    field: 'unit',
    message: 'expected a unit name, got number 5',
  },
  {
    name: 'backend unit in an arch-neutral workload',
    workload: [header({ arch: undefined }), ...IN_GUEST, { op: 'use', vcpu: 0, unit: 'msa' }],
    line: 4,
    field: 'unit',
    message:
      'unknown unit "msa" for loongson-3a4000 (this workload names no arch, so only classes: scalar, vec128, vec256, vec512, matrix)',
  },
  {
    name: 'bad access value',
    workload: [header(), ...IN_GUEST, { op: 'use', vcpu: 0, unit: 'msa', access: 'exec' }],
    line: 4,
    field: 'access',
    message: 'expected read, write or rw, got the string "exec"',
  },
  {
    name: 'reg out of range',
    workload: [
      header(),
      ...IN_GUEST,
      { op: 'use', vcpu: 0, unit: 'msa', access: 'write', reg: 32 },
    ],
    line: 4,
    field: 'reg',
    message: '32 is outside 0..31',
  },
  {
    name: 'reg negative (user-get)',
    workload: [header(), { op: 'user-get', vcpu: 0, unit: 'fpu', reg: -1 }],
    line: 2,
    field: 'reg',
    message: '-1 is outside 0..31',
  },
  {
    name: 'user-get with neither unit nor id',
    workload: [header(), { op: 'user-get', vcpu: 0 }],
    line: 2,
    field: 'unit',
    message: 'missing (give a unit or an id)',
  },
  {
    name: 'user-get with both unit and id',
    workload: [header(), { op: 'user-get', vcpu: 0, unit: 'fpu', id: 'FCR_CSR' }],
    line: 2,
    field: 'unit',
    message: 'give either a unit (and reg) or an id, not both',
  },
  {
    name: 'user-get with an unknown register id',
    workload: [header(), { op: 'user-get', vcpu: 0, id: 'FPR_16(2)' }],
    line: 2,
    field: 'id',
    message: 'unknown register id "FPR_16(2)"',
  },
  {
    name: 'user-get with a register number out of range',
    workload: [header(), { op: 'user-get', vcpu: 0, id: 'FPR_64(32)' }],
    line: 2,
    field: 'id',
    message: 'register number 32 out of range (0–31)',
  },
  {
    name: 'user-get with a register number written with a leading zero (FPR_32(03) was taken as 3)',
    workload: [header(), { op: 'user-get', vcpu: 0, id: 'FPR_32(03)' }],
    line: 2,
    field: 'id',
    message: 'unknown register id "FPR_32(03)"',
  },
  {
    name: 'user-get with a hex id outside the FPU set',
    workload: [header(), { op: 'user-get', vcpu: 0, id: '0x7030000000000003' }],
    line: 2,
    field: 'id',
    message: '0x7030000000000003 is not an FPU/MSA/LASX register id',
  },
  {
    name: 'user-set of KVM_GET_REG_LIST',
    workload: [header(), { op: 'user-set', vcpu: 0, id: 'KVM_GET_REG_LIST' }],
    line: 2,
    field: 'id',
    message: 'KVM_GET_REG_LIST is read-only: use it with user-get',
  },
  {
    name: 'user-get id as a number',
    workload: [header(), { op: 'user-get', vcpu: 0, id: 7 }],
    line: 2,
    field: 'id',
    message: 'expected a register id string, got number 7',
  },
  {
    name: 'reg as a string (use)',
    workload: [header(), ...IN_GUEST, { op: 'use', vcpu: 0, unit: 'fpu', reg: '3' }],
    line: 4,
    field: 'reg',
    message: 'expected an integer, got the string "3"',
  },
  {
    name: 'unknown exit reason',
    workload: [
      header(),
      ...IN_GUEST,
      { op: 'use', vcpu: 0, unit: 'fpu' },
      { op: 'exit', vcpu: 0, reason: 'boredom' },
    ],
    line: 5,
    field: 'reason',
    message:
      'expected one of mmio, irq, hlt, hypercall, signal, other, cop2, gsexc (loongson-3a4000), got the string "boredom"',
  },
  {
    name: 'unknown thread',
    workload: [header(), { op: 'switch', cpu: 0, thread: 'zsh' }],
    line: 2,
    field: 'thread',
    message: 'unknown thread "zsh" (known: vmm0..vmm1, bash)',
  },
  {
    name: 'VMM thread of a vcpu that does not exist',
    workload: [header(), { op: 'switch', cpu: 0, thread: 'vmm7' }],
    line: 2,
    field: 'thread',
    message: 'unknown thread "vmm7" (known: vmm0..vmm1, bash)',
  },
  {
    name: 'VMM thread with a leading zero (vmm00 is not vmm0)',
    workload: [header(), { op: 'switch', cpu: 0, thread: 'vmm00' }],
    line: 2,
    field: 'thread',
    message: 'unknown thread "vmm00" (known: vmm0..vmm1, bash)',
  },
  {
    name: 'VMM thread with a leading zero (vmm01 is not vmm1)',
    workload: [header(), { op: 'host-use', cpu: 0, unit: 'fpu', thread: 'vmm01' }],
    line: 2,
    field: 'thread',
    message: 'unknown thread "vmm01" (known: vmm0..vmm1, bash)',
  },
  {
    name: 'thread not a string',
    workload: [header(), { op: 'switch', cpu: 0, thread: 3 }],
    line: 2,
    field: 'thread',
    message: 'expected a thread name, got number 3',
  },
  {
    name: 'negative cycles',
    workload: [header(), { op: 'work', cpu: 0, cycles: -5 }],
    line: 2,
    field: 'cycles',
    message: '-5 is outside 0..9007199254740991',
  },
  {
    name: 'work with neither vcpu nor cpu',
    workload: [header(), { op: 'work', cycles: 5 }],
    line: 2,
    field: 'vcpu',
    message: 'op "work" needs a vcpu or a cpu',
  },
  // ---- guest-write ---------------------------------------------------------------------------
  {
    name: 'guest-write: unknown register',
    workload: [header(), ...IN_GUEST, { op: 'guest-write', vcpu: 0, reg: 'Cause', value: 1 }],
    line: 4,
    field: 'reg',
    message: 'unknown control register',
    also: ['"Cause"', 'for loongson-3a4000 (known: Status, Config5, FCSR, MSACSR, Config)'],
  },
  {
    name: 'guest-write: unknown bit',
    workload: [
      header(),
      ...IN_GUEST,
      { op: 'guest-write', vcpu: 0, reg: 'Status', set: ['CU1', 'XX'] },
    ],
    line: 4,
    field: 'set[1]',
    message: 'unknown bit',
    also: ['"XX"', 'of Status (known: IE, EXL, ERL, BEV, MX, FR, CU0, CU1, CU2)'],
  },
  {
    name: 'guest-write: set not an array',
    workload: [
      header(),
      ...IN_GUEST,
      { op: 'guest-write', vcpu: 0, reg: 'Config5', clear: 'MSAEn' },
    ],
    line: 4,
    field: 'clear',
    message: 'expected an array of bit names, got the string "MSAEn"',
  },
  {
    name: 'guest-write: value and set together',
    workload: [
      header(),
      ...IN_GUEST,
      { op: 'guest-write', vcpu: 0, reg: 'Status', value: 1, set: ['CU1'] },
    ],
    line: 4,
    field: 'value',
    message: 'give either value or set/clear, not both',
  },
  {
    name: 'guest-write: neither value nor set/clear',
    workload: [header(), ...IN_GUEST, { op: 'guest-write', vcpu: 0, reg: 'Status' }],
    line: 4,
    field: 'set',
    message: 'guest-write needs value, set or clear',
  },
  {
    name: 'guest-write: value not a 32-bit unsigned integer',
    workload: [header(), ...IN_GUEST, { op: 'guest-write', vcpu: 0, reg: 'Status', value: -1 }],
    line: 4,
    field: 'value',
    message: 'expected a 32-bit unsigned integer or "0x…", got number -1',
  },
  {
    name: 'guest-write: malformed hex value',
    workload: [header(), ...IN_GUEST, { op: 'guest-write', vcpu: 0, reg: 'Status', value: '0xZZ' }],
    line: 4,
    field: 'value',
    message: 'expected a 32-bit unsigned integer or "0x…", got the string "0xZZ"',
  },
  {
    name: 'guest-write: a bit both set and cleared',
    workload: [
      header(),
      ...IN_GUEST,
      { op: 'guest-write', vcpu: 0, reg: 'Status', set: ['CU1'], clear: ['CU1'] },
    ],
    line: 4,
    field: 'clear',
    message: 'a bit is both set and cleared',
  },
  // ---- events impossible in the current state (the engine) ----------------------------------
  {
    name: 'use outside guest mode',
    workload: [header(), { op: 'load', vcpu: 0, cpu: 0 }, { op: 'use', vcpu: 0, unit: 'fpu' }],
    line: 3,
    field: 'vcpu',
    message: 'use: vcpu 0 is not in guest mode',
  },
  {
    name: 'use of a vcpu that is not loaded',
    workload: [header(), { op: 'use', vcpu: 1, unit: 'fpu' }],
    line: 2,
    field: 'vcpu',
    message: 'use: vcpu 1 is not loaded',
  },
  {
    name: 'enter while not loaded',
    workload: [header(), { op: 'enter', vcpu: 1 }],
    line: 2,
    field: 'vcpu',
    message: 'enter: vcpu 1 is not loaded',
  },
  {
    name: 'enter twice',
    workload: [header(), ...IN_GUEST, { op: 'enter', vcpu: 0 }],
    line: 4,
    field: 'vcpu',
    message: 'enter: vcpu 0 is already in guest mode',
  },
  {
    name: 'two vCPUs on one pCPU',
    workload: [header(), { op: 'load', vcpu: 0, cpu: 1 }, { op: 'load', vcpu: 1, cpu: 1 }],
    line: 3,
    field: 'cpu',
    message: 'cpu 1 already has vcpu 0 loaded; put it first',
  },
  {
    name: 'one vCPU loaded twice',
    workload: [header(), { op: 'load', vcpu: 0, cpu: 1 }, { op: 'load', vcpu: 0, cpu: 0 }],
    line: 3,
    field: 'vcpu',
    message: 'vcpu 0 is already loaded on cpu 1',
  },
  {
    name: 'exit while not in guest mode',
    workload: [header(), { op: 'load', vcpu: 0, cpu: 0 }, { op: 'exit', vcpu: 0, reason: 'irq' }],
    line: 3,
    field: 'vcpu',
    message: 'exit: vcpu 0 is not in guest mode',
  },
  {
    name: 'put while in guest mode',
    workload: [header(), ...IN_GUEST, { op: 'put', vcpu: 0 }],
    line: 4,
    field: 'vcpu',
    message: 'put: vcpu 0 is in guest mode; exit first (or use sched-out)',
  },
  {
    name: 'put of a vcpu that is not loaded',
    workload: [header(), { op: 'put', vcpu: 0 }],
    line: 2,
    field: 'vcpu',
    message: 'put: vcpu 0 is not loaded',
  },
  {
    name: 'host-use while a vcpu is loaded on that cpu',
    workload: [header(), { op: 'load', vcpu: 0, cpu: 0 }, { op: 'host-use', cpu: 0, unit: 'fpu' }],
    line: 3,
    field: 'cpu',
    message:
      'host-use on cpu 0 while vcpu 0 is loaded there (inside KVM_RUN); put it first (sched-out)',
  },
  {
    name: 'host-use with no thread running',
    workload: [header(), { op: 'host-use', cpu: 1, unit: 'fpu' }],
    line: 2,
    field: 'cpu',
    message: 'host-use: no thread is running on cpu 1; add a switch first',
  },
  {
    name: 'host-use naming a thread that is not running',
    workload: [
      header(),
      { op: 'switch', cpu: 1, thread: 'bash' },
      { op: 'host-use', cpu: 1, unit: 'fpu', thread: 'vmm0' },
    ],
    line: 3,
    field: 'thread',
    message: 'host-use: vmm0 is not running on cpu 1 (bash is); add a switch first',
  },
  {
    name: 'kernel-fpu while a vcpu runs in guest mode on that cpu',
    workload: [
      header(),
      { op: 'load', vcpu: 0, cpu: 0 },
      { op: 'enter', vcpu: 0 },
      { op: 'kernel-fpu', cpu: 0 },
    ],
    line: 4,
    field: 'cpu',
    message: 'kernel-fpu on cpu 0 while vcpu 0 runs in guest mode there; exit first',
  },
  {
    name: 'switch to a VMM thread inside KVM_RUN on another cpu',
    workload: [header(), { op: 'load', vcpu: 0, cpu: 0 }, { op: 'switch', cpu: 1, thread: 'vmm0' }],
    line: 3,
    field: 'thread',
    message: 'vmm0 is inside KVM_RUN on cpu 0; put its vcpu first',
  },
  {
    name: 'run of an unloaded vcpu without a cpu',
    workload: [header(), { op: 'run', vcpu: 0 }],
    line: 2,
    field: 'cpu',
    message: 'run: vcpu 0 is not loaded, so run needs a cpu',
  },
  {
    name: 'run on another cpu than the one the vcpu is loaded on',
    workload: [header(), { op: 'run', vcpu: 0, cpu: 0 }, { op: 'run', vcpu: 0, cpu: 1 }],
    line: 3,
    field: 'cpu',
    message: 'run: vcpu 0 is loaded on cpu 0, not 1',
  },
  {
    name: 'sched-out of a vcpu that is not loaded',
    workload: [header(), { op: 'sched-out', vcpu: 0 }],
    line: 2,
    field: 'vcpu',
    message: 'sched-out: vcpu 0 is not loaded',
  },
  {
    name: 'work on a vcpu that is not in guest mode',
    workload: [header(), { op: 'load', vcpu: 1, cpu: 1 }, { op: 'work', vcpu: 1, cycles: 10 }],
    line: 3,
    field: 'vcpu',
    message: 'work: vcpu 1 is not in guest mode',
  },
];

describe('bad workloads: exit 2, FILE:LINE: FIELD: message', () => {
  WORKLOAD_CASES.forEach((c, i) => {
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

describe('bad input files', () => {
  it('missing file', async () => {
    const file = join(dir, 'does-not-exist.ndjson');
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}: cannot read: no such file`,
    ]);
  });

  it('a directory instead of a file', async () => {
    expectUsageFailure(await cli(['run', dir, '--json']), [
      `vfpu: ${dir}: cannot read: is a directory`,
    ]);
  });

  it('empty file', async () => {
    const file = writeFile(dir, 'empty.ndjson', '');
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}:1: empty workload: line 1 must be the header`,
    ]);
  });

  it('a .gz file that is not gzip', async () => {
    const file = writeFile(dir, 'plain.ndjson.gz', ndjson([HEADER]));
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}: cannot read: not valid gzip data (`,
    ]);
  });

  it('a truncated .gz file', async () => {
    const gz = gzipSync(Buffer.from(ndjson([HEADER, ...IN_GUEST])));
    const file = writeFile(dir, 'truncated.ndjson.gz', gz.subarray(0, 20));
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}: cannot read: not valid gzip data (`,
    ]);
  });

  it('a bad event inside a .gz file names the .gz file and the line', async () => {
    const gz = gzipSync(
      Buffer.from(ndjson([HEADER, ...IN_GUEST, { op: 'use', vcpu: 0, unit: 'avx' }])),
    );
    const file = writeFile(dir, 'bad-event.ndjson.gz', gz);
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}:4: unit: unknown unit "avx"`,
    ]);
  });
});

describe('bad cost files', () => {
  const workload = () => writeFile(dir, 'costs-workload.ndjson', [HEADER, ...IN_GUEST]);

  it('control: a valid cost file is accepted', async () => {
    const costs = writeFile(
      dir,
      'good-costs.json',
      JSON.stringify({ trap: 1, exit: { value: 2, source: 'test' } }),
    );
    const r = await cli(['run', workload(), '--json', '--costs', costs]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).config.costs.trap).toEqual({ value: 1, source: 'user' });
  });

  it('unknown cost key', async () => {
    const costs = writeFile(dir, 'unknown-key.json', JSON.stringify({ trap: 1, bogus: 2 }));
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: bogus: unknown cost "bogus" (known: trap, host_trap, exit, save_fixed, save_per_byte, restore_fixed, restore_per_byte, control)`,
    ]);
  });

  it('a costs file that is not UTF-8 says so (it said "malformed JSON (Unexpected token …)")', async () => {
    const costs = writeFile(
      dir,
      'latin1.json',
      Uint8Array.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]),
    );
    const r = await cli(['run', workload(), '--json', '--costs', costs]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${costs}: not UTF-8 text`);
  });

  it('a cost given twice (JSON would keep the last)', async () => {
    const costs = writeFile(dir, 'twice.json', '{"trap": 1, "exit": 2, "trap": 3}');
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: trap: given twice (JSON would keep only the last; give each field once)`,
    ]);
  });

  it('malformed JSON', async () => {
    const costs = writeFile(dir, 'malformed.json', '{trap: 1');
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: malformed JSON (`,
    ]);
  });

  it('not an object', async () => {
    const costs = writeFile(dir, 'array.json', '[1]');
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: (top level): a cost table is a JSON object`,
    ]);
  });

  it('negative figure', async () => {
    const costs = writeFile(dir, 'negative.json', '{"trap": -1}');
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: trap: expected a finite number ≥ 0`,
    ]);
  });

  it('figure of the wrong type', async () => {
    const costs = writeFile(dir, 'string.json', '{"trap": "fast"}');
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: trap: expected a number or {"value": number, "source": string}`,
    ]);
  });

  it('missing cost file', async () => {
    const costs = join(dir, 'no-costs.json');
    expectUsageFailure(await cli(['run', workload(), '--json', '--costs', costs]), [
      `vfpu: ${costs}: cannot read: `,
    ]);
  });
});

describe('deeply nested JSON (found by fuzzing: a stack overflow, exit 3, before)', () => {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

  it('a header option nested 200,000 deep is refused, naming the option', async () => {
    const text = `{"format":"vfpu-workload","version":1,"arch":"mips-vz","cpus":1,"vcpus":1,"config":{"guest":${deep(200_000)}}}\n`;
    const file = writeFile(dir, 'deep-header.ndjson', text);
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}:1: config: nested more than 64 levels deep`,
    ]);
  });

  it('a header nested just within the limit gets the option message', async () => {
    const text = `{"format":"vfpu-workload","version":1,"arch":"mips-vz","cpus":1,"vcpus":1,"config":{"guest":${deep(62)}}}\n`;
    const file = writeFile(dir, 'deep-header-ok.ndjson', text);
    const r = await cli(['run', file, '--json']);
    expect(r.err).toContain(`vfpu: ${file}:1: config.guest`);
    expect(r.code).toBe(2);
  });

  it('an event with a value nested 200,000 deep (and a nested object) is refused at its line', async () => {
    const event = `{"op":"run","vcpu":0,"cpu":0,"x":${deep(200_000)},"y":{"a":1}}`;
    const file = writeFile(dir, 'deep-event.ndjson', `${JSON.stringify(HEADER)}\n${event}\n`);
    expectUsageFailure(await cli(['run', file, '--json']), [
      `vfpu: ${file}:2: x: unknown field for op "run"`,
    ]);
  });

  it('a --costs file nested 200,000 deep is refused', async () => {
    const costs = writeFile(dir, 'deep-costs.json', `{"trap":${deep(200_000)},"exit":{"value":1}}`);
    const workload = writeFile(dir, 'deep-costs.ndjson', [HEADER, ...IN_GUEST]);
    expectUsageFailure(await cli(['run', workload, '--json', '--costs', costs]), [
      `vfpu: ${costs}: trap: `,
    ]);
  });
});

describe('bad options', () => {
  const workload = () => writeFile(dir, 'options-workload.ndjson', [HEADER, ...IN_GUEST]);

  it('unknown policy', async () => {
    expectUsageFailure(await cli(['run', workload(), '--json', '--policy', 'greedy']), [
      'vfpu: --policy: unknown policy "greedy" (known: kvm, lazy, eager, lazy-per-exit, widest, adaptive)',
    ]);
  });

  it('unknown policy later in a list: nothing printed for the first', async () => {
    expectUsageFailure(await cli(['run', workload(), '--json', '--policy', 'kvm,bogus']), [
      'vfpu: --policy: unknown policy "bogus"',
    ]);
  });

  it('bad policy parameter', async () => {
    expectUsageFailure(await cli(['run', workload(), '--json', '--policy', 'adaptive:speed=3']), [
      'vfpu: --policy: policy adaptive: bad parameter "speed=3" (expected key=integer; keys: threshold, wrap, initial)',
    ]);
  });

  it('parameter for a policy that has none', async () => {
    expectUsageFailure(await cli(['run', workload(), '--json', '--policy', 'eager:x=1']), [
      'vfpu: --policy: policy eager: bad parameter "x=1" (expected key=integer; keys: none)',
    ]);
  });

  it('policy parameter out of range', async () => {
    expectUsageFailure(
      await cli(['run', workload(), '--json', '--policy', 'adaptive:threshold=99999999']),
      ['vfpu: --policy: policy adaptive: threshold=99999999 is outside 1..1000000'],
    );
  });

  it('empty policy list', async () => {
    expectUsageFailure(await cli(['run', workload(), '--json', '--policy', ',']), [
      'vfpu: --policy: give at least one policy',
    ]);
  });

  it('--trace with several policies', async () => {
    const out = join(dir, 'two-policies.trace');
    expectUsageFailure(await cli(['run', workload(), '--policy', 'kvm,eager', '--trace', out]), [
      'vfpu: --trace takes one policy',
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('unknown preset', async () => {
    expectUsageFailure(await cli(['run', 'preset:bogus', '--json']), [
      'vfpu: preset:bogus: unknown preset "bogus" (known: idle, desktop, hpc, io-heavy, simd-bursty, overcommit)',
    ]);
  });

  it('unknown preset parameter', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--events', '10', '--param', 'bogus=1']), [
      'vfpu: preset:idle: preset idle: unknown parameter "bogus" (known: scalar,',
    ]);
  });

  it('preset parameter out of range', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--events', '10', '--param', 'cpus=0']), [
      'vfpu: preset:idle: preset idle: cpus must be an integer in 1..1024',
    ]);
  });

  it('preset probabilities summing above 1', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--events', '10', '--param', 'scalar=2']), [
      'vfpu: preset:idle: preset idle: scalar+vec128+vec256+vec512+matrix+exit = ',
      ' > 1',
    ]);
  });

  it('bad --param syntax', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--param', 'bogus']), [
      'vfpu: --param: expected key=number, got "bogus"',
    ]);
  });

  it('bad --param value', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--param', 'slice=-']), [
      'vfpu: --param: expected key=number, got "slice=-"',
    ]);
  });

  it('--param with a file workload', async () => {
    expectUsageFailure(await cli(['run', workload(), '--param', 'slice=3']), [
      'vfpu: --param applies to preset: workloads only',
    ]);
  });

  it('--arch unknown for a preset', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--events', '10', '--arch', 'x86']), [
      'arch: unknown arch "x86" (known: mips-vz, arm-vfp, x86-xfd, loongarch)',
    ]);
  });

  it('bad --seed (not a number)', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--seed', 'abc']), [
      'vfpu: --seed: expected an integer, got "abc"',
    ]);
  });

  it('bad --seed (negative)', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--seed', '-1']), [
      'vfpu: --seed: expected an integer, got "-1"',
    ]);
  });

  it('bad --seed (above 32 bits)', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--seed', '99999999999']), [
      'vfpu: --seed: 99999999999 is outside 0..4294967295',
    ]);
  });

  it('bad --events', async () => {
    expectUsageFailure(await cli(['run', 'preset:idle', '--events', '0']), [
      'vfpu: --events: 0 is outside 1..',
    ]);
  });

  it('gen: unknown preset', async () => {
    expectUsageFailure(await cli(['gen', 'bogus', '--events', '10']), [
      'vfpu: unknown preset "bogus" (known: idle, desktop, hpc, io-heavy, simd-bursty, overcommit)',
    ]);
  });

  it('gen: bad --seed', async () => {
    expectUsageFailure(await cli(['gen', 'idle', '--seed', '1.5']), [
      'vfpu: --seed: expected an integer, got "1.5"',
    ]);
  });

  it('unknown command', async () => {
    expectUsageFailure(await cli(['frobnicate']), ["error: unknown command 'frobnicate'"]);
  });

  it('unknown option', async () => {
    expectUsageFailure(await cli(['run', workload(), '--frob']), [
      "error: unknown option '--frob'",
    ]);
  });

  it('missing argument', async () => {
    expectUsageFailure(await cli(['run']), ["error: missing required argument 'workload'"]);
  });
});

describe('no half-written output', () => {
  const badAtLine5: readonly Line[] = [
    HEADER,
    ...IN_GUEST,
    { op: 'use', vcpu: 0, unit: 'fpu', access: 'write' },
    { op: 'use', vcpu: 0, unit: 'avx' },
  ];

  it('control: run --trace OUT on a good workload writes OUT and nothing else', async () => {
    const d = tempDir();
    try {
      const file = writeFile(d, 'w.ndjson', badAtLine5.slice(0, 4));
      const out = join(d, 'trace.txt');
      const r = await cli(['run', file, '--trace', out]);
      expect(r.code).toBe(0);
      expect(readFileSync(out, 'utf8')).toContain(
        'L4 {"op":"use","vcpu":0,"unit":"fpu","access":"write"}',
      );
      expect(readdirSync(d).sort()).toEqual(['trace.txt', 'w.ndjson']);
    } finally {
      cleanup(d);
    }
  });

  it('run --trace OUT with an error at line 5 leaves no OUT and no temporary file', async () => {
    const d = tempDir();
    try {
      const file = writeFile(d, 'w.ndjson', badAtLine5);
      const out = join(d, 'trace.txt');
      const r = await cli(['run', file, '--trace', out]);
      expectUsageFailure(r, [`vfpu: ${file}:5: unit: unknown unit "avx"`]);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(d)).toEqual(['w.ndjson']);
    } finally {
      cleanup(d);
    }
  });

  it('run --trace OUT with an error keeps an existing OUT unchanged', async () => {
    const d = tempDir();
    try {
      const file = writeFile(d, 'w.ndjson', badAtLine5);
      const out = join(d, 'trace.txt');
      writeFileSync(out, 'previous trace\n');
      const r = await cli(['run', file, '--trace', out]);
      expect(r.code).toBe(2);
      expect(readFileSync(out, 'utf8')).toBe('previous trace\n');
      expect(readdirSync(d).sort()).toEqual(['trace.txt', 'w.ndjson']);
    } finally {
      cleanup(d);
    }
  });

  it('run --trace OUT.gz with a bad policy leaves nothing', async () => {
    const d = tempDir();
    try {
      const file = writeFile(d, 'w.ndjson', badAtLine5.slice(0, 4));
      const r = await cli(['run', file, '--policy', 'bogus', '--trace', join(d, 'trace.txt.gz')]);
      expectUsageFailure(r, ['vfpu: --policy: unknown policy "bogus"']);
      expect(readdirSync(d)).toEqual(['w.ndjson']);
    } finally {
      cleanup(d);
    }
  });

  it('gen overcommit -o OUT --param bogus=1 leaves no OUT', async () => {
    const d = tempDir();
    try {
      const out = join(d, 'gen.ndjson');
      const r = await cli(['gen', 'overcommit', '-o', out, '--param', 'bogus=1']);
      expectUsageFailure(r, ['vfpu: preset overcommit: unknown parameter "bogus"']);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(d)).toEqual([]);
    } finally {
      cleanup(d);
    }
  });
});

describe('bad input once accepted with exit 0 (issue 12 item 8)', () => {
  const X86 = { ...HEADER, arch: 'x86-xfd', cpus: 1, vcpus: 1, threads: ['bash'] };
  const run = (name: string, content: string | readonly Line[] | Uint8Array, ...args: string[]) => {
    const file = writeFile(dir, name, content);
    return cli(['run', file, '--json', ...args]).then((r) => ({ ...r, file }));
  };
  const ok = (r: { code: number; err: string }) => {
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  };

  it('a duplicate key in an event (JSON keeps the last) is refused with its field', async () => {
    const r = await run('dup-event.ndjson', [header(), '{"op":"load","vcpu":0,"cpu":0,"vcpu":1}']);
    expectUsageFailure(r, [`vfpu: ${r.file}:2: vcpu: given twice (JSON would keep only the last`]);
  });

  it('a duplicate op is refused', async () => {
    const r = await run('dup-op.ndjson', [
      header(),
      ...IN_GUEST,
      '{"op":"use","op":"put","vcpu":0}',
    ]);
    expectUsageFailure(r, [`vfpu: ${r.file}:4: op: given twice`]);
  });

  it('a duplicate key in the header is refused', async () => {
    const text = JSON.stringify(header()).replace('"cpus":2', '"cpus":2,"cpus":1');
    const r = await run('dup-header.ndjson', [text, ...IN_GUEST]);
    expectUsageFailure(r, [`vfpu: ${r.file}:1: cpus: given twice`]);
  });

  it('a duplicate key inside the header config is refused with its path', async () => {
    const text = JSON.stringify(header()).replace(
      '"config":{}',
      '"config":{"guest":{"Status":["CU1"],"Status":[]}}',
    );
    const r = await run('dup-config.ndjson', [text, ...IN_GUEST]);
    expectUsageFailure(r, [`vfpu: ${r.file}:1: config.guest.Status: given twice`]);
  });

  it('control: a ":" inside a string is no duplicate (the error is the unknown unit)', async () => {
    const r = await run('colon.ndjson', [
      header(),
      ...IN_GUEST,
      '{"op":"use","vcpu":0,"unit":"a:b:c"}',
    ]);
    expectUsageFailure(r, [`vfpu: ${r.file}:4: unit: unknown unit "a:b:c"`]);
  });

  for (const key of ['threads', 'config'] as const) {
    it(`"${key}": null in the header is refused (not taken as the default)`, async () => {
      const r = await run(`null-${key}.ndjson`, [header({ [key]: null }), ...IN_GUEST]);
      expectUsageFailure(r, [
        `vfpu: ${r.file}:1: ${key}: null is not a value here; omit the field to take its default`,
      ]);
    });
  }

  it('an option set to null is refused (not taken as the default)', async () => {
    const r = await run('null-option.ndjson', [header({ config: { quirks: null } }), ...IN_GUEST]);
    expectUsageFailure(r, [
      `vfpu: ${r.file}:1: config.quirks: null is not a value here; omit the option to take its default`,
    ]);
  });

  it('a null inside an option is refused with its path', async () => {
    const config = { guest: { Status: null } };
    const r = await run('null-inner.ndjson', [header({ config }), ...IN_GUEST]);
    expectUsageFailure(r, [`vfpu: ${r.file}:1: config.guest.Status: null is not a value here`]);
  });

  it('control: an option whose schema admits null (mips-vz vzRegs) still takes it', async () => {
    ok(await run('null-vzregs.ndjson', [header({ config: { vzRegs: null } }), ...IN_GUEST]));
  });

  it('x86 amxPermission naming an unknown thread is refused', async () => {
    const h = { ...X86, config: { amxPermission: ['bash', 'no-such-thread'] } };
    const r = await run('amx-unknown.ndjson', [h]);
    expectUsageFailure(r, [
      `vfpu: ${r.file}:1: config.amxPermission[1]: unknown thread "no-such-thread" (known: vmm0..vmm0, bash)`,
    ]);
  });

  it('x86 amxPermission naming the VMM thread of a vCPU the header lacks is refused', async () => {
    const r = await run('amx-vmm.ndjson', [{ ...X86, config: { amxPermission: ['vmm1'] } }]);
    expectUsageFailure(r, [`vfpu: ${r.file}:1: config.amxPermission[0]: unknown thread "vmm1"`]);
  });

  it('control: amxPermission of declared and VMM threads is accepted', async () => {
    ok(await run('amx-ok.ndjson', [{ ...X86, config: { amxPermission: ['bash', 'vmm0'] } }]));
  });

  it('non-UTF-8 bytes are refused with their line (not replaced by U+FFFD)', async () => {
    const text = ndjson([header(), ...IN_GUEST]);
    const bytes = Buffer.concat([
      Buffer.from(text),
      Buffer.from('{"op":"use","vcpu":0,"unit":"fpu'),
      Buffer.from([0xff]),
      Buffer.from('"}\n'),
    ]);
    const r = await run('latin.ndjson', bytes);
    expectUsageFailure(r, [`vfpu: ${r.file}:4: not UTF-8 text (byte 0xff)`]);
  });

  it('a character cut short at the end of the file is refused with its line', async () => {
    const bytes = Buffer.concat([
      Buffer.from(ndjson([header(), ...IN_GUEST])),
      Buffer.from([0xe2, 0x82]),
    ]);
    const r = await run('cut.ndjson', bytes);
    expectUsageFailure(r, [`vfpu: ${r.file}:4: not UTF-8 text (byte 0xe2)`]);
  });

  it('cost figures that overflow are refused (a documented bound: 1e9 cycles)', async () => {
    const w = writeFile(dir, 'costs-overflow.ndjson', [HEADER, ...IN_GUEST]);
    const costs = writeFile(dir, 'overflow.json', '{"trap":1.5e308,"exit":1.5e308}');
    expectUsageFailure(await cli(['run', w, '--json', '--costs', costs]), [
      `vfpu: ${costs}: trap: 1.5e+308 is above 1e9 cycles, the bound of one figure`,
    ]);
    const edge = writeFile(dir, 'edge.json', '{"trap":1e9,"exit":1e9}');
    const r = await cli(['run', w, '--json', '--costs', edge]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).cycles.total).toBeTypeOf('number');
  });

  it('work cycles summing past 2^53 - 1 are refused with the line (never reported inexactly)', async () => {
    const max = Number.MAX_SAFE_INTEGER;
    const work = (cycles: number) => ({ op: 'work', vcpu: 0, cycles });
    const r = await run('work-sum.ndjson', [
      header(),
      ...IN_GUEST,
      work(max - 1),
      work(1),
      work(1),
    ]);
    expectUsageFailure(r, [
      `vfpu: ${r.file}:6: cycles: work: the run's work cycles would reach 9007199254740992, above 2^53 − 1`,
    ]);
    const edge = await run('work-edge.ndjson', [header(), ...IN_GUEST, work(max - 1), work(1)]);
    ok(edge);
    expect(JSON.parse(edge.out).cycles.work).toBe(max);
  });
});
