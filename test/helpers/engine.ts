// Starts the tensor engine once per test file, quietly, and counts live tensors for leak tests.

import { beforeAll } from 'vitest';
import { type Engine, fusedEngine, initEngine, tfjsEngine } from '../../src/math/index.js';

export function useEngine(): void {
  beforeAll(async () => {
    await initEngine({ report: null });
  });
}

/** Live tfjs tensors right now. */
export function liveTensors(): number {
  return tfjsEngine.live();
}

/** Both engines, for tests that must hold on either. */
export const ENGINES: ReadonlyArray<readonly [string, Engine]> = [
  ['tfjs', tfjsEngine as Engine],
  ['fused', fusedEngine as Engine],
];
