// The Parzen prior over top codes: a Gaussian kernel on each of the most recent `capacity`
// codes, its bandwidth chosen on held-out log-likelihood: each batch, before it is stored, scores
// a few bandwidths around the current one, and the best is kept.

import { stateFloats, stateInteger, stateNumber, stateRecord } from '../checkpoint/state-checks.js';
import { CheckpointError } from '../errors.js';
import { checkKeys, numberOption } from '../options.js';
import type { Rng } from '../random.js';
import { CodeRing, type PriorOptions, type TopPrior, checkCodes } from './top-prior.js';

/** Bandwidths tried around the current one. */
const GRID = [0.5, 0.71, 1, 1.41, 2];
/** Held-out codes scored per choice of bandwidth, at most. */
const HELD_OUT = 50;

/**
 * p(h) = (1/N) Σ_i N(h; c_i, σ² I) over the N stored codes. The step is σ²·∇log p(h) =
 * Σ_i w_i c_i − h, w = softmax_i(−‖h − c_i‖²/2σ²): one mean-shift step. Codes are stepped
 * before they are stored, so a code is never pulled toward itself (leave-one-out).
 */
export class ParzenPrior implements TopPrior {
  readonly kind = 'parzen' as const;
  readonly capacity: number;
  count = 0;
  /** The kernels' standard deviation; 0 until the first choice. */
  bandwidth = 0;
  private readonly ring: CodeRing;

  constructor(
    readonly size: number,
    options: PriorOptions = {},
  ) {
    checkKeys('ParzenPrior', options, ['history', 'capacity']);
    this.capacity = numberOption('ParzenPrior', 'capacity', options.capacity, 500, { integer: true, min: 2 });
    this.ring = new CodeRing(this.capacity, size);
  }

  observe(codes: ArrayLike<number>, rows: number): void {
    checkCodes('ParzenPrior.observe', codes, rows, this.size);
    if (this.ring.filled >= 2) this.choose(codes, Math.min(rows, HELD_OUT));
    for (let r = 0; r < rows; r++) this.ring.push(codes, r);
    this.count += rows;
    if (this.bandwidth === 0 && this.ring.filled >= 2) this.bandwidth = this.spread();
  }

  /** The root mean variance of the stored codes: the first bandwidth, and the grid's fallback. */
  private spread(): number {
    const { filled, size, codes } = this.ring;
    let total = 0;
    for (let j = 0; j < size; j++) {
      let m = 0;
      let q = 0;
      for (let i = 0; i < filled; i++) {
        const v = codes[i * size + j]!;
        m += v;
        q += v * v;
      }
      m /= filled;
      total += Math.max(q / filled - m * m, 0);
    }
    return Math.sqrt(total / size) + 1e-6;
  }

  private choose(codes: ArrayLike<number>, rows: number): void {
    const base = this.bandwidth > 0 ? this.bandwidth : this.spread();
    let best = base;
    let bestScore = -Infinity;
    for (const f of GRID) {
      const score = this.logLikelihood(codes, rows, base * f).reduce((a, b) => a + b, 0);
      if (score > bestScore) {
        bestScore = score;
        best = base * f;
      }
    }
    this.bandwidth = best;
  }

  private logLikelihood(codes: ArrayLike<number>, rows: number, sigma: number): Float64Array {
    const { filled, size } = this.ring;
    const out = new Float64Array(rows);
    const logs = new Float64Array(filled);
    const norm = Math.log(filled) + 0.5 * size * Math.log(2 * Math.PI * sigma * sigma);
    for (let r = 0; r < rows; r++) {
      let top = -Infinity;
      for (let i = 0; i < filled; i++) {
        logs[i] = -this.ring.distance(codes, r, i) / (2 * sigma * sigma);
        if (logs[i]! > top) top = logs[i]!;
      }
      let s = 0;
      for (let i = 0; i < filled; i++) s += Math.exp(logs[i]! - top);
      out[r] = top + Math.log(s) - norm;
    }
    return out;
  }

  step(codes: ArrayLike<number>, rows: number, out: Float32Array): void {
    checkCodes('ParzenPrior.step', codes, rows, this.size);
    const { filled, size } = this.ring;
    out.fill(0, 0, rows * size);
    if (filled === 0 || this.bandwidth === 0) return;
    const w = new Float64Array(filled);
    const s2 = 2 * this.bandwidth * this.bandwidth;
    for (let r = 0; r < rows; r++) {
      let top = -Infinity;
      for (let i = 0; i < filled; i++) {
        w[i] = -this.ring.distance(codes, r, i) / s2;
        if (w[i]! > top) top = w[i]!;
      }
      let total = 0;
      for (let i = 0; i < filled; i++) total += w[i] = Math.exp(w[i]! - top);
      for (let j = 0; j < size; j++) {
        let m = 0;
        for (let i = 0; i < filled; i++) m += w[i]! * this.ring.codes[i * size + j]!;
        out[r * size + j] = m / total - codes[r * size + j]!;
      }
    }
  }

  logDensity(codes: ArrayLike<number>, rows: number): Float64Array {
    checkCodes('ParzenPrior.logDensity', codes, rows, this.size);
    if (this.ring.filled === 0 || this.bandwidth === 0) return new Float64Array(rows).fill(Number.NaN);
    return this.logLikelihood(codes, rows, this.bandwidth);
  }

  sample(rows: number, rng: Rng): Float32Array {
    const { filled, size, codes } = this.ring;
    const out = new Float32Array(rows * size);
    if (filled === 0) return out;
    for (let r = 0; r < rows; r++) {
      const i = rng.int(filled);
      for (let j = 0; j < size; j++) out[r * size + j] = codes[i * size + j]! + this.bandwidth * rng.normal();
    }
    return out;
  }

  getState(): Record<string, unknown> {
    const { codes, filled, next } = this.ring;
    return { kind: this.kind, count: this.count, bandwidth: this.bandwidth, codes: codes.slice(), filled, next };
  }

  setState(state: Record<string, unknown>): void {
    const where = 'ParzenPrior.setState';
    const s = stateRecord(where, 'the state', state, ['kind', 'count', 'bandwidth', 'codes', 'filled', 'next']);
    if (s.kind !== this.kind) throw new CheckpointError('ERR_CHECKPOINT_MISMATCH', `${where}: expected a parzen prior`);
    const codes = stateFloats(where, 'codes', s.codes, this.capacity * this.size);
    const filled = stateInteger(where, 'filled', s.filled, 0, this.capacity);
    const next = stateInteger(where, 'next', s.next, 0, this.capacity - 1);
    const count = stateInteger(where, 'count', s.count);
    const bandwidth = stateNumber(where, 'bandwidth', s.bandwidth);
    this.ring.codes.set(codes);
    this.ring.filled = filled;
    this.ring.next = next;
    this.count = count;
    this.bandwidth = bandwidth;
  }
}
