// TenArmedTestbed-v0: the k-armed bandit testbed of Sutton and Barto (2018, section 2.3). Each
// episode draws the arms' true values q*(a) ~ N(0, 1); pulling arm a pays N(q*(a), 1). With
// `drift` > 0 the testbed is non-stationary (their exercise 2.5): the values start equal (0) and
// take independent random walks of step N(0, drift²) after every pull. The observation is
// constant (there is nothing to see); the reward is what is learned from.

import { box, discrete } from '../src/environment/space.js';
import type { BoxSpace, DiscreteSpace, SpaceValue } from '../src/environment/space.js';
import type {
  Environment,
  EnvironmentSpec,
  ResetOptions,
  ResetResult,
  StepResult,
} from '../src/environment/environment.js';
import { StateError } from '../src/errors.js';
import { Rng, checkRngState } from '../src/random.js';
import { assertInSpace } from '../src/environment/space.js';
import { corruptState, stateArray, stateInteger, stateNumber, stateRecord } from '../src/checkpoint/state-checks.js';
import { environmentOptions, integerOption, numberOption, resetSeed } from './environment-options.js';

export interface TenArmedTestbedOptions {
  /** Arms (k >= 2). Default 10. */
  arms?: number;
  /** Pulls per episode (a run of the testbed); then `truncated`. Default 1000. */
  length?: number;
  /** Std of each arm's random walk per pull; 0: stationary, the values drawn N(0, 1). Default 0. */
  drift?: number;
}

export const TEN_ARMED_TESTBED_DEFAULTS: Readonly<Required<TenArmedTestbedOptions>> = Object.freeze({
  arms: 10,
  length: 1000,
  drift: 0,
});

const WHERE = 'TenArmedTestbed';
const OBSERVATION = Float32Array.of(0);

/**
 * `info` after each pull: `optimal` (whether the arm pulled had the largest true value),
 * `optimalAction`, `expected` (the pulled arm's true value). Rewards are the only signal.
 */
export class TenArmedTestbed implements Environment<Float32Array, number> {
  readonly observationSpace: BoxSpace = box(1, 0, 0);
  readonly actionSpace: DiscreteSpace;
  spec?: EnvironmentSpec;
  readonly arms: number;
  readonly length: number;
  readonly drift: number;
  private rng = new Rng(0);
  private values: Float64Array;
  private t = -1;

  constructor(options: TenArmedTestbedOptions = {}) {
    const o = environmentOptions(WHERE, options, TEN_ARMED_TESTBED_DEFAULTS);
    this.arms = integerOption(WHERE, 'arms', o.arms, 2);
    this.length = integerOption(WHERE, 'length', o.length, 1);
    this.drift = numberOption(WHERE, 'drift', o.drift, 0);
    this.actionSpace = discrete(this.arms);
    this.values = new Float64Array(this.arms);
  }

  reset(options?: ResetOptions): ResetResult<Float32Array> {
    const seed = resetSeed(WHERE, options);
    if (seed !== undefined) {
      this.rng = new Rng(seed);
    }
    for (let a = 0; a < this.arms; a++) this.values[a] = this.drift > 0 ? 0 : this.rng.normal();
    this.t = 0;
    return { observation: OBSERVATION.slice(), info: { optimalAction: this.best() } };
  }

  step(action?: SpaceValue | null): StepResult<Float32Array> {
    if (this.t < 0) throw new StateError('ERR_RESET_NEEDED', `${WHERE}.step: expected reset() before the first step`);
    if (this.t >= this.length)
      throw new StateError('ERR_EPISODE_ENDED', `${WHERE}.step: expected reset() after the episode ended`);
    assertInSpace(this.actionSpace, action, `${WHERE}.step: action`);
    const a = action as number;
    const best = this.best();
    const expected = this.values[a]!;
    const optimal = expected >= this.values[best]!;
    const reward = expected + this.rng.normal();
    if (this.drift > 0) for (let k = 0; k < this.arms; k++) this.values[k] += this.drift * this.rng.normal();
    this.t += 1;
    const info = { optimal, optimalAction: best, expected };
    return { observation: OBSERVATION.slice(), reward, terminated: false, truncated: this.t === this.length, info };
  }

  /** The arm of the largest true value (the first, on a tie). */
  private best(): number {
    let best = 0;
    for (let a = 1; a < this.arms; a++) if (this.values[a]! > this.values[best]!) best = a;
    return best;
  }

  getState(): Record<string, unknown> {
    return { environment: WHERE, rng: this.rng.getState(), values: Array.from(this.values), t: this.t };
  }

  setState(state: unknown): void {
    const where = `${WHERE}.setState`;
    const s = stateRecord(where, 'the state', state, ['environment', 'rng', 'values', 't']);
    if (s.environment !== WHERE) corruptState(where, 'environment', `"${WHERE}"`, s.environment);
    const rng = checkRngState(s.rng, where, 'rng');
    const values = stateArray(where, 'values', s.values, this.arms).map((v, i) =>
      stateNumber(where, `values[${i}]`, v),
    );
    const t = stateInteger(where, 't', s.t, -1, this.length);
    this.rng = new Rng(0);
    this.rng.setState(rng);
    this.values.set(values);
    this.t = t;
  }

  close(): void {}
}
