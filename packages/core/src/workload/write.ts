/** Serialises events back to workload v1 NDJSON (for `vfpu gen`). */
import { EXIT_REASONS } from '../backend-utils/exit-table.js';
import { Access, OPS, Op, type WorkloadEvent } from './event.js';
import type { WorkloadHeader } from './parse-header.js';

/** The header line of a workload (one JSON line, fields in the canonical order), as `vfpu gen` and `vfpu import` write it. */
export function formatHeader(h: WorkloadHeader): string {
  const out: Record<string, unknown> = { format: h.format, version: h.version };
  if (h.name !== undefined) out.name = h.name;
  if (h.arch !== undefined) out.arch = h.arch;
  if (h.variant !== undefined) out.variant = h.variant;
  out.cpus = h.cpus;
  out.vcpus = h.vcpus;
  out.threads = h.threads;
  out.config = h.config;
  if (h.source !== undefined) out.source = h.source;
  if (h.assumptions !== undefined) out.assumptions = h.assumptions;
  return JSON.stringify(out);
}

/** `threadName(ctx)` names host-thread contexts. */
export function formatEvent(ev: WorkloadEvent, threadName: (ctx: number) => string): string {
  const op = OPS[ev.op] as string;
  let s = `{"op":"${op}"`;
  switch (ev.op) {
    case Op.load:
      s += `,"vcpu":${ev.vcpu},"cpu":${ev.cpu}`;
      break;
    case Op.enter:
    case Op.put:
    case Op.schedOut:
      s += `,"vcpu":${ev.vcpu}`;
      break;
    case Op.use:
      s += `,"vcpu":${ev.vcpu},"unit":"${ev.unitName}"${access(ev.access)}${ev.reg >= 0 ? `,"reg":${ev.reg}` : ''}${ev.conditionFails ? ',"condition":"fails"' : ''}${ev.preemptAfterTrap ? ',"preempt":"after-trap"' : ''}`;
      break;
    case Op.exit:
      s += `,"vcpu":${ev.vcpu},"reason":"${EXIT_REASONS[ev.reason]}"${ev.label ? `,"label":${JSON.stringify(ev.label)}` : ''}`;
      break;
    case Op.hostUse:
      s += `,"cpu":${ev.cpu},"unit":"${ev.unitName}"${access(ev.access)}`;
      break;
    case Op.switch:
      s += `,"cpu":${ev.cpu},"thread":${JSON.stringify(threadName(ev.thread))}`;
      break;
    case Op.kernelFpu:
      s += `,"cpu":${ev.cpu}`;
      break;
    case Op.work:
      s += ev.vcpu >= 0 ? `,"vcpu":${ev.vcpu}` : `,"cpu":${ev.cpu}`;
      s += `,"cycles":${ev.cycles}`;
      break;
    case Op.run:
      s += `,"vcpu":${ev.vcpu}${ev.cpu >= 0 ? `,"cpu":${ev.cpu}` : ''}`;
      break;
    default:
      throw new Error(`formatEvent: op ${op} is not generated`);
  }
  return ev.ts >= 0 ? `${s},"ts":${ev.ts}}` : `${s}}`;
}

function access(a: number): string {
  return a === Access.read ? ',"access":"read"' : a === Access.write ? ',"access":"write"' : '';
}
