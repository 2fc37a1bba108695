// Starting one worker thread of a sharded run. Built, the worker is JavaScript and starts as it
// is; from the TypeScript sources (tsx, vitest) a worker inherits no module hooks registered by an
// API call and node reads no .ts entry before its --import hooks are in place, so it starts from
// worker-bootstrap.js, which registers tsx and then loads it.

import { Worker } from 'node:worker_threads';
import type { ResolvedDescription, Shard } from './shard-plan.js';
import type { WorkerStart } from './worker-messages.js';

/**
 * The workers' node flags: this process's (node's default), but without --input-type (of
 * `node --input-type=module -e …`), which a worker started from a file refuses. Given explicitly,
 * the list must hold no per-process flag (--expose-gc …), so it is given only when it must be.
 */
function workerExecArgv(): string[] | undefined {
  if (!process.execArgv.some((flag) => flag.startsWith('--input-type'))) return undefined;
  const out: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const flag = process.execArgv[i]!;
    if (flag === '--input-type') i++;
    else if (!flag.startsWith('--input-type=')) out.push(flag);
  }
  return out;
}

/** Starts worker `shard.worker` with the description, its shard and the run's control flags. */
export function startWorker(description: ResolvedDescription, shard: Shard, control: SharedArrayBuffer): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSources ? './shard-worker.ts' : './shard-worker.js', import.meta.url);
  const file = fromSources ? new URL('./worker-bootstrap.js', import.meta.url) : entry;
  const workerData: WorkerStart = { description, shard, control, entry: entry.href };
  return new Worker(file, { workerData, name: `tprop shard ${shard.worker}`, execArgv: workerExecArgv() });
}
