// The random bandit baseline: every arm equally likely, nothing learned.

import { checkKeys, numberOption } from '../options.js';
import { Rng } from '../random.js';
import { type BanditPolicy, checkUpdate } from './bandit-policy.js';

export class RandomPolicy implements BanditPolicy {
  readonly arms: number;
  private readonly rng: Rng;

  constructor(options: { readonly arms: number; readonly seed?: number }) {
    checkKeys('RandomPolicy', options, ['arms', 'seed']);
    this.arms = numberOption('RandomPolicy', 'arms', options?.arms, Number.NaN, { integer: true, min: 2 });
    this.rng = new Rng(numberOption('RandomPolicy', 'seed', options.seed, 0, { integer: true }));
  }

  act(): number {
    return this.rng.int(this.arms);
  }

  update(action: number, reward: number): void {
    checkUpdate('RandomPolicy.update', this.arms, action, reward);
  }

  reset(): void {}
}
