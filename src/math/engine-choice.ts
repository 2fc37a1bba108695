// Which engine a learner runs on. 'auto' takes the fused kernels for one stream at a time
// (batch 1), where tfjs's fixed cost per op dominates, and tfjs for batches.

import type { Engine } from './engine.js';
import { fusedEngine } from './fused-engine.js';
import { tfjsEngine } from './tfjs-engine.js';
import { assertEngine } from './backend.js';

export const ENGINE_KINDS = ['auto', 'tfjs', 'fused'] as const;
export type EngineChoice = (typeof ENGINE_KINDS)[number];

export function engineFor(choice: EngineChoice, rows: number, where: string): Engine {
  const kind = choice === 'auto' ? (rows === 1 ? 'fused' : 'tfjs') : choice;
  if (kind === 'tfjs') {
    assertEngine(where);
    return tfjsEngine as Engine;
  }
  return fusedEngine as Engine;
}
