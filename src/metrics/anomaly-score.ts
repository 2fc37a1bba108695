// A calibrated anomaly score from a stream of prediction errors (one modality of one stream),
// after Numenta's anomaly likelihood (Ahmad et al. 2017): how unusual the recent errors are under
// a normal distribution fitted to the errors before them, on a log scale, per dimension (each
// entry of a vector's squared error; a symbol's log-loss is one), then the most unusual dimension.
// Per step, for each dimension d with error e_d:
//   s_d = ln(mean of e_d over the last w steps + 0.01 m_d + 1e-12)   m_d: running mean of e_d
//   μ_d, v_d: exponentially weighted mean and variance of the s_d of w or more steps ago (the
//         short window never meets itself), weight 1/min(n + 1, H) for the n-th (a plain mean and
//         variance until n = H); once warm, an s_d beyond μ_d ± 4σ_d moves μ_d as if it were at
//         that edge and leaves v_d as it was
//   σ_d² = (n·v_d + n₀·σ₀²) / (n + n₀)                                a prior spread σ₀ = 1 worth n₀ = 20
//   z_d = (s_d − μ_d) / σ_d;  q_d = 2 (1 − Φ(|z_d|)), or 1 − Φ(z_d) with tail 'upper'
//   score = (1 − min_d q_d)^D                                        Šidák's correction for D dimensions
// and 0 until n reaches the warm-up. So a score above 1 − α happens about once in 1/α steps of an
// ordinary stream, whatever the modality's size. Two-sided by default: a channel that goes quiet
// (a frozen sensor, which a learner soon predicts exactly) is as unusual as one that goes wild.
// The cold start meets the prior spread and the warm-up; a long anomaly enters the history only
// w steps late and at the band's edge, so a lasting change becomes the norm over a few H steps
// (the mean creeping by 4σ/H a step), not w.

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, describeValue } from '../errors.js';
import { corruptState, stateArray, stateInteger, stateNumber, stateRecord } from '../checkpoint/state-checks.js';

export interface AnomalyScoreOptions {
  /** w: steps in the short window; default 10. */
  readonly window?: number;
  /** H: steps the history weighs (its span); default 1000. */
  readonly history?: number;
  /** Steps in the history before any score above 0; default 50. */
  readonly warmup?: number;
  /** 'both' (default): errors unusually low count too; 'upper': only unusually high ones. */
  readonly tail?: 'both' | 'upper';
}

export interface AnomalyScoreState {
  /** The last w errors, w × D, and the last w log window means, w × D. */
  errors: Float64Array | number[];
  delayed: Float64Array | number[];
  next: number;
  filled: number;
  count: number;
  mean: Float64Array | number[];
  variance: Float64Array | number[];
  rawMean: Float64Array | number[];
  rawCount: number;
}

const PRIOR_SPREAD = 1;
const PRIOR_WEIGHT = 20;
const CLIP = 4;

