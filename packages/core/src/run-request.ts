/** What a run is asked for (`RunRequest`, `PresetRequest`) and what it returns (`RunResult`). */
import type { BackendV2 } from './contract/backend.js';
import type { PolicyDefinition } from './policy/types.js';
import type { ReportV1 } from './report.js';
import type { TimelineStep, TimelineView } from './timeline.js';

/** What to run a workload with: the backends, the arch and variant when the workload names none, the policy, costs, seed and optional observers. */
export interface RunRequest {
  /** The backends to choose from (passed explicitly: nothing registers itself). */
  readonly backends: readonly BackendV2[];
  /** The backend to use when the workload's header names no `arch` (default: the first backend). */
  readonly arch?: string;
  /** The variant when the header names none (default: the backend's `defaultVariant`). */
  readonly variant?: string;
  /** `kvm`, `eager`, … or `name:key=value:…`, or a policy of your own. */
  readonly policy: string | PolicyDefinition;
  /** A user cost table (parsed JSON) and the file it came from. */
  readonly costs?: unknown;
  /** The cost file's name, for error messages and the report. */
  readonly costsFile?: string;
  /** Seed of the oracle's register values and of a preset's generator (default `DEFAULT_SEED`). */
  readonly seed?: number;
  /** Per-event explanation: called after each event with its text and the lines it produced. */
  readonly explain?: (line: number, event: string, lines: readonly string[]) => void;
  /** Called every 65 536 events. */
  readonly progress?: (events: number) => void;
  /** Keeps the sequence of kernel functions called (for conformance tests). */
  readonly recordCalls?: boolean;
  /**
   * Each tracepoint the modelled kernel fires (Tracer.tracepoint), as it fires; `line` is the
   * workload line of the event that caused it (called before `explain` of that event).
   */
  readonly tracepoints?: (vcpu: number, event: string, detail: string) => void;
  /** After each event: what it cost and who runs where (timeline.ts; objects are reused). */
  readonly timeline?: (step: TimelineStep, view: TimelineView) => void;
}

/** What a run returns. */
export interface RunResult {
  /** The report (`vfpu run --json`). */
  readonly report: ReportV1;
  /** Kernel functions in call order, when `recordCalls` was set (else empty). */
  readonly calls: readonly string[];
  /** The machine's kernel-visible state at the end (its `inspect()`). */
  readonly state: Record<string, unknown>;
}

/** A generated workload: which preset, how many events, which parameters. */
export interface PresetRequest {
  /** The preset's name (`PRESETS`: `desktop`, `overcommit`, …). */
  readonly preset: string;
  /** Number of events to generate. */
  readonly events: number;
  /** Preset parameters over the defaults (`PresetParams`). */
  readonly params?: Readonly<Record<string, number>>;
}
