/** The options `vfpu import` and `vfpu check` share: how to read a trace. */
import { type Command, Option } from 'commander';
import { oneOf } from '../options.js';
import type { ImportOptions } from './index.js';

export interface TraceCliOptions {
  format: ImportOptions['format'];
  arch?: string;
  variant?: string;
  guestFp: ImportOptions['guestFp'];
  guestTrace?: string;
}

export function addTraceOptions(cmd: Command): Command {
  return cmd
    .addOption(
      oneOf(new Option('--format <format>', 'the trace text'), '--format', 'format', [
        'trace-cmd',
        'perf-script',
        'auto',
      ]).default('auto'),
    )
    .option(
      '--arch <arch>',
      'backend; default: what the trace shows (kvm_aux LSX/LASX, MSA, HSR_EC, x86 reasons)',
    )
    .option(
      '--variant <variant>',
      "backend variant (for check: the kernel the trace is checked against); default: the backend's default",
    )
    .addOption(
      oneOf(
        new Option('--guest-fp <mode>', 'guest FP/SIMD use the trace cannot show'),
        '--guest-fp',
        'mode',
        ['none', 'every-slice', 'from-guest-trace'],
      ).default('none'),
    )
    .option(
      '--guest-trace <file>',
      'with --guest-fp from-guest-trace: a guest-side trace of x86_fpu_* events',
    );
}

export function traceImportOptions(o: TraceCliOptions): ImportOptions {
  return {
    format: o.format,
    guestFp: o.guestFp,
    ...(o.arch !== undefined ? { arch: o.arch } : {}),
    ...(o.variant !== undefined ? { variant: o.variant } : {}),
    ...(o.guestTrace !== undefined ? { guestTrace: o.guestTrace } : {}),
  };
}
