/**
 * @vfpu/core: run workloads under policies on backends, and the contract backends implement.
 * What backends call is in `@vfpu/core/backend-utils`; engine internals in `@vfpu/core/internal`.
 */
export {
  BOUND_POLICY,
  type BoundConfig,
  ratio,
  withBounds,
  withCandidates,
} from './bound.js';
export type * from './contract/index.js';
export type { CostFigure, CostKey, CostTable } from './costs.js';
export { COST_KEYS, COST_MAX, COST_MEANING, mergeCosts } from './costs.js';
export {
  ContractError,
  describeIoError,
  ImpossibleEvent,
  InputError,
  VfpuError,
} from './errors.js';
export type { Violation } from './oracle.js';
export type { ExitWork, FpWork } from './per-exit.js';
export { BUILTIN_POLICIES } from './policy/builtin.js';
export {
  coincidence,
  POLICY_NAMES,
  type ResolvedPolicy,
  resolvePolicy,
} from './policy/resolve.js';
export type {
  PolicyDefinition,
  PolicyInstance,
  PolicyParamSpec,
  PolicyRef,
  PolicyView,
  SliceView,
  SliceWrites,
} from './policy/types.js';
export {
  SLICE_AVOID,
  SLICE_ENTRY,
  SLICE_EXIT,
  SLICE_FLUSH,
  SLICE_KERNEL_FPU,
  SLICE_PREEMPTED,
  SLICE_RETURN,
  SLICE_UNIT,
  SLICE_WRITE,
  WRITE_DROPS,
  WRITE_ENABLED,
  WRITE_EXITS,
  WRITE_LOADS,
  WRITE_LOSES_IF_SHIFT,
  WRITE_RETURNS,
  WRITE_USE_EXITS_SHIFT,
  WRITE_USE_UNIT_SHIFT,
  WRITE_USES,
} from './policy/types.js';
export {
  type ReportBound,
  type ReportV1,
  type ResolvedConfig,
  rootTraps,
  trapWhere,
  type WorkloadOrigin,
} from './report.js';
export { reportSchema } from './report-schema.js';
export { DEFAULT_SEED } from './rng.js';
export {
  CORE_VERSION,
  type PresetRequest,
  type RunRequest,
  type RunResult,
  runFile,
  runFileMany,
  runLines,
  runLinesMany,
  runPreset,
  runPresetMany,
  runText,
} from './run.js';
export type { TimelineStep, TimelineView } from './timeline.js';
export {
  buildLattice,
  closeMask,
  maskNames,
  UNIT_CLASSES,
  type UnitClass,
  type UnitLattice,
  type UnitMask,
  type UnitSpec,
  unitBit,
  widestUnits,
} from './units.js';
export { backendProblem, findVariant, isBackendV2 } from './variant.js';
export {
  COMMON_OPTIONAL,
  FIELD_SCHEMAS,
  LIMITS,
  OP_FORMATS,
  workloadSchema,
} from './workload/format.js';
export {
  PARAM_HELP,
  PRESETS,
  type PresetParams,
  presetParams,
} from './workload/presets/catalog.js';
export type { LineSource } from './workload/read.js';
export { formatHeader } from './workload/write.js';
