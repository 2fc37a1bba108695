// ε-greedy action-value estimates (Sutton and Barto 2018, section 2.4): the greedy arm, or with
// probability ε a uniformly random one; estimates by sample averages, or by a constant step α
// for non-stationary problems (section 2.5). Ties between greedy arms are broken at random.

import { checkKeys, numberOption } from '../options.js';
import { Rng } from '../random.js';
import { type BanditPolicy, checkUpdate } from './bandit-policy.js';

export interface EpsilonGreedyOptions {
  readonly arms: number;
  /** Probability of a random arm; default 0.1. */
  readonly epsilon?: number;
  /** Constant step α; default none (sample averages, 1/n). */
  readonly stepSize?: number;
  /** Every estimate's start; default 0. */
  readonly initial?: number;
  readonly seed?: number;
}

export class EpsilonGreedy implements BanditPolicy {
  readonly arms: number;
  readonly epsilon: number;
  readonly stepSize: number | null;
  readonly initial: number;
  private readonly estimates: Float64Array;
  private readonly counts: Float64Array;
  private readonly rng: Rng;

  constructor(options: EpsilonGreedyOptions) {
    const where = 'EpsilonGreedy';
    checkKeys(where, options, ['arms', 'epsilon', 'stepSize', 'initial', 'seed']);
    this.arms = numberOption(where, 'arms', options?.arms, Number.NaN, { integer: true, min: 2 });
    this.epsilon = numberOption(where, 'epsilon', options.epsilon, 0.1, { min: 0, max: 1 });
    this.stepSize =
      options.stepSize === undefined
        ? null
        : numberOption(where, 'stepSize', options.stepSize, 0, { above: 0, max: 1 });
    this.initial = numberOption(where, 'initial', options.initial, 0);
    this.rng = new Rng(numberOption(where, 'seed', options.seed, 0, { integer: true }));
    this.estimates = new Float64Array(this.arms).fill(this.initial);
    this.counts = new Float64Array(this.arms);
  }

  act(): number {
    if (this.rng.float() < this.epsilon) return this.rng.int(this.arms);
    return greedy(this.estimates, this.rng);
  }

  update(action: number, reward: number): void {
    checkUpdate('EpsilonGreedy.update', this.arms, action, reward);
    this.counts[action] += 1;
    const step = this.stepSize ?? 1 / this.counts[action]!;
    this.estimates[action] += step * (reward - this.estimates[action]!);
  }

  reset(): void {
    this.estimates.fill(this.initial);
    this.counts.fill(0);
  }
}

/** The arm of the largest value, a tie broken uniformly at random. */
export function greedy(values: ArrayLike<number>, rng: Rng): number {
  let best = -Infinity;
  let count = 0;
  let choice = 0;
  for (let a = 0; a < values.length; a++) {
    const v = values[a]!;
    if (v > best) {
      best = v;
      count = 1;
      choice = a;
    } else if (v === best && rng.int(++count) === 0) choice = a;
  }
  return choice;
}
