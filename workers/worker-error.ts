// WorkerError: what a worker of a sharded run threw, as it reaches the main thread. Errors do not
// cross threads as themselves (a structured clone keeps no class), so the worker sends its name,
// code, message and stack, and the main thread raises this, naming the worker and its streams.

import { type ErrorCode, TpropError } from '../src/errors.js';

/** A worker's fault as plain data: what crosses the thread boundary. */
export interface WorkerFault {
  /** The thrown error's class name (`InvalidOptionError`, `TypeError`, …), or 'value' for a non-Error. */
  readonly name: string;
  /** The thrown error's tprop code, or null for anything else. */
  readonly code: ErrorCode | null;
  readonly message: string;
  /** Its stack inside the worker, or null. */
  readonly stack: string | null;
}

/** What `thrown` was, as plain data (the worker's side of the crossing). */
export function faultOf(thrown: unknown): WorkerFault {
  if (thrown instanceof Error) {
    const code = thrown instanceof TpropError ? thrown.code : null;
    return { name: thrown.name, code, message: thrown.message, stack: thrown.stack ?? null };
  }
  return { name: 'value', code: null, message: `a thrown ${typeof thrown}: ${String(thrown)}`, stack: null };
}

/**
 * A worker of a ShardedRun failed. `code` is the worker's error's own when it was a tprop error
 * (an agent option a worker rejected is still ERR_INVALID_OPTION), else ERR_WORKER. `stack` ends
 * with the worker's stack, where the fault is.
 */
export class WorkerError extends TpropError {
  /** The index of the worker that failed. */
  readonly worker: number;
  /** The class name of what the worker threw. */
  readonly causeName: string;

  constructor(worker: number, streams: string, fault: WorkerFault) {
    super(fault.code ?? 'ERR_WORKER', `ShardedRun: worker ${worker} (${streams}) failed: ${fault.message}`);
    this.worker = worker;
    this.causeName = fault.name;
    if (fault.stack !== null) this.stack = `${this.stack}\nin worker ${worker}: ${fault.stack}`;
  }
}
