// The factorial prior over top codes: each unit on its own, a running mean and variance per
// unit (weighted over about `history` codes), the units independent.

import { stateArray, stateInteger, stateNumber, stateRecord } from '../checkpoint/state-checks.js';
import { CheckpointError } from '../errors.js';
import { checkKeys, numberOption } from '../options.js';
import type { Rng } from '../random.js';
import { type PriorOptions, type TopPrior, checkCodes } from './top-prior.js';

/**
 * p(h) = Π_j N(h_j; μ_j, σ_j² + ε), ε = 1e-3 × the mean variance σ̄² + 1e-8. The step is the
 * ascent of the log density with the ridge σ̄², −σ̄² (h_j − μ_j)/(σ_j² + σ̄²): nearly all the
 * way to the unit's mean for a narrow unit, half for one of average spread, never past it.
 */
export class FactorialPrior implements TopPrior {
  readonly kind = 'factorial' as const;
  readonly history: number;
  count = 0;
  private readonly mean: Float64Array;
  private readonly variance: Float64Array;

  constructor(
    readonly size: number,
    options: PriorOptions = {},
  ) {
    checkKeys('FactorialPrior', options, ['history', 'capacity']);
    this.history = numberOption('FactorialPrior', 'history', options.history, 1000, { integer: true, min: 1 });
    this.mean = new Float64Array(size);
    this.variance = new Float64Array(size);
  }

  observe(codes: ArrayLike<number>, rows: number): void {
    checkCodes('FactorialPrior.observe', codes, rows, this.size);
    for (let r = 0; r < rows; r++) {
      this.count += 1;
      const a = Math.max(1 / this.count, 1 / this.history);
      for (let j = 0; j < this.size; j++) {
        const d = codes[r * this.size + j]! - this.mean[j]!;
        this.mean[j] += a * d;
        this.variance[j] = (1 - a) * (this.variance[j]! + a * d * d);
      }
    }
  }

  private spreads(): { eps: number; mean: number } {
    const mean = this.variance.reduce((a, b) => a + b, 0) / this.size;
    return { eps: 1e-3 * mean + 1e-8, mean };
  }

  step(codes: ArrayLike<number>, rows: number, out: Float32Array): void {
    checkCodes('FactorialPrior.step', codes, rows, this.size);
    const { mean } = this.spreads();
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < this.size; j++)
        out[r * this.size + j] =
          (-mean * (codes[r * this.size + j]! - this.mean[j]!)) / (this.variance[j]! + mean + 1e-8);
  }

  logDensity(codes: ArrayLike<number>, rows: number): Float64Array {
    checkCodes('FactorialPrior.logDensity', codes, rows, this.size);
    const { eps } = this.spreads();
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let j = 0; j < this.size; j++) {
        const v = this.variance[j]! + eps;
        s += -0.5 * ((codes[r * this.size + j]! - this.mean[j]!) ** 2 / v + Math.log(2 * Math.PI * v));
      }
      out[r] = s;
    }
    return out;
  }

  sample(rows: number, rng: Rng): Float32Array {
    const { eps } = this.spreads();
    const out = new Float32Array(rows * this.size);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < this.size; j++)
        out[r * this.size + j] = this.mean[j]! + Math.sqrt(this.variance[j]! + eps) * rng.normal();
    return out;
  }

  getState(): Record<string, unknown> {
    return { kind: this.kind, count: this.count, mean: Array.from(this.mean), variance: Array.from(this.variance) };
  }

  setState(state: Record<string, unknown>): void {
    const where = 'FactorialPrior.setState';
    const s = stateRecord(where, 'the state', state, ['kind', 'count', 'mean', 'variance']);
    if (s.kind !== this.kind)
      throw new CheckpointError('ERR_CHECKPOINT_MISMATCH', `${where}: expected a factorial prior`);
    const count = stateInteger(where, 'count', s.count);
    const mean = stateArray(where, 'mean', s.mean, this.size).map((v, i) => stateNumber(where, `mean[${i}]`, v));
    const variance = stateArray(where, 'variance', s.variance, this.size).map((v, i) =>
      stateNumber(where, `variance[${i}]`, v),
    );
    this.count = count;
    this.mean.set(mean);
    this.variance.set(variance);
  }
}
