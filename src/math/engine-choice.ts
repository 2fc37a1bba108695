// Which engine a learner runs on. 'auto' takes the fused kernels (WebAssembly SIMD), which beat
// tfjs on wasm and cpu at every size measured (test/bench/throughput.ts: 1.1x to 14x), except
// with tfjs-node's native backend, whose multi-threaded kernels are left the batches.

import { assertEngine, engineBackend } from './backend.js';
import type { Engine } from './engine.js';
import { countedEngine, engineCounting } from './engine-counter.js';
import { fusedEngine } from './fused-engine.js';
import { tfjsEngine } from './tfjs-engine.js';

export const ENGINE_KINDS = ['auto', 'tfjs', 'fused'] as const;
export type EngineChoice = (typeof ENGINE_KINDS)[number];

export function engineFor(choice: EngineChoice, rows: number, where: string): Engine {
  const kind = choice === 'auto' ? (rows > 1 && backendIsNative() ? 'tfjs' : 'fused') : choice;
  let engine: Engine;
  if (kind === 'tfjs') {
    assertEngine(where);
    engine = tfjsEngine as Engine;
  } else engine = fusedEngine as Engine;
  // The debug counter (engine-counter.ts): learners made while it is on count their calls.
  return engineCounting() ? countedEngine(engine) : engine;
}

function backendIsNative(): boolean {
  try {
    return engineBackend() === 'tensorflow';
  } catch {
    return false;
  }
}
