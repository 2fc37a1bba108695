// The NATS bridge's public surface (tprop/cluster): environments, agents and viewers as separate
// processes over NATS JetStream. The only part of tprop that imports the NATS clients.

export { connectNats, parseNatsUrl, type NatsConnectOptions, type NatsLink } from './nats-connection.js';
export { NatsError, type NatsErrorCode } from './nats-error.js';
export {
  EnvironmentPublisher,
  type PublishEnvironmentOptions,
  type PublisherStats,
} from './environment-publisher.js';
export { AgentNode, streamsOf, type AgentNodeOptions, type AgentNodeStats } from './agent-node.js';
export {
  StreamLearner,
  STREAM_LEARNER_DEFAULTS,
  type StreamLearnerSettings,
  type StreamLearnerStats,
} from './stream-learner.js';
export { CheckpointStore, LEARNER_CHECKPOINT_KIND, type LearnerCheckpoint } from './checkpoint-store.js';
export { encodeObservation, decodeObservation, type ObservationMessage } from './observation-codec.js';
export { findRun, waitForRun, openBuckets, ensureRunStreams, type RunRecord } from './run-registry.js';
export {
  SUBJECTS,
  BUCKETS,
  DEAD_LETTER_STREAM,
  DEAD_LETTER_HEADERS,
  DEFAULT_NATS_URL,
  NATS_PROTOCOL_VERSION,
  agentName,
  obsStream,
  learnerConsumer,
} from './subjects.js';
export { RemoteRun, type RemoteRunOptions } from './remote-run.js';
export { replayRun, type ReplayOptions, type ReplayResult } from './replay-run.js';
