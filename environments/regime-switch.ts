// RegimeSwitch-v0: a continuous two-channel stream whose dynamics switch between regimes at
// random times: a point circling the origin at a regime's period and direction (the sign of the
// coupling between the channels), its radius drifting toward the regime's own, plus noise.
// Repeating the last value misses the motion and linear extrapolation the curvature (and doubles
// the noise); a learner that infers the regime from the recent steps predicts down to the noise.

import { box } from '../src/environment/space.js';
import type { BoxSpace } from '../src/environment/space.js';
import type { Rng } from '../src/random.js';
import { InvalidOptionError } from '../src/errors.js';
import { arrayOption, environmentOptions, integerOption, numberOption } from './environment-options.js';
import { SequenceEnvironment } from './sequence-environment.js';
import type { Emission } from './sequence-environment.js';
import { stateInteger, stateNumber } from '../src/checkpoint/state-checks.js';

export interface RegimeSwitchOptions {
  /** Per regime, steps per turn; the sign is the direction (negative: clockwise). |P| >= 2. Default [8, -14, 24]. */
  periods?: readonly number[];
  /** Per regime, the radius the point drifts toward, in (0, 0.9]. Default [0.8, 0.5, 0.7]. */
  radii?: readonly number[];
  /** Standard deviation of the Gaussian noise on each channel. Default 0.03. */
  noise?: number;
  /** Probability per step of switching to another regime (chosen uniformly). Default 0.005. */
  switchProbability?: number;
  /** Observations per episode (the reset observation included); then `truncated`. Default 2000. */
  length?: number;
}

export const REGIME_SWITCH_DEFAULTS: Readonly<Required<RegimeSwitchOptions>> = Object.freeze({
  periods: Object.freeze([8, -14, 24]),
  radii: Object.freeze([0.8, 0.5, 0.7]),
  noise: 0.03,
  switchProbability: 0.005,
  length: 2000,
});

/**
 * Share of the gap to the regime's radius closed per step: a switch changes the radius over
 * about ten steps, a drift a learner can follow, rather than a jump nobody can predict.
 */
const RADIUS_RELAXATION = 0.1;

/**
 * θ_{t+1} = θ_t + 2π / P_k,  r_{t+1} = r_t + 0.1 (R_k − r_t),
 * x_t = clip(r_t (cos θ_t, sin θ_t) + noise · N(0, I), −1, 1), with k the regime at step t,
 * which becomes another with probability `switchProbability` before each step.
 * `info` carries `regime` (k) and `t`, the index in the episode.
 */
export class RegimeSwitch extends SequenceEnvironment<Float32Array> {
  readonly observationSpace: BoxSpace = box(2, -1, 1);
  readonly periods: readonly number[];
  readonly radii: readonly number[];
  readonly noise: number;
  readonly switchProbability: number;
  readonly length: number;
  private regime = 0;
  private angle = 0;
  private radius = 0;
  private t = 0;

  constructor(options: RegimeSwitchOptions = {}) {
    super('RegimeSwitch');
    const o = environmentOptions('RegimeSwitch', options, REGIME_SWITCH_DEFAULTS);
    const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
    this.periods = arrayOption(
      'RegimeSwitch',
      'periods',
      o.periods,
      'finite numbers with |P| >= 2',
      (x) => finite(x) && Math.abs(x) >= 2,
    );
    this.radii = arrayOption(
      'RegimeSwitch',
      'radii',
      o.radii,
      'numbers in (0, 0.9]',
      (x) => finite(x) && x > 0 && x <= 0.9,
    );
    if (this.radii.length !== this.periods.length) {
      throw new InvalidOptionError(
        `RegimeSwitch: expected option "radii" to have one entry per period (${this.periods.length}), but got ` +
          `${this.radii.length}`,
      );
    }
    this.noise = numberOption('RegimeSwitch', 'noise', o.noise, 0);
    this.switchProbability = numberOption('RegimeSwitch', 'switchProbability', o.switchProbability, 0);
    if (this.switchProbability > 1) {
      throw new InvalidOptionError(
        `RegimeSwitch: expected option "switchProbability" to be at most 1, but got ${this.switchProbability}`,
      );
    }
    this.length = integerOption('RegimeSwitch', 'length', o.length, 2);
  }

  protected begin(rng: Rng): Emission<Float32Array> {
    this.regime = rng.int(this.periods.length);
    this.angle = 2 * Math.PI * rng.float();
    this.radius = this.radii[this.regime]!;
    this.t = 0;
    return { observation: this.sample(rng), info: { regime: this.regime, t: 0 } };
  }

  protected advance(rng: Rng): Emission<Float32Array> {
    const K = this.periods.length;
    if (K > 1 && rng.float() < this.switchProbability) this.regime = (this.regime + 1 + rng.int(K - 1)) % K;
    this.angle = (this.angle + (2 * Math.PI) / this.periods[this.regime]!) % (2 * Math.PI);
    this.radius += RADIUS_RELAXATION * (this.radii[this.regime]! - this.radius);
    this.t += 1;
    return {
      observation: this.sample(rng),
      info: { regime: this.regime, t: this.t },
      truncated: this.t === this.length - 1,
    };
  }

  protected override saveEpisode(): Record<string, unknown> {
    return { regime: this.regime, angle: this.angle, radius: this.radius, t: this.t };
  }

  protected override loadEpisode(episode: Record<string, unknown>, where: string): () => void {
    const regime = stateInteger(where, 'episode.regime', episode.regime, 0, this.periods.length - 1);
    const angle = stateNumber(where, 'episode.angle', episode.angle);
    const radius = stateNumber(where, 'episode.radius', episode.radius);
    const t = stateInteger(where, 'episode.t', episode.t, 0, this.length - 2);
    return () => {
      this.regime = regime;
      this.angle = angle;
      this.radius = radius;
      this.t = t;
    };
  }

  /** The noiseless point of the current step. */
  signal(): [number, number] {
    return [this.radius * Math.cos(this.angle), this.radius * Math.sin(this.angle)];
  }

  private sample(rng: Rng): Float32Array {
    const [x, y] = this.signal();
    // Draw the noise only when there is some, so noise 0 leaves the stream untouched.
    const n = (): number => (this.noise > 0 ? this.noise * rng.normal() : 0);
    // Radii of at most 0.9 keep the clip for the rare noise draw that would leave the box.
    const clip = (v: number): number => Math.max(-1, Math.min(1, v));
    return Float32Array.of(clip(x + n()), clip(y + n()));
  }
}

export function createRegimeSwitch(options?: RegimeSwitchOptions): RegimeSwitch {
  return new RegimeSwitch(options);
}
