export type {
  BackendV1,
  ControlRegisterSpec,
  CounterId,
  ExitReason,
  ExitReasonSpecs,
  Machine,
  MachineHost,
  MachineInit,
  OpDirection,
  OptionSpec,
  Resume,
  SyscallSpec,
  Tracer,
  UserRegisterSpec,
  VariantSpec,
} from './backend.js';
export {
  ACCESS_OK,
  copyStrided,
  ERRNO,
  EXIT_REASONS,
  findVariant,
  isBackendV1,
  NO_EXIT,
  packSlice,
  RESUME_GUEST,
  RESUME_HOST,
  readU32,
  returnName,
  writeU32,
} from './backend.js';
export {
  badBitList,
  type ConfigFailure,
  type ConfigResult,
  configFailure,
  isConfigObject,
  resolveQuirksAndFaults,
  unknownOption,
} from './config.js';
export type { CostFigure, CostKey, CostTable } from './costs.js';
export { COST_KEYS, COST_MEANING, mergeCosts } from './costs.js';
export { Simulator, type SimulatorOptions } from './engine.js';
export { describeIoError, ImpossibleEvent, InputError } from './errors.js';
export { type ExitRow, exitTable, takeExit } from './exits.js';
export type { Violation } from './oracle.js';
export { BUILTIN_POLICIES } from './policy/builtin.js';
export { POLICY_NAMES, type ResolvedPolicy, resolvePolicy } from './policy/resolve.js';
export type {
  PolicyDefinition,
  PolicyInstance,
  PolicyParamSpec,
  PolicyRef,
  PolicyView,
} from './policy/types.js';
export type { ReportV1, ResolvedConfig } from './report.js';
export { DEFAULT_SEED, Rng } from './rng.js';
export {
  CORE_VERSION,
  type PresetRequest,
  type RunRequest,
  type RunResult,
  runFile,
  runPreset,
  runText,
} from './run.js';
export { SILENT, TraceCollector } from './trace.js';
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
export { Access, OPS, Op, type OpName, WorkloadEvent } from './workload/event.js';
export { FIELD_SCHEMAS, LIMITS, OP_FORMATS, workloadSchema } from './workload/format.js';
export { EventParser, parseHeader, type WorkloadHeader } from './workload/parse.js';
export {
  PARAM_HELP,
  PRESETS,
  PresetGenerator,
  type PresetParams,
  presetParams,
} from './workload/presets.js';
export { openLineSource } from './workload/read.js';
export { formatEvent, formatHeader } from './workload/write.js';
