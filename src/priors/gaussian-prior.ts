// The Gaussian prior over top codes: a running mean and full covariance, weighted over about
// `history` codes (exponentially), so that it follows codes that drift as the stack learns.

import { stateArray, stateInteger, stateNumber, stateRecord } from '../checkpoint/state-checks.js';
import { CheckpointError, InvalidOptionError } from '../errors.js';
import { numberOption, checkKeys } from '../options.js';
import type { Rng } from '../random.js';
import { type PriorOptions, type TopPrior, checkCodes, cholesky, choleskySolve } from './top-prior.js';

/** The precision is refactored after this many batches at most (a Cholesky costs n³/3). */
const REFRESH = 10;

/**
 * p(h) = N(h; μ, C + εI), ε = 1e-3 × the mean variance C̄ + 1e-8. The step is the ascent of the
 * log density with the ridge C̄: −C̄ (C + C̄I)⁻¹ (h − μ), so that along a direction of variance λ
 * it covers C̄/(λ + C̄) of the way to the mean: nearly all of it along the narrow directions the
 * codes keep to, half along one of average spread, little along the wide ones; a step of 1 never
 * overshoots the mean.
 */
export class GaussianPrior implements TopPrior {
  readonly kind = 'gaussian' as const;
  readonly history: number;
  count = 0;
  private readonly mean: Float64Array;
  private readonly covariance: Float64Array;
  private factor: Float64Array | null = null;
  private ridged: Float64Array | null = null;
  private stale = 0;

  constructor(
    readonly size: number,
    options: PriorOptions = {},
  ) {
    checkKeys('GaussianPrior', options, ['history', 'capacity']);
    this.history = numberOption('GaussianPrior', 'history', options.history, 1000, { integer: true, min: 1 });
    this.mean = new Float64Array(size);
    this.covariance = new Float64Array(size * size);
  }

  observe(codes: ArrayLike<number>, rows: number): void {
    checkCodes('GaussianPrior.observe', codes, rows, this.size);
    const n = this.size;
    const d = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      this.count += 1;
      const a = Math.max(1 / this.count, 1 / this.history);
      for (let j = 0; j < n; j++) d[j] = codes[r * n + j]! - this.mean[j]!;
      for (let j = 0; j < n; j++) this.mean[j] += a * d[j]!;
      // C ← (1 − a)(C + a d dᵀ): the exponentially weighted covariance about the moving mean.
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++)
          this.covariance[i * n + j] = (1 - a) * (this.covariance[i * n + j]! + a * d[i]! * d[j]!);
    }
    this.stale += 1;
    if (this.stale >= REFRESH) {
      this.factor = null;
      this.ridged = null;
    }
  }

  private meanVariance(): number {
    let t = 0;
    for (let i = 0; i < this.size; i++) t += this.covariance[i * this.size + i]!;
    return t / this.size;
  }

  /** The Cholesky factor of C + ridge·I. */
  private factorWith(ridge: number): Float64Array {
    const n = this.size;
    const c = this.covariance.slice();
    for (let i = 0; i < n; i++) c[i * n + i] += ridge;
    this.stale = 0;
    return cholesky(c, n);
  }

  private cholesky(): Float64Array {
    this.factor ??= this.factorWith(1e-3 * this.meanVariance() + 1e-8);
    return this.factor;
  }

  step(codes: ArrayLike<number>, rows: number, out: Float32Array): void {
    checkCodes('GaussianPrior.step', codes, rows, this.size);
    const n = this.size;
    const scale = this.meanVariance();
    this.ridged ??= this.factorWith(scale + 1e-8);
    const l = this.ridged;
    const d = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < n; j++) d[j] = codes[r * n + j]! - this.mean[j]!;
      choleskySolve(l, n, d);
      for (let j = 0; j < n; j++) out[r * n + j] = -scale * d[j]!;
    }
  }

  /** Per row, (h − μ)ᵀ (C + εI)⁻¹ (h − μ), the squared Mahalanobis distance from the mean. */
  squaredDistance(codes: ArrayLike<number>, rows: number): Float64Array {
    checkCodes('GaussianPrior.squaredDistance', codes, rows, this.size);
    return this.distances(codes, rows);
  }

  logDensity(codes: ArrayLike<number>, rows: number): Float64Array {
    checkCodes('GaussianPrior.logDensity', codes, rows, this.size);
    const n = this.size;
    const l = this.cholesky();
    let logDet = 0;
    for (let i = 0; i < n; i++) logDet += 2 * Math.log(l[i * n + i]!);
    return this.distances(codes, rows).map((q) => -0.5 * (q + logDet + n * Math.log(2 * Math.PI)));
  }

  /** The squared Mahalanobis distances of checked codes. */
  private distances(codes: ArrayLike<number>, rows: number): Float64Array {
    const n = this.size;
    const l = this.cholesky();
    const out = new Float64Array(rows);
    const d = new Float64Array(n);
    const x = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < n; j++) d[j] = codes[r * n + j]! - this.mean[j]!;
      x.set(d);
      choleskySolve(l, n, x);
      let q = 0;
      for (let j = 0; j < n; j++) q += d[j]! * x[j]!;
      out[r] = q;
    }
    return out;
  }

  sample(rows: number, rng: Rng): Float32Array {
    const n = this.size;
    const l = this.cholesky();
    const out = new Float32Array(rows * n);
    const z = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < n; j++) z[j] = rng.normal();
      for (let i = 0; i < n; i++) {
        let s = this.mean[i]!;
        for (let k = 0; k <= i; k++) s += l[i * n + k]! * z[k]!;
        out[r * n + i] = s;
      }
    }
    return out;
  }

  /** Takes the fit of `other` (a prior of the same size), to be factored afresh when next used. */
  copyFrom(other: GaussianPrior): void {
    if (other.size !== this.size)
      throw new InvalidOptionError(`GaussianPrior.copyFrom: expected a prior of size ${this.size}, got ${other.size}`);
    this.count = other.count;
    this.mean.set(other.mean);
    this.covariance.set(other.covariance);
    this.factor = null;
    this.ridged = null;
  }

  getState(): Record<string, unknown> {
    return { kind: this.kind, count: this.count, mean: Array.from(this.mean), covariance: Array.from(this.covariance) };
  }

  setState(state: Record<string, unknown>): void {
    const where = 'GaussianPrior.setState';
    const s = stateRecord(where, 'the state', state, ['kind', 'count', 'mean', 'covariance']);
    if (s.kind !== this.kind)
      throw new CheckpointError('ERR_CHECKPOINT_MISMATCH', `${where}: expected a gaussian prior`);
    const count = stateInteger(where, 'count', s.count);
    const mean = stateArray(where, 'mean', s.mean, this.size).map((v, i) => stateNumber(where, `mean[${i}]`, v));
    const cov = stateArray(where, 'covariance', s.covariance, this.size * this.size).map((v, i) =>
      stateNumber(where, `covariance[${i}]`, v),
    );
    this.count = count;
    this.mean.set(mean);
    this.covariance.set(cov);
    this.factor = null;
    this.ridged = null;
  }
}
