/**
 * Small traces for the import tests, written as the kernel and trace-cmd print them (see
 * src/import/bodies.ts for the print formats and where they are defined). Each sample is a list
 * of events; `traceCmd` and `perfScript` frame them the two ways.
 */

export interface Ev {
  readonly comm: string;
  readonly pid: number;
  readonly cpu: number;
  readonly ts: string;
  readonly event: string;
  readonly body: string;
  /** The tracepoint's system (perf script prints it): kvm, sched, x86_fpu. */
  readonly sys?: string;
}

const ev = (
  comm: string,
  pid: number,
  cpu: number,
  ts: string,
  event: string,
  body: string,
  sys = 'kvm',
): Ev => ({
  comm,
  pid,
  cpu,
  ts,
  event,
  body,
  sys,
});

/** `trace-cmd report` text (with the latency-flags column of trace-cmd 3.x). */
export function traceCmd(events: readonly Ev[], cpus?: number): string {
  const head = cpus !== undefined ? `cpus=${cpus}\n` : '';
  return (
    head +
    events
      .map(
        (e) =>
          `${`${e.comm}-${e.pid}`.padStart(16)} [${String(e.cpu).padStart(3, '0')}] d..2. ${e.ts}: ${`${e.event}:`.padEnd(22)}${e.body}`,
      )
      .join('\n') +
    '\n'
  );
}

/** `perf script` text. */
export function perfScript(events: readonly Ev[]): string {
  return `${events
    .map(
      (e) =>
        `${e.comm.padStart(16)} ${String(e.pid).padStart(6)} [${String(e.cpu).padStart(3, '0')}] ${e.ts}: ${e.sys}:${e.event}: ${e.body}`,
    )
    .join('\n')}\n`;
}

const V0 = 'CPU 0/KVM';
const V1 = 'CPU 1/KVM';
const sw = (cpu: number, ts: string, pc: string, pp: number, nc: string, np: number, state = 'S') =>
  ev(
    pc,
    pp,
    cpu,
    ts,
    'sched_switch',
    `prev_comm=${pc} prev_pid=${pp} prev_prio=120 prev_state=${state} ==> next_comm=${nc} next_pid=${np} next_prio=120`,
    'sched',
  );

const X_EXIT = (v: number, reason: string, intr = '0x00000000') =>
  `vcpu ${v} reason ${reason} rip 0xffffffff81a0b2c4 info1 0x0000000000000000 info2 0x0000000000000000 intr_info ${intr} error_code 0x00000000`;

