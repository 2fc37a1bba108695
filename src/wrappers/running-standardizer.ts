// RunningStandardizer: a vector's running mean and variance (Welford), and the standardised
// value `(x - mean) / spread`, one observation at a time. Shared by NormalizeObservation and
// the data-stream environment, which differ only in their defaults.

import { InvalidOptionError, NonFiniteError } from '../errors.js';
import { booleanOption, numberOption } from '../options.js';

export interface StandardizerOptions {
  /** Added to the variance under the square root. Default 1e-8. */
  epsilon?: number;
  /** Clip the output to [-clip, clip] (> 0). Default: no clipping. */
  clip?: number;
  /**
   * true (Gymnasium's order): the statistics take `x` in before it is standardised. false: `x` is
   * standardised with the statistics of the values before it, then taken in, so a surprising
   * value is measured against what was known, not partly against itself. Default true.
   */
  updateFirst?: boolean;
  /**
   * The spread never goes below this (in the input's units): a floor for the first readings,
   * whose variance is near 0, and for a channel that is constant for a while. Default 0.
   */
  minStd?: number;
}

export const STANDARDIZER_KEYS = Object.freeze(['epsilon', 'clip', 'updateFirst', 'minStd']);

/** Checked options, defaults applied. */
export interface StandardizerSettings {
  readonly epsilon: number;
  readonly clip: number;
  readonly updateFirst: boolean;
  readonly minStd: number;
}

/** Checks the options of `where`, with its own defaults for any of them. */
export function standardizerSettings(
  where: string,
  options: StandardizerOptions,
  defaults: Partial<StandardizerSettings> = {},
): StandardizerSettings {
  const clip = options.clip === undefined ? defaults.clip : options.clip;
  return {
    epsilon: numberOption(where, 'epsilon', options.epsilon, defaults.epsilon ?? 1e-8, { above: 0 }),
    clip: clip === undefined ? Infinity : numberOption(where, 'clip', clip, 0, { above: 0 }),
    updateFirst: booleanOption(where, 'updateFirst', options.updateFirst, defaults.updateFirst ?? true),
    minStd: numberOption(where, 'minStd', options.minStd, defaults.minStd ?? 0, { min: 0 }),
  };
}

/**
 * With statistics of n values (mean m, population variance v), the output is
 * `clip((x - m) / max(sqrt(v + epsilon), minStd))`. With no statistics: in the update-first
 * order the first value is its own mean (output 0); in the other order the first value also maps
 * to 0 when it is taken in, and a frozen standardiser with none uses mean 0 and spread 1.
 */
export class RunningStandardizer {
  count = 0;
  readonly mean: Float64Array;
  readonly m2: Float64Array;

  constructor(
    readonly size: number,
    readonly settings: StandardizerSettings,
  ) {
    this.mean = new Float64Array(size);
    this.m2 = new Float64Array(size);
  }

  /** The spread of element i that outputs are divided by. */
  spread(i: number): number {
    const variance = this.count > 0 ? this.m2[i]! / this.count : 1;
    return Math.max(Math.sqrt(variance + this.settings.epsilon), this.settings.minStd);
  }

  /** Takes `x` into the statistics. */
  update(x: ArrayLike<number>): void {
    this.count += 1;
    for (let i = 0; i < this.size; i++) {
      const delta = x[i]! - this.mean[i]!;
      this.mean[i] += delta / this.count;
      this.m2[i] += delta * (x[i]! - this.mean[i]!);
    }
  }

  /**
   * Standardises `x` into `out`, taking it into the statistics when `update` (before or after, by
   * `updateFirst`). Throws on a wrong length or a non-finite value before anything changes: one
   * NaN would poison the mean for good.
   */
  standardize(x: ArrayLike<number>, out: Float32Array, update: boolean, where: string): Float32Array {
    if (x.length !== this.size)
      throw new InvalidOptionError(`${where}: expected ${this.size} values, but got ${x.length}`);
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i]))
        throw new NonFiniteError(`${where}: expected finite values, but got ${x[i]} at index ${i}`);
    }
    const first = update && this.count === 0;
    if (update && this.settings.updateFirst) this.update(x);
    const { clip } = this.settings;
    for (let i = 0; i < this.size; i++) {
      const y = first ? 0 : (x[i]! - this.mean[i]!) / this.spread(i);
      out[i] = Math.min(clip, Math.max(-clip, y));
    }
    if (update && !this.settings.updateFirst) this.update(x);
    return out;
  }

  /**
   * The inverse of `standardize` with the current statistics (those the next value will be
   * standardised with in the use-first order): `mean + y · spread`, into `out`.
   */
  unstandardize(y: ArrayLike<number>, out: Float64Array | Float32Array | number[]): void {
    const none = this.count === 0;
    for (let i = 0; i < this.size; i++) out[i] = (none ? 0 : this.mean[i]!) + y[i]! * this.spread(i);
  }
}
