// The entry of a sharded run's worker thread: registers the built-in environments and agents
// (registries are per thread) and the description's preloads, starts the engine, opens its
// shard, says it is ready, learns once told to start, and sends its result or its fault. It
// never lets an error escape: the wasm backend's handlers would print its whole bundle.

import { parentPort, workerData } from 'node:worker_threads';
import '../environments/index.js';
import '../agents/index.js';
import { initEngine } from '../src/math/index.js';
import { type OpenShard, openShard } from './run-shard.js';
import { faultOf } from './worker-error.js';
import { CONTROL, type StartMessage, type WorkerMessage, type WorkerStart } from './worker-messages.js';

const port = parentPort!;
const start = workerData as WorkerStart;
const control = new Int32Array(start.control);
/** Single steps taken while paused, against the grants of the main thread. */
let used = 0;
let shard: OpenShard | null = null;
let ended = false;

const send = (message: WorkerMessage): void => port.postMessage(message);

/**
 * Sends the last message (a result first, so the main thread's clock stops at the end of learning),
 * frees the shard and closes the port, so the thread ends by itself (the main thread terminates it if not).
 */
function end(message: WorkerMessage): void {
  if (ended) return;
  ended = true;
  send(message);
  try {
    shard?.dispose();
  } catch (error) {
    // A result already sent is not enough: a fault while freeing is still the run's fault.
    send({ type: 'error', fault: faultOf(error) });
  }
  port.close();
}

const fail = (error: unknown): void => end({ type: 'error', fault: faultOf(error) });
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

/** Before every step: whether to stop; while paused, waits for a single step, a resume or a stop. */
function shouldStop(): boolean {
  for (;;) {
    if (Atomics.load(control, CONTROL.stop) !== 0) return true;
    if (Atomics.load(control, CONTROL.paused) === 0) {
      used = Atomics.load(control, CONTROL.grants);
      return false;
    }
    if (Atomics.load(control, CONTROL.grants) > used) {
      used++;
      return false;
    }
    // Woken by every change of the flags (the main thread notifies); the timeout only guards.
    Atomics.wait(control, CONTROL.paused, 1, 250);
  }
}

const isTypeScript = (url: string): boolean => /\.[mc]?tsx?(?:\?.*)?$/.test(url);

async function main(): Promise<void> {
  const { description } = start;
  const modules = [
    ...description.preload,
    ...('module' in description.environment ? [description.environment.module] : []),
  ];
  // Built, this file is JavaScript; tsx is registered only for TypeScript modules the run names.
  if (!import.meta.url.endsWith('.ts') && modules.some(isTypeScript)) (await import('tsx/esm/api')).register();
  for (const url of description.preload) await import(url);
  await initEngine({ report: null });
  shard = await openShard(description, start.shard);
  const opened = shard;
  port.once('message', (message: StartMessage) => {
    if (message.type !== 'start') return;
    try {
      const frames = description.frameMs !== null && start.shard.worker === 0;
      const result = opened.run({
        shouldStop,
        onProgress: (progress) => send({ type: 'progress', progress }),
        ...(frames ? { onFrame: (frame) => send({ type: 'frame', frame }) } : {}),
      });
      end({ type: 'done', result });
    } catch (error) {
      fail(error);
    }
  });
  send({ type: 'ready', topology: opened.topology });
}

main().catch(fail);