/** x86 (Linux 6.x forms): an IO exit to userspace, an interrupt, a preemption, a #NM, two vCPUs. */
export const X86: readonly Ev[] = [
  ev(V0, 2345, 1, '100.000100', 'kvm_fpu', 'load'),
  ev(V0, 2345, 1, '100.000110', 'kvm_entry', 'vcpu 0, rip 0xffffffff8103c5e6'),
  ev(V0, 2345, 1, '100.000200', 'kvm_exit', X_EXIT(0, 'EXTERNAL_INTERRUPT', '0x800000ec')),
  ev(V0, 2345, 1, '100.000300', 'kvm_entry', 'vcpu 0, rip 0xffffffff8103c5e6'),
  ev(V0, 2345, 1, '100.000400', 'kvm_exit', X_EXIT(0, 'IO_INSTRUCTION')),
  ev(V0, 2345, 1, '100.000450', 'kvm_pio', 'pio_write at 0x70 size 1 count 1 val 0x8f '),
  ev(V0, 2345, 1, '100.000500', 'kvm_fpu', 'unload'),
  ev(V0, 2345, 1, '100.000510', 'kvm_userspace_exit', 'reason KVM_EXIT_IO (2)'),
  ev(V1, 2346, 0, '100.000520', 'kvm_fpu', 'load'),
  ev(V1, 2346, 0, '100.000530', 'kvm_entry', 'vcpu 1, rip 0xffffffff8103c5e6[immediate exit]'),
  ev(V1, 2346, 0, '100.000540', 'kvm_exit', X_EXIT(1, 'HLT')),
  sw(1, '100.000600', V0, 2345, 'kworker/1:2', 77),
  sw(1, '100.000700', 'kworker/1:2', 77, V0, 2345, 'I'),
  ev(V0, 2345, 1, '100.000800', 'kvm_fpu', 'load'),
  ev(V0, 2345, 1, '100.000900', 'kvm_entry', 'vcpu 0, rip 0xffffffff81a0b2c6'),
  ev(V0, 2345, 1, '100.001000', 'kvm_exit', X_EXIT(0, 'EXCEPTION_NMI', '0x80000307')),
  ev(V0, 2345, 1, '100.001100', 'kvm_entry', 'vcpu 0, rip 0xffffffff81a0b2c6'),
  ev(V0, 2345, 1, '100.001200', 'kvm_exit', X_EXIT(0, 'MSR_WRITE')),
  sw(1, '100.001300', V0, 2345, 'swapper/1', 0, 'R+'),
  ev(V1, 2346, 0, '100.001350', 'kvm_entry', 'vcpu 1, rip 0xffffffff8103c5e6'),
  ev(V1, 2346, 0, '100.001360', 'kvm_exit', X_EXIT(1, 'EPT_VIOLATION')),
  ev(V1, 2346, 0, '100.001370', 'kvm_fpu', 'unload'),
  ev(V1, 2346, 0, '100.001380', 'kvm_userspace_exit', 'reason KVM_EXIT_MMIO (6)'),
  sw(0, '100.001390', V1, 2346, 'swapper/0', 0),
  sw(0, '100.001400', 'swapper/0', 0, V0, 2345, 'R'),
  ev(V0, 2345, 0, '100.001500', 'kvm_entry', 'vcpu 0, rip 0xffffffff81a0b2c9'),
  ev(V0, 2345, 0, '100.001600', 'kvm_exit', X_EXIT(0, 'EXTERNAL_INTERRUPT', '0x800000ec')),
  ev(V0, 2345, 0, '100.001610', 'kvm_fpu', 'unload'),
  ev(V0, 2345, 0, '100.001620', 'kvm_userspace_exit', 'reason restart (4)'),
];

/** The workload lines X86 must give (after the header). */
export const X86_WORKLOAD: readonly string[] = [
  '{"op":"run","vcpu":0,"cpu":1,"ts":100.000110}',
  '{"op":"exit","vcpu":0,"reason":"irq","label":"EXTERNAL_INTERRUPT","ts":100.000200}',
  '{"op":"run","vcpu":0,"cpu":1,"ts":100.000300}',
  '{"op":"exit","vcpu":0,"reason":"io","label":"IO_INSTRUCTION","ts":100.000400}',
  '{"op":"run","vcpu":1,"cpu":0,"ts":100.000530}',
  '{"op":"exit","vcpu":1,"reason":"hlt","label":"HLT","ts":100.000540}',
  '{"op":"switch","cpu":1,"thread":"kworker_1_2.77","ts":100.000600}',
  '{"op":"switch","cpu":1,"thread":"vmm0","ts":100.000700}',
  // kvm_fpu: load after KVM_RUN returned: the next KVM_RUN begins (mapper.ts kvmRunBegins)
  '{"op":"load","vcpu":0,"cpu":1,"ts":100.000800}',
  '{"op":"run","vcpu":0,"cpu":1,"ts":100.000900}',
  '{"op":"use","vcpu":0,"unit":"amx-tile","ts":100.001000}',
  '{"op":"exit","vcpu":0,"reason":"other","label":"MSR_WRITE","ts":100.001200}',
  '{"op":"sched-out","vcpu":0,"ts":100.001300}',
  '{"op":"run","vcpu":1,"cpu":0,"ts":100.001350}',
  '{"op":"exit","vcpu":1,"reason":"mmio","label":"EPT_VIOLATION","ts":100.001360}',
  '{"op":"run","vcpu":0,"cpu":0,"ts":100.001500}',
  '{"op":"exit","vcpu":0,"reason":"signal","label":"EXTERNAL_INTERRUPT","ts":100.001600}',
];

