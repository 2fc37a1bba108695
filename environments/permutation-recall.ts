// PermutationRecall-v0: Martens & Sutskever's random permutation problem (2011, "Learning
// recurrent neural networks with Hessian-free optimization"): the first symbol of a sequence of
// random symbols is its class, to be recalled at the end, T-1 steps later.

import { dict, discrete } from '../src/environment/space.js';
import type { DictSpace } from '../src/environment/space.js';
import type { Rng } from '../src/random.js';
import { environmentOptions, integerOption } from './environment-options.js';
import { SequenceEnvironment } from './sequence-environment.js';
import type { Emission } from './sequence-environment.js';
import { stateInteger } from '../src/checkpoint/state-checks.js';

export interface PermutationRecallOptions {
  /** Sequence length T (>= 2), the reset observation included. Default 20. */
  length?: number;
  /** Vocabulary size (>= 4): 0 and 1 are the classes, 2..symbols-1 the filler. Default 8. */
  symbols?: number;
}

export const PERMUTATION_RECALL_DEFAULTS: Readonly<Required<PermutationRecallOptions>> = Object.freeze({
  length: 20,
  symbols: 8,
});

export type PermutationRecallObservation = { observation: number; label?: number };

/**
 * Observation: `{ observation: discrete(symbols), label?: discrete(2) }`. Reset emits the class
 * (0 or 1, uniform); each later observation is uniform in [2, symbols). The last step carries
 * `label`, equal to the first symbol, and `info.labelStep = true`, and is `terminated`.
 */
export class PermutationRecall extends SequenceEnvironment<PermutationRecallObservation> {
  readonly observationSpace: DictSpace;
  readonly length: number;
  readonly symbols: number;
  private label = 0;
  private t = 0;

  constructor(options: PermutationRecallOptions = {}) {
    super('PermutationRecall');
    const o = environmentOptions('PermutationRecall', options, PERMUTATION_RECALL_DEFAULTS);
    this.length = integerOption('PermutationRecall', 'length', o.length, 2);
    this.symbols = integerOption('PermutationRecall', 'symbols', o.symbols, 4);
    this.observationSpace = dict({ observation: discrete(this.symbols), label: discrete(2) }, ['label']);
  }

  protected begin(rng: Rng): Emission<PermutationRecallObservation> {
    this.label = rng.int(2);
    this.t = 0;
    return { observation: { observation: this.label } };
  }

  protected advance(rng: Rng): Emission<PermutationRecallObservation> {
    this.t += 1;
    // Drawn step by step: nothing later in the sequence depends on it.
    const observation = 2 + rng.int(this.symbols - 2);
    if (this.t < this.length - 1) return { observation: { observation } };
    return { observation: { observation, label: this.label }, info: { labelStep: true }, terminated: true };
  }

  protected override saveEpisode(): Record<string, unknown> {
    return { label: this.label, t: this.t };
  }

  protected override loadEpisode(episode: Record<string, unknown>, where: string): () => void {
    const label = stateInteger(where, 'episode.label', episode.label, 0, 1);
    const t = stateInteger(where, 'episode.t', episode.t, 0, this.length - 2);
    return () => {
      this.label = label;
      this.t = t;
    };
  }
}

export function createPermutationRecall(options?: PermutationRecallOptions): PermutationRecall {
  return new PermutationRecall(options);
}
