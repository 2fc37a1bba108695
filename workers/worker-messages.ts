// What the main thread and the workers of a sharded run say to each other: plain data only (a
// structured clone), no tensors and no classes. Stopping needs no message: it is a flag in
// shared memory that a worker reads before every step, so a worker deep in a synchronous loop
// stops at once.

import type { ResolvedDescription, Shard } from './shard-plan.js';
import type { ShardProgress, ShardResult } from './run-shard.js';
import type { WorkerFault } from './worker-error.js';

/** A worker's `workerData`. */
export interface WorkerStart {
  readonly description: ResolvedDescription;
  readonly shard: Shard;
  /** Int32Array over it: [0] is 1 once the run must stop. */
  readonly stop: SharedArrayBuffer;
  /** The worker's module to load, when the worker runs from a bootstrap (the TypeScript sources). */
  readonly entry?: string;
}

/** Worker → main thread. */
export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'progress'; readonly progress: ShardProgress }
  | { readonly type: 'done'; readonly result: ShardResult }
  | { readonly type: 'error'; readonly fault: WorkerFault };

/** Main thread → worker: every worker is set up, learning may start (so all start together). */
export interface StartMessage {
  readonly type: 'start';
}