/** Φ, the standard normal distribution function (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function integerOption(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || (value as number) < min)
    throw new InvalidOptionError(
      `AnomalyScore: expected option "${name}" to be an integer >= ${min}, but got ${describeValue(value)}`,
    );
  return value as number;
}

export class AnomalyScore {
  readonly window: number;
  readonly history: number;
  readonly warmup: number;
  readonly tail: 'both' | 'upper';
  readonly dimensions: number;
  private readonly errors: Float64Array;
  private readonly delayed: Float64Array;
  private next = 0;
  private filled = 0;
  /** Steps in the history. */
  private count = 0;
  private readonly mean: Float64Array;
  private readonly variance: Float64Array;
  private readonly rawMean: Float64Array;
  private rawCount = 0;

  constructor(options: AnomalyScoreOptions = {}, dimensions = 1) {
    this.window = integerOption('window', options.window, 10, 1);
    this.history = integerOption('history', options.history, 1000, 1);
    this.warmup = integerOption('warmup', options.warmup, 50, 0);
    this.dimensions = integerOption('dimensions', dimensions, 1, 1);
    const tail = options.tail ?? 'both';
    if (tail !== 'both' && tail !== 'upper')
      throw new InvalidOptionError(
        `AnomalyScore: expected option "tail" to be 'both' or 'upper', but got ${describeValue(tail)}`,
      );
    this.tail = tail;
    const D = this.dimensions;
    this.errors = new Float64Array(this.window * D);
    this.delayed = new Float64Array(this.window * D);
    this.mean = new Float64Array(D);
    this.variance = new Float64Array(D);
    this.rawMean = new Float64Array(D);
  }

  /** The spread σ_d of the history, with the prior's weight. */
  private spread(d: number): number {
    const n = Math.min(this.count, this.history);
    return Math.sqrt((n * this.variance[d]! + PRIOR_WEIGHT * PRIOR_SPREAD ** 2) / (n + PRIOR_WEIGHT));
  }

  /** The delayed log window means at slot `slot` enter the history, clipped once it is warm. */
  private remember(slot: number): void {
    const D = this.dimensions;
    const weight = 1 / Math.min(this.count + 1, this.history);
    const warm = this.count >= this.warmup;
    for (let d = 0; d < D; d++) {
      const value = this.delayed[slot * D + d]!;
      const band = CLIP * this.spread(d);
      const delta = value - this.mean[d]!;
      if (warm && Math.abs(delta) > band) {
        // An outlier moves the mean by the band's edge at most and leaves the spread alone: a
        // spread that grew with each outlier would widen the band that lets the next one in.
        this.mean[d]! += weight * Math.sign(delta) * band;
        continue;
      }
      this.mean[d]! += weight * delta;
      this.variance[d] = (1 - weight) * (this.variance[d]! + weight * delta * delta);
    }
    this.count++;
  }

  /**
   * Takes one step's errors (>= 0; a number for a one-dimensional score) and returns the score of
   * the window that ends with them, in [0, 1].
   */
  update(error: number | ArrayLike<number>): number {
    const D = this.dimensions;
    const values = typeof error === 'number' ? [error] : error;
    if (values.length !== D)
      throw new ShapeMismatchError(
        `AnomalyScore.update: expected ${D} error${D === 1 ? '' : 's'}, but got ${describeValue(error)}`,
      );
    for (let d = 0; d < D; d++)
      if (!Number.isFinite(values[d]!) || values[d]! < 0)
        throw new NonFiniteError(
          `AnomalyScore.update: expected finite errors >= 0, but error ${d} is ${describeValue(values[d])}`,
        );
    const w = this.window;
    const slot = this.next;
    const full = this.filled === w;
    // The slot's delayed means are w steps old: they join the history before the slot is reused.
    if (full) this.remember(slot);
    this.rawCount++;
    const rate = 1 / Math.min(this.rawCount, this.history);
    let q = 1;
    for (let d = 0; d < D; d++) {
      const e = values[d]!;
      const i = slot * D + d;
      this.errors[i] = e;
      this.rawMean[d]! += rate * (e - this.rawMean[d]!);
      // Summed afresh each step (w values), so no running sum drifts and a restored state is exact.
      const n = full ? w : this.filled + 1;
      let sum = 0;
      for (let k = 0; k < n; k++) sum += this.errors[k * D + d]!;
      const s = Math.log(sum / n + 0.01 * this.rawMean[d]! + 1e-12);
      this.delayed[i] = s;
      if (this.count >= Math.max(this.warmup, 1)) {
        const z = (s - this.mean[d]!) / this.spread(d);
        q = Math.min(q, this.tail === 'both' ? 2 * (1 - normalCdf(Math.abs(z))) : 1 - normalCdf(z));
      }
    }
    if (!full) this.filled++;
    this.next = (slot + 1) % w;
    return this.count >= Math.max(this.warmup, 1) ? Math.max(0, 1 - q) ** D : 0;
  }

  getState(): AnomalyScoreState {
    return {
      errors: Array.from(this.errors),
      delayed: Array.from(this.delayed),
      next: this.next,
      filled: this.filled,
      count: this.count,
      mean: Array.from(this.mean),
      variance: Array.from(this.variance),
      rawMean: Array.from(this.rawMean),
      rawCount: this.rawCount,
    };
  }

  /** Checks a saved state against this score's window and dimensions; throws CheckpointError naming `path`. */
  checkState(state: unknown, where: string, path: string): AnomalyScoreState {
    const keys = ['errors', 'delayed', 'next', 'filled', 'count', 'mean', 'variance', 'rawMean', 'rawCount'];
    const record = stateRecord(where, path, state, keys);
    const { window: w, dimensions: D } = this;
    const numbers = (name: string, length: number): number[] =>
      stateArray(where, `${path}.${name}`, record[name], length).map((v, i) =>
        stateNumber(where, `${path}.${name}[${i}]`, v),
      );
    const errors = numbers('errors', w * D);
    if (errors.some((e) => e < 0)) corruptState(where, `${path}.errors`, 'errors >= 0', record.errors);
    const next = stateInteger(where, `${path}.next`, record.next);
    const filled = stateInteger(where, `${path}.filled`, record.filled);
    if (next >= w) corruptState(where, `${path}.next`, `an index below ${w}`, next);
    if (filled > w) corruptState(where, `${path}.filled`, `at most ${w}`, filled);
    const variance = numbers('variance', D);
    if (variance.some((v) => v < 0)) corruptState(where, `${path}.variance`, 'numbers >= 0', record.variance);
    return {
      errors,
      delayed: numbers('delayed', w * D),
      next,
      filled,
      count: stateInteger(where, `${path}.count`, record.count),
      mean: numbers('mean', D),
      variance,
      rawMean: numbers('rawMean', D),
      rawCount: stateInteger(where, `${path}.rawCount`, record.rawCount),
    };
  }

  /** Restores a state from `getState` (checked: a malformed one is a CheckpointError and changes nothing). */
  setState(state: AnomalyScoreState): void {
    const s = this.checkState(state, 'AnomalyScore.setState', 'the state');
    this.errors.set(s.errors);
    this.delayed.set(s.delayed);
    this.next = s.next;
    this.filled = s.filled;
    this.count = s.count;
    this.mean.set(s.mean);
    this.variance.set(s.variance);
    this.rawMean.set(s.rawMean);
    this.rawCount = s.rawCount;
  }
}