const MPC = 'PC: 0xffffffff80123456';
/** MIPS VZ (arch/mips/kvm/trace.h): FPU and MSA traps with their kvm_aux loads, a GPSI, an MMIO. */
export const MIPS: readonly Ev[] = [
  ev(V0, 3001, 0, '50.000001', 'kvm_enter', MPC),
  ev(V0, 3001, 0, '50.000010', 'kvm_exit', `[COP0/1 Unusable]${MPC}`),
  ev(V0, 3001, 0, '50.000011', 'kvm_aux', `restore FPU ${MPC}`),
  ev(V0, 3001, 0, '50.000012', 'kvm_reenter', MPC),
  ev(V0, 3001, 0, '50.000020', 'kvm_exit', `[MSA Disabled]${MPC}`),
  ev(V0, 3001, 0, '50.000021', 'kvm_aux', `restore MSA ${MPC}`),
  ev(V0, 3001, 0, '50.000022', 'kvm_reenter', MPC),
  ev(V0, 3001, 0, '50.000030', 'kvm_exit', `[GPSI]${MPC}`),
  ev(V0, 3001, 0, '50.000031', 'kvm_reenter', MPC),
  ev(V0, 3001, 0, '50.000035', 'kvm_exit', `[COP0/1 Unusable]${MPC}`),
  ev(V0, 3001, 0, '50.000036', 'kvm_reenter', MPC),
  ev(V0, 3001, 0, '50.000040', 'kvm_exit', `[TLB Miss (LD)]${MPC}`),
  ev(V0, 3001, 0, '50.000041', 'kvm_out', MPC),
  ev(V0, 3001, 0, '50.000042', 'kvm_aux', `save FPU & MSA ${MPC}`),
  ev(V0, 3001, 0, '50.000043', 'kvm_userspace_exit', 'reason KVM_EXIT_MMIO (6)'),
  ev(V0, 3001, 1, '50.000050', 'kvm_enter', MPC),
  ev(V0, 3001, 1, '50.000060', 'kvm_exit', `[Interrupt]${MPC}`),
  ev(V0, 3001, 1, '50.000061', 'kvm_exit', `[Signal]${MPC}`),
  ev(V0, 3001, 1, '50.000062', 'kvm_out', MPC),
  ev(V0, 3001, 1, '50.000063', 'kvm_userspace_exit', 'reason restart (4)'),
];

export const MIPS_WORKLOAD: readonly string[] = [
  '{"op":"run","vcpu":0,"cpu":0,"ts":50.000001}',
  '{"op":"use","vcpu":0,"unit":"fpu","ts":50.000010}',
  '{"op":"use","vcpu":0,"unit":"msa","ts":50.000020}',
  '{"op":"exit","vcpu":0,"reason":"other","label":"GPSI","ts":50.000030}',
  '{"op":"run","vcpu":0,"cpu":0,"ts":50.000031}',
  '{"op":"exit","vcpu":0,"reason":"other","label":"COP0/1 Unusable","ts":50.000035}',
  '{"op":"run","vcpu":0,"cpu":0,"ts":50.000036}',
  '{"op":"exit","vcpu":0,"reason":"mmio","label":"TLB Miss (LD)","ts":50.000040}',
  '{"op":"run","vcpu":0,"cpu":1,"ts":50.000050}',
  '{"op":"exit","vcpu":0,"reason":"signal","label":"Interrupt","ts":50.000060}',
];

const LPC = 'PC: 0x9000000000201234';
/** LoongArch (arch/loongarch/kvm/trace.h): both forms; FPD, LASXD, an interrupt, a GSPR to userspace. */
export const LOONGARCH: readonly Ev[] = [
  ev(V0, 4001, 1, '60.000001', 'kvm_enter', `vcpu 0 ${LPC}`),
  ev(V0, 4001, 1, '60.000010', 'kvm_exit', `vcpu 0 [0xf] ${LPC}`),
  ev(V0, 4001, 1, '60.000011', 'kvm_aux', `restore FPU ${LPC}`),
  ev(V0, 4001, 1, '60.000012', 'kvm_reenter', `vcpu 0 ${LPC}`),
  ev(V0, 4001, 1, '60.000020', 'kvm_exit', `vcpu 0 [0x11] ${LPC}`),
  ev(V0, 4001, 1, '60.000021', 'kvm_aux', `restore LASX ${LPC}`),
  ev(V0, 4001, 1, '60.000022', 'kvm_reenter', `vcpu 0 ${LPC}`),
  ev(V0, 4001, 1, '60.000030', 'kvm_exit', `vcpu 0 [0x0] ${LPC}`),
  ev(V0, 4001, 1, '60.000031', 'kvm_reenter', `vcpu 0 ${LPC}`),
  ev(V0, 4001, 1, '60.000040', 'kvm_exit', `vcpu 0 [0x16] ${LPC}`),
  ev(V0, 4001, 1, '60.000041', 'kvm_out', `vcpu 0 ${LPC}`),
  ev(V0, 4001, 1, '60.000042', 'kvm_userspace_exit', 'reason KVM_EXIT_MMIO (6)'),
  ev(V1, 4002, 0, '60.000050', 'kvm_enter', LPC),
  ev(V1, 4002, 0, '60.000060', 'kvm_exit', `[0x10]${LPC}`),
  ev(V1, 4002, 0, '60.000061', 'kvm_aux', `restore LSX ${LPC}`),
  ev(V1, 4002, 0, '60.000062', 'kvm_reenter', LPC),
  ev(V1, 4002, 0, '60.000070', 'kvm_exit', `[IDLE]${LPC}`),
  ev(V1, 4002, 0, '60.000071', 'kvm_reenter', LPC),
];

