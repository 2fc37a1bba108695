// Chooses and starts the tensor backend, once per process. tfjs-node ("tensorflow") when it
// loads, else wasm, else cpu; TPROP_BACKEND forces one, and a forced backend that cannot start
// is an error rather than a silent fallback. The choice is one quiet line on stderr.

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { BackendError } from '../errors.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface EngineOptions {
  /** Backend to force; default from TPROP_BACKEND, else the best that loads. */
  readonly backend?: BackendName;
  /** Where the one-line report goes; default stderr (silent when TPROP_QUIET is set). `null`: silent. */
  readonly report?: ((line: string) => void) | null;
  /** No report at all, whatever `report` says. Default: TPROP_QUIET set (to anything but 0). */
  readonly quiet?: boolean;
}

let started: Promise<BackendName> | null = null;
let current: BackendName | null = null;

// tfjs greets Node users on first use of the cpu backend; prod mode silences its logs only.
tf.enableProdMode();

const FATAL_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Runs `start` and then removes the process handlers it added. The wasm backend's emscripten
 * module adds some that rethrow from inside its one-line minified bundle, so an uncaught error
 * anywhere in the program printed ~40 KB of that source and exited with code 7; without them
 * Node prints the error and its stack and exits with 1, as it does everywhere else.
 */
async function withoutFatalHandlers<T>(start: () => Promise<T>): Promise<T> {
  const emitter: NodeJS.EventEmitter = process; // the plain signatures, for both events at once
  const before = new Map(FATAL_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  try {
    return await start();
  } finally {
    for (const event of FATAL_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
}

async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    if (name === 'tensorflow') {
      const spec = '@tensorflow/tfjs-node';
      await import(/* @vite-ignore */ spec);
    }
    if (!(await tf.setBackend(name))) return `tf.setBackend("${name}") returned false`;
    await tf.ready();
    return null;
  } catch (err) {
    return err instanceof Error ? err.message.split('\n')[0]! : String(err);
  }
}

/** Why a backend that was not forced was passed over, in words that do not read like an error. */
function skipped(name: BackendName, failure: string): string {
  if (name === 'tensorflow' && /Cannot find (?:package|module) '@tensorflow\/tfjs-node'/.test(failure))
    return 'tfjs-node not installed';
  return `${name === 'tensorflow' ? 'tfjs-node' : name} failed: ${failure}`;
}

function isQuiet(options: EngineOptions): boolean {
  if (options.quiet !== undefined) return options.quiet;
  // An explicit report function is a request for the line; the variable only silences the default.
  if (options.report !== undefined) return options.report === null;
  const quiet = process.env.TPROP_QUIET;
  return quiet !== undefined && quiet !== '' && quiet !== '0';
}

async function start(options: EngineOptions): Promise<BackendName> {
  const forced = options.backend ?? (process.env.TPROP_BACKEND || undefined);
  if (forced !== undefined && !BACKENDS.includes(forced as BackendName)) {
    throw new BackendError(
      `initEngine: expected TPROP_BACKEND to be one of ${BACKENDS.join(', ')}, but got "${forced}"`,
    );
  }
  const candidates = forced ? [forced as BackendName] : BACKENDS;
  const failures: string[] = [];
  const passedOver: string[] = [];
  for (const name of candidates) {
    const failure = await withoutFatalHandlers(() => tryBackend(name));
    if (failure === null) {
      current = name;
      if (!isQuiet(options)) {
        const report = options.report ?? ((line: string) => process.stderr.write(`${line}\n`));
        const why = forced ? `forced by ${options.backend ? 'initEngine' : 'TPROP_BACKEND'}` : passedOver.join('; ');
        report(`tprop: backend ${name}${why ? ` (${why})` : ''}`);
      }
      return name;
    }
    failures.push(`${name} (${failure})`);
    passedOver.push(skipped(name, failure));
  }
  const expected = forced ? `"${forced}"` : 'tensorflow, wasm or cpu';
  throw new BackendError(`initEngine: expected backend ${expected} to start, but got ${failures.join('; ')}`);
}

/** Starts the engine (idempotent: later calls return the first call's result). */
export function initEngine(options: EngineOptions = {}): Promise<BackendName> {
  if (!started) {
    started = start(options);
    started.catch(() => {
      started = null;
    });
  }
  return started;
}

/** The running backend; throws if `initEngine()` has not finished. */
export function engineBackend(): BackendName {
  if (current === null)
    throw new BackendError(
      'engineBackend: expected the engine to be started, but initEngine() has not completed; await initEngine() first',
    );
  return current;
}

/** Throws a BackendError naming `where` unless the engine is started. */
export function assertEngine(where: string): void {
  if (current === null)
    throw new BackendError(
      `${where}: expected the tensor engine to be started, but it is not; await initEngine() first`,
    );
}
