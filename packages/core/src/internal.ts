/**
 * `@vfpu/core/internal`: the engine and the workload plumbing, for vfpu's own tools and tests.
 * Not a stable API.
 */
export { Accounting } from './accounting.js';
export { Exposure } from './engine/exposure.js';
export { VcpuLifecycle } from './engine/lifecycle.js';
export { LOOKAHEAD_WINDOW, SliceLookahead } from './engine/lookahead.js';
export { machineIds, Simulator, type SimulatorOptions } from './engine/simulator.js';
export { EngineState, Lifecycle } from './engine/state.js';
export { Oracle } from './oracle.js';
export { SliceCosts, solveSlice } from './policy/slice-dp.js';
export { buildReport } from './report.js';
export { Rng } from './rng.js';
export { simulatePreset } from './run.js';
export { PROGRESS_EVERY } from './run-prepare.js';
export { didYouMean, editDistance, nearChoices, unknownChoice } from './suggest.js';
export { SILENT, TraceCollector, type TracepointSink } from './trace.js';
export { Wakeup } from './wakeup.js';
export { type BatchMessage, serveBatches, workerBatches } from './worker-batches.js';
export { duplicateKey } from './workload/duplicates.js';
export { Access, OPS, Op, type OpName, WorkloadEvent } from './workload/event.js';
export { EventParser } from './workload/parse-event.js';
export { DUPLICATE, parseHeader, type WorkloadHeader } from './workload/parse-header.js';
export { ParamError } from './workload/presets/catalog.js';
export { PresetGenerator } from './workload/presets/generator.js';
export { lineEnd, openLineSource } from './workload/read.js';
export { formatEvent } from './workload/write.js';
