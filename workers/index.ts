// The sharded runs' public surface ('tprop/workers'): the streams of one environment learned by
// worker threads, each with its own agent, so that every core learns and the main thread stays free.

export { ShardedRun, type ShardedRunResult, type ShardedRunState } from './sharded-run.js';
export {
  planShards,
  resolveDescription,
  type ResolvedDescription,
  type Shard,
  type ShardEnvironment,
  type ShardedRunDescription,
} from './shard-plan.js';
export {
  OpenShard,
  openShard,
  type ShardHooks,
  type ShardMemory,
  type ShardProgress,
  type ShardResult,
  type StreamResult,
} from './run-shard.js';
export { SteadyClock, type SteadyRate } from './steady-clock.js';
export { WorkerError, type WorkerFault } from './worker-error.js';