export const LOONGARCH_WORKLOAD: readonly string[] = [
  '{"op":"run","vcpu":0,"cpu":1,"ts":60.000001}',
  '{"op":"use","vcpu":0,"unit":"fpu","ts":60.000010}',
  '{"op":"use","vcpu":0,"unit":"lasx","ts":60.000020}',
  '{"op":"exit","vcpu":0,"reason":"irq","label":"0x0","ts":60.000030}',
  '{"op":"run","vcpu":0,"cpu":1,"ts":60.000031}',
  '{"op":"exit","vcpu":0,"reason":"mmio","label":"0x16","ts":60.000040}',
  '{"op":"run","vcpu":1,"cpu":0,"ts":60.000050}',
  '{"op":"use","vcpu":1,"unit":"lsx","ts":60.000060}',
  '{"op":"exit","vcpu":1,"reason":"hlt","label":"IDLE","ts":60.000070}',
  '{"op":"run","vcpu":1,"cpu":0,"ts":60.000071}',
];

const APC = 'PC: 0xffff80000810a2c4';
/** arm64 (arch/arm64/kvm/trace_arm.h): a data abort to userspace, an IRQ, a WFx. */
export const ARM64: readonly Ev[] = [
  ev(V0, 5001, 2, '70.000001', 'kvm_entry', APC),
  ev(V0, 5001, 2, '70.000010', 'kvm_exit', `TRAP: HSR_EC: 0x0024 (DABT_LOW), ${APC}`),
  ev(V0, 5001, 2, '70.000011', 'kvm_userspace_exit', 'reason KVM_EXIT_MMIO (6)'),
  ev(V0, 5001, 2, '70.000020', 'kvm_entry', APC),
  ev(V0, 5001, 2, '70.000030', 'kvm_exit', `IRQ: HSR_EC: 0x0000 (UNKNOWN), ${APC}`),
  ev(V0, 5001, 2, '70.000031', 'kvm_entry', APC),
  ev(V0, 5001, 2, '70.000040', 'kvm_exit', `TRAP: HSR_EC: 0x0001 (WFx), ${APC}`),
  ev(V0, 5001, 2, '70.000041', 'kvm_entry', APC),
];

export const ARM64_WORKLOAD: readonly string[] = [
  '{"op":"run","vcpu":0,"cpu":2,"ts":70.000001}',
  '{"op":"exit","vcpu":0,"reason":"mmio","label":"DABT_LOW","ts":70.000010}',
  '{"op":"run","vcpu":0,"cpu":2,"ts":70.000020}',
  '{"op":"exit","vcpu":0,"reason":"irq","label":"IRQ","ts":70.000030}',
  '{"op":"run","vcpu":0,"cpu":2,"ts":70.000031}',
  '{"op":"exit","vcpu":0,"reason":"hlt","label":"WFx","ts":70.000040}',
  '{"op":"run","vcpu":0,"cpu":2,"ts":70.000041}',
];

export const SAMPLES = [
  { arch: 'x86-xfd', events: X86, workload: X86_WORKLOAD },
  { arch: 'mips-vz', events: MIPS, workload: MIPS_WORKLOAD },
  { arch: 'loongarch', events: LOONGARCH, workload: LOONGARCH_WORKLOAD },
  { arch: 'arm-vfp', events: ARM64, workload: ARM64_WORKLOAD },
] as const;
