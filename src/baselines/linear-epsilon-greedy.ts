// ε-greedy over linear reward models, the contextual bandit's plain baseline (Li et al. 2010 fit
// the same per-arm ridge regressions for LinUCB): one model per arm predicts the reward of that
// arm from the observation, fitted by recursive least squares (exact ridge regression, one
// sample at a time); the agent takes the arm of the largest prediction, or with probability ε a
// uniformly random one. Plain Float64Arrays, no tensors. Per arm a, with x the observation
// (and a constant 1 when `bias`), P = (λI + Σ x xᵀ)⁻¹ and w the ridge solution:
//   u = P x;  k = u / (1 + xᵀ u);  w ← w + k (r − wᵀx);  P ← P − k uᵀ   (Sherman–Morrison)

import { InvalidOptionError } from '../errors.js';
import { booleanOption, checkKeys, numberOption } from '../options.js';
import { Rng } from '../random.js';
import { checkUpdate } from './bandit-policy.js';
import { greedy } from './epsilon-greedy.js';
import { checkObservation } from './replay-buffer.js';

export interface LinearEpsilonGreedyOptions {
  readonly arms: number;
  /** The observation's length. */
  readonly features: number;
  /** Probability of a random arm; default 0.1. */
  readonly epsilon?: number;
  /** The ridge penalty λ (the prior precision of every weight); default 1. */
  readonly ridge?: number;
  /** Fit an intercept (a constant feature 1, penalised as the others); default true. */
  readonly bias?: boolean;
  readonly seed?: number;
}

const KEYS = ['arms', 'features', 'epsilon', 'ridge', 'bias', 'seed'];

export class LinearEpsilonGreedy {
  readonly arms: number;
  readonly features: number;
  readonly epsilon: number;
  readonly ridge: number;
  readonly bias: boolean;
  /** Per arm, the weights (the intercept last, when `bias`). */
  private readonly weights: Float64Array[];
  /** Per arm, P = (λI + Σ x xᵀ)⁻¹, row-major. */
  private readonly inverses: Float64Array[];
  private readonly x: Float64Array;
  private readonly u: Float64Array;
  private readonly rng: Rng;
  /** Updates made. */
  steps = 0;

  constructor(options: LinearEpsilonGreedyOptions) {
    const where = 'LinearEpsilonGreedy';
    checkKeys(where, options, KEYS);
    if (options === undefined)
      throw new InvalidOptionError(`${where}: expected an options object with "arms" and "features"`);
    this.arms = numberOption(where, 'arms', options.arms, Number.NaN, { integer: true, min: 2 });
    this.features = numberOption(where, 'features', options.features, Number.NaN, { integer: true, min: 1 });
    this.epsilon = numberOption(where, 'epsilon', options.epsilon, 0.1, { min: 0, max: 1 });
    this.ridge = numberOption(where, 'ridge', options.ridge, 1, { above: 0 });
    this.bias = booleanOption(where, 'bias', options.bias, true);
    this.rng = new Rng(numberOption(where, 'seed', options.seed, 0, { integer: true }));
    const d = this.features + (this.bias ? 1 : 0);
    this.weights = Array.from({ length: this.arms }, () => new Float64Array(d));
    this.inverses = Array.from({ length: this.arms }, () => new Float64Array(d * d));
    this.x = new Float64Array(d);
    this.u = new Float64Array(d);
    this.reset();
  }

  /** The predicted reward of every arm for `observation`. */
  predict(observation: Float32Array): Float64Array {
    this.load('LinearEpsilonGreedy.predict', observation);
    return Float64Array.from(this.weights, (w) => dot(w, this.x));
  }

  /** A uniformly random arm with probability ε, else the one predicted best (a tie broken at random). */
  act(observation: Float32Array): number {
    const predictions = this.predict(observation);
    if (this.rng.float() < this.epsilon) return this.rng.int(this.arms);
    return greedy(predictions, this.rng);
  }

  /** The arm predicted best, without exploring (a tie broken at random). */
  greedy(observation: Float32Array): number {
    return greedy(this.predict(observation), this.rng);
  }

  /** Learns that `action` paid `reward` for `observation`: one RLS step of that arm's model. */
  update(observation: Float32Array, action: number, reward: number): void {
    const where = 'LinearEpsilonGreedy.update';
    checkUpdate(where, this.arms, action, reward);
    this.load(where, observation);
    const { x, u } = this;
    const d = x.length;
    const p = this.inverses[action]!;
    const w = this.weights[action]!;
    let s = 1;
    for (let i = 0; i < d; i++) {
      let v = 0;
      const row = i * d;
      for (let j = 0; j < d; j++) v += p[row + j]! * x[j]!;
      u[i] = v;
      s += x[i]! * v;
    }
    const error = reward - dot(w, x);
    for (let i = 0; i < d; i++) {
      const k = u[i]! / s;
      w[i] += k * error;
      const row = i * d;
      for (let j = 0; j < d; j++) p[row + j] -= k * u[j]!;
    }
    this.steps++;
  }

  /** Forgets every model (a new run). */
  reset(): void {
    const d = this.x.length;
    for (let a = 0; a < this.arms; a++) {
      this.weights[a]!.fill(0);
      const p = this.inverses[a]!.fill(0);
      for (let i = 0; i < d; i++) p[i * d + i] = 1 / this.ridge;
    }
    this.steps = 0;
  }

  /** Nothing to free (no tensors); kept so that the bench treats every method alike. */
  dispose(): void {}

  /** Checks `observation` and copies it into `x`, with the intercept's 1. */
  private load(where: string, observation: Float32Array): void {
    checkObservation(where, 'observation', observation, this.features);
    for (let i = 0; i < this.features; i++) this.x[i] = observation[i]!;
    if (this.bias) this.x[this.features] = 1;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
