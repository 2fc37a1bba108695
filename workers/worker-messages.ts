// What the main thread and the workers of a sharded run say to each other: plain data only (a
// structured clone), no tensors and no classes. Stopping and pausing need no message: they are
// flags in shared memory that a worker reads before every step, so a worker deep in a synchronous
// loop stops at once, and waits (Atomics.wait) while paused.

import type { Frame, Topology } from '../src/agent/snapshot.js';
import type { ResolvedDescription, Shard } from './shard-plan.js';
import type { ShardProgress, ShardResult } from './run-shard.js';
import type { WorkerFault } from './worker-error.js';

/** A worker's `workerData`. */
export interface WorkerStart {
  readonly description: ResolvedDescription;
  readonly shard: Shard;
  /** Int32Array over it, indexed by CONTROL. */
  readonly control: SharedArrayBuffer;
  /** The worker's module to load, when the worker runs from a bootstrap (the TypeScript sources). */
  readonly entry?: string;
}

/** The control flags' slots: stop (1: end the run), paused (1: wait), grants (single steps given while paused). */
export const CONTROL = Object.freeze({ stop: 0, paused: 1, grants: 2, length: 3 });

/** Worker → main thread. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly topology: Topology }
  | { readonly type: 'frame'; readonly frame: Frame }
  | { readonly type: 'progress'; readonly progress: ShardProgress }
  | { readonly type: 'done'; readonly result: ShardResult }
  | { readonly type: 'error'; readonly fault: WorkerFault };

/** Main thread → worker: every worker is set up, learning may start (so all start together). */
export interface StartMessage {
  readonly type: 'start';
}
