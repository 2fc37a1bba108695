// Chooses and starts the tensor backend, once per process. tfjs-node ("tensorflow") when it
// loads, else wasm, else cpu; TPROP_BACKEND forces one, and a forced backend that cannot start
// is an error rather than a silent fallback. The choice is reported once on stderr.

import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { BackendError } from '../errors.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
const BACKENDS: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface EngineOptions {
  /** Backend to force; default from TPROP_BACKEND, else the best that loads. */
  readonly backend?: BackendName;
  /** Where the one-line report goes; default stderr. Pass `null` to stay silent. */
  readonly report?: ((line: string) => void) | null;
}

let started: Promise<BackendName> | null = null;
let current: BackendName | null = null;

// tfjs greets Node users on first use of the cpu backend; prod mode silences its logs only.
tf.enableProdMode();

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

async function start(options: EngineOptions): Promise<BackendName> {
  const forced = options.backend ?? (process.env.TPROP_BACKEND || undefined);
  if (forced !== undefined && !BACKENDS.includes(forced as BackendName)) {
    throw new BackendError(
      `initEngine: expected TPROP_BACKEND to be one of ${BACKENDS.join(', ')}, but got "${forced}"`,
    );
  }
  const candidates = forced ? [forced as BackendName] : BACKENDS;
  const failures: string[] = [];
  for (const name of candidates) {
    const failure = await tryBackend(name);
    if (failure === null) {
      current = name;
      const report =
        options.report === undefined ? (line: string) => process.stderr.write(`${line}\n`) : options.report;
      report?.(
        `tprop: tensor backend "${name}" (tfjs ${tf.version.tfjs})${failures.length ? `; unavailable: ${failures.join('; ')}` : ''}`,
      );
      return name;
    }
    failures.push(`${name} (${failure})`);
  }
  throw new BackendError(
    `initEngine: expected backend ${forced ? `"${forced}"` : 'tensorflow, wasm or cpu'} to start, but got ${failures.join('; ')}`,
  );
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
