// SineMixture-v0: a continuous signal, the sum of K sines of incommensurate periods: the
// multiple superimposed oscillators task (Jaeger & Haas 2004; Schmidhuber et al. 2007, Evolino),
// which a predictor can only solve with a memory spanning the longest period.

import { box } from '../src/environment/space.js';
import type { BoxSpace } from '../src/environment/space.js';
import type { Rng } from '../src/random.js';
import { InvalidOptionError } from '../src/errors.js';
import { arrayOption, booleanOption, environmentOptions, integerOption, numberOption } from './environment-options.js';
import { SequenceEnvironment } from './sequence-environment.js';
import type { Emission } from './sequence-environment.js';
import { stateArray, stateInteger, stateNumber } from '../src/checkpoint/state-checks.js';

export interface SineMixtureOptions {
  /** Period of each sine, in steps (finite, > 0). Default [20, 33]. */
  periods?: readonly number[];
  /** Amplitude of each sine, one per period. Default [0.5, 0.3]. */
  amplitudes?: readonly number[];
  /** Standard deviation of Gaussian noise added to every observation. Default 0. */
  noise?: number;
  /** Observations per episode (the reset observation included); then `truncated`. Default 200. */
  length?: number;
  /** Draw each sine's phase per episode from the seed; false starts every sine at phase 0. Default true. */
  randomPhase?: boolean;
}

export const SINE_MIXTURE_DEFAULTS: Readonly<Required<SineMixtureOptions>> = Object.freeze({
  periods: Object.freeze([20, 33]),
  amplitudes: Object.freeze([0.5, 0.3]),
  noise: 0,
  length: 200,
  randomPhase: true,
});

/**
 * x_t = Σ_k a_k sin(2π t / P_k + φ_k) + noise · N(0, 1), for t = 0 .. length-1.
 * `info` on reset carries `phases` (φ_k, radians); steps carry `t`, the index in the episode.
 * With noise 0 the episode is a deterministic function of its phases.
 */
export class SineMixture extends SequenceEnvironment<Float32Array> {
  readonly observationSpace: BoxSpace = box(1);
  readonly periods: readonly number[];
  readonly amplitudes: readonly number[];
  readonly noise: number;
  readonly length: number;
  readonly randomPhase: boolean;
  private phases: number[] = [];
  private t = 0;

  constructor(options: SineMixtureOptions = {}) {
    super('SineMixture');
    const o = environmentOptions('SineMixture', options, SINE_MIXTURE_DEFAULTS);
    const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
    this.periods = arrayOption(
      'SineMixture',
      'periods',
      o.periods,
      'finite numbers > 0',
      (x) => finite(x) && (x as number) > 0,
    );
    this.amplitudes = arrayOption('SineMixture', 'amplitudes', o.amplitudes, 'finite numbers', finite);
    if (this.amplitudes.length !== this.periods.length) {
      throw new InvalidOptionError(
        `SineMixture: expected option "amplitudes" to have one entry per period (${this.periods.length}), but got ` +
          `${this.amplitudes.length}`,
      );
    }
    this.noise = numberOption('SineMixture', 'noise', o.noise, 0);
    this.length = integerOption('SineMixture', 'length', o.length, 2);
    this.randomPhase = booleanOption('SineMixture', 'randomPhase', o.randomPhase);
  }

  protected begin(rng: Rng): Emission<Float32Array> {
    this.phases = this.periods.map(() => (this.randomPhase ? 2 * Math.PI * rng.float() : 0));
    this.t = 0;
    return { observation: this.sampleAt(0, rng), info: { phases: [...this.phases] } };
  }

  protected advance(rng: Rng): Emission<Float32Array> {
    this.t += 1;
    return { observation: this.sampleAt(this.t, rng), info: { t: this.t }, truncated: this.t === this.length - 1 };
  }

  protected override saveEpisode(): Record<string, unknown> {
    return { phases: [...this.phases], t: this.t };
  }

  protected override loadEpisode(episode: Record<string, unknown>, where: string): () => void {
    const phases = stateArray(where, 'episode.phases', episode.phases, this.periods.length).map((p, k) =>
      stateNumber(where, `episode.phases[${k}]`, p),
    );
    const t = stateInteger(where, 'episode.t', episode.t, 0, this.length - 2);
    return () => {
      this.phases = phases;
      this.t = t;
    };
  }

  /** The noiseless signal at time t of the current episode. */
  signalAt(t: number): number {
    let x = 0;
    for (let k = 0; k < this.periods.length; k++) {
      x += this.amplitudes[k]! * Math.sin((2 * Math.PI * t) / this.periods[k]! + this.phases[k]!);
    }
    return x;
  }

  private sampleAt(t: number, rng: Rng): Float32Array {
    // Draw the noise only when there is some, so noise 0 leaves the stream untouched.
    const x = this.signalAt(t) + (this.noise > 0 ? this.noise * rng.normal() : 0);
    return Float32Array.of(x);
  }
}

export function createSineMixture(options?: SineMixtureOptions): SineMixture {
  return new SineMixture(options);
}
