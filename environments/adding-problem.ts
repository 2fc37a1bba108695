// Adding-v0: the adding problem (Hochreiter & Schmidhuber 1997, experiment 4; the simplified
// form of Le, Jaitly & Hinton 2015): a stream of random values, two of them marked, and the
// label on the last step is the sum of the two marked values.

import { box, dict } from '../src/environment/space.js';
import type { DictSpace } from '../src/environment/space.js';
import type { Rng } from '../src/random.js';
import { environmentOptions, integerOption } from './environment-options.js';
import { SequenceEnvironment } from './sequence-environment.js';
import type { Emission } from './sequence-environment.js';
import { stateArray, stateFloats, stateInteger } from '../src/checkpoint/state-checks.js';

export interface AddingProblemOptions {
  /** Sequence length T (>= 2), one observation per step, the reset one included. Default 20. */
  length?: number;
}

export const ADDING_PROBLEM_DEFAULTS: Readonly<Required<AddingProblemOptions>> = Object.freeze({ length: 20 });

export type AddingObservation = { observation: Float32Array; label?: Float32Array };

/**
 * Where the two markers may fall (0-based, `[from, to)`): the first within the first 10% of
 * the sequence (at least index 0), the second in [0.1T, 0.5T), after the first one's range so
 * the two are always distinct. For T = 20: [0, 2) and [2, 10).
 */
export function addingRanges(length: number): { first: [number, number]; second: [number, number] } {
  const firstEnd = Math.max(1, Math.floor(0.1 * length));
  const secondStart = Math.max(firstEnd, Math.ceil(0.1 * length));
  const secondEnd = Math.min(length, Math.max(secondStart + 1, Math.ceil(0.5 * length)));
  return { first: [0, firstEnd], second: [secondStart, secondEnd] };
}

/**
 * Observation: `{ observation: box(2) in [0, 1] = [value ~ U[0, 1), marker 0 or 1], label?:
 * box(1) in [0, 2] }`. The last step carries `label` (the float32 sum of the two marked
 * values) and `info.labelStep = true`, and is `terminated`.
 */
export class AddingProblem extends SequenceEnvironment<AddingObservation> {
  readonly observationSpace: DictSpace = dict({ observation: box(2, 0, 1), label: box(1, 0, 2) }, ['label']);
  readonly length: number;
  private values = new Float32Array(0);
  private markers: [number, number] = [0, 0];
  private t = 0;

  constructor(options: AddingProblemOptions = {}) {
    super('AddingProblem');
    const o = environmentOptions('AddingProblem', options, ADDING_PROBLEM_DEFAULTS);
    this.length = integerOption('AddingProblem', 'length', o.length, 2);
  }

  protected begin(rng: Rng): Emission<AddingObservation> {
    const { first, second } = addingRanges(this.length);
    this.markers = [first[0] + rng.int(first[1] - first[0]), second[0] + rng.int(second[1] - second[0])];
    this.values = new Float32Array(this.length);
    for (let t = 0; t < this.length; t++) this.values[t] = rng.float();
    this.t = 0;
    return { observation: this.observe() };
  }

  protected advance(): Emission<AddingObservation> {
    this.t += 1;
    if (this.t < this.length - 1) return { observation: this.observe() };
    return { observation: this.observe(), info: { labelStep: true }, terminated: true };
  }

  protected override saveEpisode(): Record<string, unknown> {
    return { values: this.values.slice(), markers: [...this.markers], t: this.t };
  }

  protected override loadEpisode(episode: Record<string, unknown>, where: string): () => void {
    const values = stateFloats(where, 'episode.values', episode.values, this.length);
    const [first, second] = stateArray(where, 'episode.markers', episode.markers, 2).map((m, i) =>
      stateInteger(where, `episode.markers[${i}]`, m, 0, this.length - 1),
    );
    const t = stateInteger(where, 'episode.t', episode.t, 0, this.length - 2);
    return () => {
      this.values = values.slice();
      this.markers = [first!, second!];
      this.t = t;
    };
  }

  private observe(): AddingObservation {
    const marked = this.markers.includes(this.t) ? 1 : 0;
    const observation = Float32Array.of(this.values[this.t]!, marked);
    if (this.t < this.length - 1) return { observation };
    const label = Float32Array.of(this.values[this.markers[0]]! + this.values[this.markers[1]]!);
    return { observation, label };
  }
}

export function createAddingProblem(options?: AddingProblemOptions): AddingProblem {
  return new AddingProblem(options);
}
