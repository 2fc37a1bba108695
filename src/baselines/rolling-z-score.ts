// A rolling z-score detector, for comparisons only: how far each channel of an observation lies
// from the mean of that channel's last W values, in their standard deviations, the largest over
// the channels: the classical baseline of streaming anomaly detection, which needs no model.

import { InvalidOptionError, NonFiniteError, describeValue } from '../errors.js';

export class RollingZScore {
  private readonly ring: Float64Array;
  private next = 0;
  private filled = 0;

  /** `channels` values per observation, the last `window` of them kept (default 100). */
  constructor(
    readonly channels: number,
    readonly window = 100,
  ) {
    if (!Number.isSafeInteger(channels) || channels < 1 || !Number.isSafeInteger(window) || window < 2)
      throw new InvalidOptionError(
        `RollingZScore: expected channels >= 1 and a window >= 2, but got ${describeValue(channels)} and ` +
          `${describeValue(window)}`,
      );
    this.ring = new Float64Array(channels * window);
  }

  /** The score of `values` against the window before it (0 until the window holds 10), then keeps them. */
  update(values: ArrayLike<number>): number {
    const C = this.channels;
    if (values.length !== C)
      throw new InvalidOptionError(`RollingZScore.update: expected ${C} values, but got ${describeValue(values)}`);
    let z = 0;
    for (let c = 0; c < C; c++) {
      const v = values[c]!;
      if (!Number.isFinite(v)) throw new NonFiniteError(`RollingZScore.update: expected finite values, got ${v}`);
      if (this.filled < 10) continue;
      let sum = 0;
      let squares = 0;
      for (let k = 0; k < this.filled; k++) {
        const x = this.ring[k * C + c]!;
        sum += x;
        squares += x * x;
      }
      const mean = sum / this.filled;
      const sd = Math.sqrt(Math.max(squares / this.filled - mean * mean, 1e-12));
      z = Math.max(z, Math.abs(v - mean) / sd);
    }
    for (let c = 0; c < C; c++) this.ring[this.next * C + c] = values[c]!;
    this.next = (this.next + 1) % this.window;
    this.filled = Math.min(this.filled + 1, this.window);
    return z;
  }
}
