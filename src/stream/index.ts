// The streaming layer of tprop: sources of transitions (environments, push feeds), the
// operators that learn from them and read agents out, and the runners built on them.

export { environmentTransitions } from './environment-transitions.js';
export type { EnvironmentTransitionsOptions, Policy } from './environment-transitions.js';
export { immediateScheduler } from './immediate-scheduler.js';
export { fromEnvironment, FROM_ENVIRONMENT_DEFAULTS } from './from-environment.js';
export type { EnvironmentSource, FromEnvironmentOptions } from './from-environment.js';
export { learn, isInvalidData, INVALID_DATA_CODES, LEARN_DEFAULTS } from './learn.js';
export type { LearnOptions, OnInvalid, StepEvent } from './learn.js';
export { runAgent } from './run-agent.js';
export type { AgentSource, RunAgentOptions } from './run-agent.js';
export { sampleMetrics } from './sample-metrics.js';
export type { MetricsSample } from './sample-metrics.js';
export { snapshots, SNAPSHOTS_DEFAULTS } from './snapshots.js';
export type { SnapshotsOptions } from './snapshots.js';
export { LiveRun, LIVE_RUN_DEFAULTS } from './live-run.js';
export type { LiveRunOptions, LiveRunResult, LiveRunState } from './live-run.js';
export { StepRate, STEP_RATE_DEFAULTS } from './step-rate.js';
export type { StepRateOptions } from './step-rate.js';
export { fromObservations, FROM_OBSERVATIONS_DEFAULTS } from './from-observations.js';
export type { FromObservationsOptions, ObservationInput, ObservationRecord } from './from-observations.js';
export { boundedBuffer } from './bounded-buffer.js';
export { vectorTransitions, type VectorTransitionsOptions } from './vector-transitions.js';
export type { BoundedBuffer, BoundedBufferOptions, Buffered, BufferStats, OverflowPolicy } from './bounded-buffer.js';
