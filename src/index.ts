// The public surface of tprop's core, written by hand: what users build on. Built-in
// environments and agents live in 'tprop/environments' and 'tprop/agents'; the live viewer in
// 'tprop/server'. Everything that crosses this surface is plain data: no tensor leaves src/.

// Errors
export {
  TpropError,
  InvalidOptionError,
  ShapeMismatchError,
  NonFiniteError,
  StateError,
  BackendError,
  UnknownIdError,
  EnvironmentError,
  AgentError,
  DataError,
  CheckpointError,
  ProtocolError,
  type ErrorCode,
  type CheckpointErrorCode,
} from './errors.js';

// Engine and randomness
export {
  initEngine,
  engineBackend,
  type BackendName,
  type EngineOptions,
  type EngineChoice,
  UNITS,
  type Units,
  CORRUPTIONS,
  type Corruption,
} from './math/index.js';
export { Rng, type RngState } from './random.js';

// Spaces, environments, registry, checks
export {
  box,
  discrete,
  dict,
  flatSize,
  contains,
  assertInSpace,
  sample,
  sameSpace,
  type Space,
  type BoxSpace,
  type DiscreteSpace,
  type DictSpace,
  type SpaceValue,
} from './environment/space.js';
export type {
  Environment,
  EnvironmentFactory,
  EnvironmentSpec,
  EnvironmentState,
  ResetOptions,
  ResetResult,
  StepResult,
  Info,
} from './environment/environment.js';
export { wholeState, canGiveState } from './environment/environment.js';
export {
  registerEnvironment,
  makeEnvironment,
  listEnvironments,
  hasEnvironment,
} from './environment/environment-registry.js';
export {
  checkEnvironment,
  type CheckEnvironmentOptions,
  type CheckEnvironmentReport,
} from './environment/check-environment.js';

// Wrappers
export { EnvironmentWrapper } from './wrappers/environment-wrapper.js';
export { TimeLimit } from './wrappers/time-limit.js';
export { NormalizeObservation } from './wrappers/normalize-observation.js';
export { RecordEpisodes } from './wrappers/record-episodes.js';
export { replayEnvironment, ReplayEnvironment } from './wrappers/replay-environment.js';
export { VectorEnvironment } from './wrappers/vector-environment.js';

// Modalities and the learning core
export { type ModalitySpec, type ModalityValue, modalitiesOf } from './learner/modality.js';
export { type SideBatch, packSide, sideFromLabels, emptySide } from './learner/side-batch.js';
export { FeedForwardStack, type FeedForwardStackOptions, type TrainReport } from './learner/feed-forward-stack.js';
export type { InferQuery, InferOptions, Inference } from './learner/feed-forward-inference.js';
export type { InferenceMethod } from './learner/top-inference.js';

// Priors over top codes: samples for ancestral sampling, and prior targets
export { PRIOR_KINDS, type PriorKind, type PriorOptions, type TopPrior } from './priors/top-prior.js';
export { createPrior } from './priors/create-prior.js';
export { GaussianPrior } from './priors/gaussian-prior.js';
export { FactorialPrior } from './priors/factorial-prior.js';
export { ParzenPrior } from './priors/parzen-prior.js';
export { NearestNeighbourPrior } from './priors/nearest-neighbour-prior.js';
export { RecurrentStack, type RecurrentStackOptions, type RecurrentLosses } from './learner/recurrent-stack.js';
export type { SequenceLearner } from './learner/sequence-learner.js';
export type { StackOptions, LayerSpec, TopOptions } from './learner/stack-options.js';
export type { TopTargetKind } from './learner/top.js';
export type { OptimizerSpec, OptimizerKind } from './optim/optimizer.js';

// Baselines, for comparisons
export { FeedForwardBackprop, type FeedForwardBackpropOptions } from './baselines/feed-forward-backprop.js';
export { StraightThroughBackprop, type StraightThroughBackpropOptions } from './baselines/straight-through-backprop.js';
export { RecurrentBackprop, type RecurrentBackpropOptions } from './baselines/recurrent-backprop.js';
export { FusedRecurrentBackprop, type FusedRecurrentBackpropOptions } from './baselines/fused-recurrent-backprop.js';
export { LstmBackprop, type LstmBackpropOptions } from './baselines/lstm-backprop.js';
export { Dqn, type DqnOptions } from './baselines/dqn.js';
export { LinearEpsilonGreedy, type LinearEpsilonGreedyOptions } from './baselines/linear-epsilon-greedy.js';
export { ReplayBuffer, type ReplayBufferOptions, type ReplayBatch } from './baselines/replay-buffer.js';
export { Ngram, type NgramOptions } from './baselines/ngram.js';

// Agents: the contract, the registry, the checks, checkpoints
export type { Agent, AgentState, Transition, Outcome, ModalityPrediction } from './agent/agent.js';
export {
  registerAgent,
  createAgent,
  listAgents,
  hasAgent,
  loadAgentConfig,
  type AgentConfig,
  type AgentRegistration,
} from './agent/agent-registry.js';
export { checkAgent, type CheckAgentOptions } from './agent/check-agent.js';
export { saveAgent, loadAgent, AGENT_CHECKPOINT_KIND } from './checkpoint/agent-checkpoint.js';
export {
  saveRun,
  loadRun,
  readRun,
  restoreRun,
  runState,
  checkRunState,
  RUN_CHECKPOINT_KIND,
  type RunState,
  type RunEnvironment,
} from './checkpoint/run-checkpoint.js';
export {
  writeCheckpoint,
  readCheckpoint,
  readCheckpointOf,
  encodeCheckpoint,
  decodeCheckpoint,
} from './checkpoint/checkpoint-file.js';

// Metrics and snapshots
export { Mean, RollingMean } from './metrics/rolling-mean.js';
export { scoreCategorical, squaredError, argMax } from './metrics/prequential-scores.js';
export { AnomalyScore, normalCdf } from './metrics/anomaly-score.js';
export type { AnomalyScoreOptions, AnomalyScoreState } from './metrics/anomaly-score.js';
export { StateNovelty } from './metrics/state-novelty.js';
export type { StateNoveltyState } from './metrics/state-novelty.js';
export { rocAuc, averagePrecision } from './metrics/detection-scores.js';
export { RollingZScore } from './baselines/rolling-z-score.js';
export type { Frame, LayerFrame, ModalityFrame, Topology } from './agent/snapshot.js';

// Streams
export * from './stream/index.js';
export type { LiveRunPosition } from './stream/live-run.js';
export type { RunPosition } from './stream/environment-transitions.js';
