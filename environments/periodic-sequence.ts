// Periodic-v0: a categorical sequence that repeats a fixed pattern, the sanity check of every
// sequence learner (a network with memory of the last few symbols predicts it perfectly). The
// default pattern 0 1 2 3 2 1 needs two symbols of context: 2 is followed by 3 or by 1.

import { discrete } from '../src/environment/space.js';
import type { DiscreteSpace } from '../src/environment/space.js';
import type { Rng } from '../src/random.js';
import { InvalidOptionError } from '../src/errors.js';
import { arrayOption, environmentOptions, integerOption } from './environment-options.js';
import { SequenceEnvironment } from './sequence-environment.js';
import type { Emission } from './sequence-environment.js';
import { stateInteger } from '../src/checkpoint/state-checks.js';

export interface PeriodicSequenceOptions {
  /** The repeated pattern of symbol indices (non-negative integers). Default [0, 1, 2, 3, 2, 1]. */
  pattern?: readonly number[];
  /** Size of the symbol space; must exceed every pattern entry. Default 4. */
  symbols?: number;
  /** Observations per episode (>= 2), the reset one included; then `truncated`. Default 120. */
  length?: number;
}

export const PERIODIC_SEQUENCE_DEFAULTS: Readonly<Required<PeriodicSequenceOptions>> = Object.freeze({
  pattern: Object.freeze([0, 1, 2, 3, 2, 1]),
  symbols: 4,
  length: 120,
});

/**
 * Observation: the symbol index, discrete(symbols). The seed only picks the starting offset in
 * the pattern (uniform); after that the sequence is fixed. `info.legalNext` is always
 * `[the next symbol]` (`info.offset`, on reset, is the starting offset). The step that emits the
 * episode's last observation is `truncated`.
 */
export class PeriodicSequence extends SequenceEnvironment<number> {
  readonly observationSpace: DiscreteSpace;
  readonly pattern: readonly number[];
  readonly symbols: number;
  readonly length: number;
  private position = 0;
  private t = 0;

  constructor(options: PeriodicSequenceOptions = {}) {
    super('PeriodicSequence');
    const o = environmentOptions('PeriodicSequence', options, PERIODIC_SEQUENCE_DEFAULTS);
    this.pattern = arrayOption(
      'PeriodicSequence',
      'pattern',
      o.pattern,
      'integers >= 0',
      (x) => Number.isSafeInteger(x) && (x as number) >= 0,
    );
    this.symbols = integerOption('PeriodicSequence', 'symbols', o.symbols, 1);
    const largest = Math.max(...this.pattern);
    if (largest >= this.symbols) {
      throw new InvalidOptionError(
        `PeriodicSequence: expected option "symbols" to exceed every pattern entry (> ${largest}), but got ` +
          `${this.symbols}`,
      );
    }
    this.length = integerOption('PeriodicSequence', 'length', o.length, 2);
    this.observationSpace = discrete(this.symbols);
  }

  protected begin(rng: Rng): Emission<number> {
    this.position = rng.int(this.pattern.length);
    this.t = 0;
    return { observation: this.pattern[this.position]!, info: { legalNext: [this.peek()], offset: this.position } };
  }

  protected advance(): Emission<number> {
    this.position = (this.position + 1) % this.pattern.length;
    this.t += 1;
    return {
      observation: this.pattern[this.position]!,
      info: { legalNext: [this.peek()] },
      truncated: this.t === this.length - 1,
    };
  }

  protected override saveEpisode(): Record<string, unknown> {
    return { position: this.position, t: this.t };
  }

  protected override loadEpisode(episode: Record<string, unknown>, where: string): () => void {
    const position = stateInteger(where, 'episode.position', episode.position, 0, this.pattern.length - 1);
    const t = stateInteger(where, 'episode.t', episode.t, 0, this.length - 2);
    return () => {
      this.position = position;
      this.t = t;
    };
  }

  private peek(): number {
    return this.pattern[(this.position + 1) % this.pattern.length]!;
  }
}

export function createPeriodicSequence(options?: PeriodicSequenceOptions): PeriodicSequence {
  return new PeriodicSequence(options);
}
