// The one module that touches the tensor engine. The learning core is written against the
// Engine interface; tfjs (tfjsEngine) and plain fused kernels (fusedEngine) implement it.
// Only this folder imports tfjs; baselines that need tfjs autodiff get it from here too.

export type { Engine, EngineKind, Activation, MatrixOf } from './engine.js';
export { tfjsEngine } from './tfjs-engine.js';
export { fusedEngine, FusedMatrix } from './fused-engine.js';
export {
  gatedCellKernels,
  type GatedCellKernels,
  type GatedCellValues,
  type GatedCellWeights,
} from './gated-cell-kernels.js';
export { timeStepKernel, type TimeStepKernel } from './time-step-kernel.js';
export { decoderGradientKernel, type DecoderGradientKernel } from './decoder-gradient-kernel.js';
export { engineFor, ENGINE_KINDS, type EngineChoice } from './engine-choice.js';
export {
  countEngineCalls,
  engineCounts,
  resetEngineCounts,
  engineCounting,
  type EngineCounts,
} from './engine-counter.js';
export { initEngine, engineBackend, assertEngine, type BackendName, type EngineOptions } from './backend.js';
export {
  UNITS,
  type Units,
  unitMean,
  unitSample,
  unitStochastic,
  unitMode,
  unitSlope,
  decoderUnits,
  decoderSlope,
  unitRange,
} from './units.js';
export { CORRUPTIONS, type CorruptionKind, type Corruption, corrupt } from './corruption.js';
export { glorotUniform, orthogonal, initialValues, type InitKind } from './init.js';
export * as tf from './tfjs.js';
