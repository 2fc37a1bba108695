// Upper-confidence-bound action selection (Sutton and Barto 2018, section 2.7): the arm of the
// largest Q(a) + c √(ln t / N(a)), an arm never pulled first; sample-average estimates.

import { checkKeys, numberOption } from '../options.js';
import { Rng } from '../random.js';
import { type BanditPolicy, checkUpdate } from './bandit-policy.js';
import { greedy } from './epsilon-greedy.js';

export interface UcbOptions {
  readonly arms: number;
  /** The degree of exploration c; default 2. */
  readonly c?: number;
  readonly seed?: number;
}

export class Ucb implements BanditPolicy {
  readonly arms: number;
  readonly c: number;
  private readonly estimates: Float64Array;
  private readonly counts: Float64Array;
  private readonly bounds: Float64Array;
  private readonly rng: Rng;
  private t = 0;

  constructor(options: UcbOptions) {
    const where = 'Ucb';
    checkKeys(where, options, ['arms', 'c', 'seed']);
    this.arms = numberOption(where, 'arms', options?.arms, Number.NaN, { integer: true, min: 2 });
    this.c = numberOption(where, 'c', options.c, 2, { min: 0 });
    this.rng = new Rng(numberOption(where, 'seed', options.seed, 0, { integer: true }));
    this.estimates = new Float64Array(this.arms);
    this.counts = new Float64Array(this.arms);
    this.bounds = new Float64Array(this.arms);
  }

  act(): number {
    const logT = Math.log(this.t + 1);
    for (let a = 0; a < this.arms; a++)
      this.bounds[a] =
        this.counts[a] === 0 ? Infinity : this.estimates[a]! + this.c * Math.sqrt(logT / this.counts[a]!);
    return greedy(this.bounds, this.rng);
  }

  update(action: number, reward: number): void {
    checkUpdate('Ucb.update', this.arms, action, reward);
    this.t += 1;
    this.counts[action] += 1;
    this.estimates[action] += (reward - this.estimates[action]!) / this.counts[action]!;
  }

  reset(): void {
    this.estimates.fill(0);
    this.counts.fill(0);
    this.t = 0;
  }
}
