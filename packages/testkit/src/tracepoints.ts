/** The tracepoints a backend's kernel fires on a workload, for tracepoint tests. */
import { type BackendV2, runText } from '@vfpu/core';

/** `event: detail` of each tracepoint fired for `vcpu`, in order, running `text` under `policy`. */
export function firedTracepoints(
  backend: BackendV2,
  text: string,
  policy: string,
  vcpu = 0,
): string[] {
  const out: string[] = [];
  runText(text, {
    backends: [backend],
    policy,
    tracepoints: (v, e, d) => {
      if (v === vcpu) out.push(`${e}: ${d}`);
    },
  });
  return out;
}
