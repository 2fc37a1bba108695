// TemporalOrder-v0: Hochreiter & Schmidhuber's temporal order problem (1997, experiments 6a
// and 6b): a sequence of distractors with X or Y at 2 (or 3) randomly placed positions, and the
// class is the temporal order of those symbols, given as a label on the final E.

import { dict, discrete } from '../src/environment/space.js';
import type { DictSpace } from '../src/environment/space.js';
import type { Rng } from '../src/random.js';
import { InvalidOptionError } from '../src/errors.js';
import { environmentOptions, integerOption } from './environment-options.js';
import { SequenceEnvironment } from './sequence-environment.js';
import type { Emission } from './sequence-environment.js';
import { stateArray, stateInteger } from '../src/checkpoint/state-checks.js';

/** The eight symbols; an observation's `observation` is the index of its symbol here. */
export const TEMPORAL_ORDER_SYMBOLS = ['B', 'E', 'a', 'b', 'c', 'd', 'X', 'Y'] as const;

export const TEMPORAL_ORDER_B = 0;
export const TEMPORAL_ORDER_E = 1;
/** The distractors a, b, c, d are 2..5. */
export const TEMPORAL_ORDER_DISTRACTORS = [2, 3, 4, 5] as const;
export const TEMPORAL_ORDER_X = 6;
export const TEMPORAL_ORDER_Y = 7;

export interface TemporalOrderOptions {
  /** Sequence length T, B and E included (>= 4, or >= 5 when bits is 3). Default 10. */
  length?: number;
  /** 1: two relevant positions, 4 classes (experiment 6a); 3: three, 8 classes (6b). Default 1. */
  bits?: 1 | 3;
}

export const TEMPORAL_ORDER_DEFAULTS: Readonly<Required<TemporalOrderOptions>> = Object.freeze({ length: 10, bits: 1 });

export type TemporalOrderObservation = { observation: number; label?: number };

/**
 * The ranges of the relevant positions (0-based indices, inclusive) in temporal order, scaled
 * from the literature's T ≈ 100: [0.1T, 0.2T] and [0.5T, 0.6T], plus [0.3T, 0.4T] between them
 * for three positions. Each range is clamped so the positions stay distinct, ordered and
 * strictly between B and E; for T = 100 they are exactly [10, 20], ([30, 40],) [50, 60].
 */
export function temporalOrderRanges(length: number, positions: 2 | 3): Array<[number, number]> {
  const fractions: Array<[number, number]> =
    positions === 2
      ? [
          [0.1, 0.2],
          [0.5, 0.6],
        ]
      : [
          [0.1, 0.2],
          [0.3, 0.4],
          [0.5, 0.6],
        ];
  return fractions.map(([lo, hi], i) => {
    const first = 1 + i;
    const last = length - 2 - (positions - 1 - i);
    const low = Math.min(Math.max(Math.floor(lo * length), first), last);
    return [low, Math.max(low, Math.min(Math.floor(hi * length), last))];
  });
}

/**
 * Observation: `{ observation: discrete(8), label?: discrete(classes) }`. Reset emits B, the
 * positions between carry a distractor (a-d, uniform) or, at the relevant positions, X or Y
 * (uniform); the last step emits E with `label`, the class read as a binary number in temporal
 * order (X = 0, Y = 1, first position most significant: XX=0, XY=1, YX=2, YY=3), and
 * `info.labelStep = true`, and is `terminated`.
 */
export class TemporalOrder extends SequenceEnvironment<TemporalOrderObservation> {
  readonly observationSpace: DictSpace;
  readonly length: number;
  readonly bits: 1 | 3;
  readonly classes: number;
  private sequence: number[] = [];
  private label = 0;
  private t = 0;

  constructor(options: TemporalOrderOptions = {}) {
    super('TemporalOrder');
    const o = environmentOptions('TemporalOrder', options, TEMPORAL_ORDER_DEFAULTS);
    if (o.bits !== 1 && o.bits !== 3) {
      throw new InvalidOptionError(`TemporalOrder: expected option "bits" to be 1 or 3, but got ${String(o.bits)}`);
    }
    this.bits = o.bits;
    this.length = integerOption('TemporalOrder', 'length', o.length, this.bits === 1 ? 4 : 5);
    this.classes = this.bits === 1 ? 4 : 8;
    this.observationSpace = dict(
      { observation: discrete(TEMPORAL_ORDER_SYMBOLS.length), label: discrete(this.classes) },
      ['label'],
    );
  }

  protected begin(rng: Rng): Emission<TemporalOrderObservation> {
    const T = this.length;
    const ranges = temporalOrderRanges(T, this.bits === 1 ? 2 : 3);
    const sequence = [TEMPORAL_ORDER_B];
    for (let t = 1; t < T - 1; t++) sequence.push(TEMPORAL_ORDER_DISTRACTORS[rng.int(4)]!);
    sequence.push(TEMPORAL_ORDER_E);
    let previous = 0;
    let label = 0;
    for (const [lo, hi] of ranges) {
      const from = Math.max(lo, previous + 1);
      const position = from + rng.int(Math.max(from, hi) - from + 1);
      const bit = rng.int(2);
      sequence[position] = bit === 0 ? TEMPORAL_ORDER_X : TEMPORAL_ORDER_Y;
      label = label * 2 + bit;
      previous = position;
    }
    this.sequence = sequence;
    this.label = label;
    this.t = 0;
    return { observation: { observation: TEMPORAL_ORDER_B } };
  }

  protected advance(): Emission<TemporalOrderObservation> {
    this.t += 1;
    const symbol = this.sequence[this.t]!;
    if (this.t < this.length - 1) return { observation: { observation: symbol } };
    return { observation: { observation: symbol, label: this.label }, info: { labelStep: true }, terminated: true };
  }

  protected override saveEpisode(): Record<string, unknown> {
    return { sequence: [...this.sequence], label: this.label, t: this.t };
  }

  protected override loadEpisode(episode: Record<string, unknown>, where: string): () => void {
    const symbols = TEMPORAL_ORDER_SYMBOLS.length - 1;
    const sequence = stateArray(where, 'episode.sequence', episode.sequence, this.length).map((s, i) =>
      stateInteger(where, `episode.sequence[${i}]`, s, 0, symbols),
    );
    const label = stateInteger(where, 'episode.label', episode.label, 0, this.classes - 1);
    const t = stateInteger(where, 'episode.t', episode.t, 0, this.length - 2);
    return () => {
      this.sequence = sequence;
      this.label = label;
      this.t = t;
    };
  }
}

export function createTemporalOrder(options?: TemporalOrderOptions): TemporalOrder {
  return new TemporalOrder(options);
}
