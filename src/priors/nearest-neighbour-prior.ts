// The nearest-neighbour prior over top codes: the most recent `capacity` codes themselves. Its
// step goes to the nearest stored code; its samples lie between a stored code and its nearest
// neighbour. It has no density.

import { stateFloats, stateInteger, stateRecord } from '../checkpoint/state-checks.js';
import { CheckpointError } from '../errors.js';
import { checkKeys, numberOption } from '../options.js';
import type { Rng } from '../random.js';
import { CodeRing, type PriorOptions, type TopPrior, checkCodes } from './top-prior.js';

/** step(h) = c* − h, c* the stored code nearest h; a sample is c_i + λ (c_j − c_i), c_j nearest c_i, λ ~ U(0, 1). */
export class NearestNeighbourPrior implements TopPrior {
  readonly kind = 'nearest-neighbour' as const;
  readonly capacity: number;
  count = 0;
  private readonly ring: CodeRing;

  constructor(
    readonly size: number,
    options: PriorOptions = {},
  ) {
    checkKeys('NearestNeighbourPrior', options, ['history', 'capacity']);
    this.capacity = numberOption('NearestNeighbourPrior', 'capacity', options.capacity, 500, { integer: true, min: 2 });
    this.ring = new CodeRing(this.capacity, size);
  }

  observe(codes: ArrayLike<number>, rows: number): void {
    checkCodes('NearestNeighbourPrior.observe', codes, rows, this.size);
    for (let r = 0; r < rows; r++) this.ring.push(codes, r);
    this.count += rows;
  }

  /** The stored code nearest row `r` of `codes`, skipping stored code `skip`; -1 when none. */
  private nearest(codes: ArrayLike<number>, r: number, skip = -1): number {
    let best = -1;
    let bestDistance = Infinity;
    for (let i = 0; i < this.ring.filled; i++) {
      if (i === skip) continue;
      const d = this.ring.distance(codes, r, i);
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    return best;
  }

  step(codes: ArrayLike<number>, rows: number, out: Float32Array): void {
    checkCodes('NearestNeighbourPrior.step', codes, rows, this.size);
    const n = this.size;
    for (let r = 0; r < rows; r++) {
      const i = this.nearest(codes, r);
      for (let j = 0; j < n; j++) out[r * n + j] = i < 0 ? 0 : this.ring.codes[i * n + j]! - codes[r * n + j]!;
    }
  }

  logDensity(codes: ArrayLike<number>, rows: number): Float64Array {
    checkCodes('NearestNeighbourPrior.logDensity', codes, rows, this.size);
    return new Float64Array(rows).fill(Number.NaN);
  }

  sample(rows: number, rng: Rng): Float32Array {
    const { filled, codes } = this.ring;
    const n = this.size;
    const out = new Float32Array(rows * n);
    if (filled === 0) return out;
    for (let r = 0; r < rows; r++) {
      const i = rng.int(filled);
      const j = filled > 1 ? this.nearest(codes.subarray(i * n, (i + 1) * n), 0, i) : i;
      const lambda = rng.float();
      for (let k = 0; k < n; k++) out[r * n + k] = codes[i * n + k]! + lambda * (codes[j * n + k]! - codes[i * n + k]!);
    }
    return out;
  }

  getState(): Record<string, unknown> {
    const { codes, filled, next } = this.ring;
    return { kind: this.kind, count: this.count, codes: codes.slice(), filled, next };
  }

  setState(state: Record<string, unknown>): void {
    const where = 'NearestNeighbourPrior.setState';
    const s = stateRecord(where, 'the state', state, ['kind', 'count', 'codes', 'filled', 'next']);
    if (s.kind !== this.kind)
      throw new CheckpointError('ERR_CHECKPOINT_MISMATCH', `${where}: expected a nearest-neighbour prior`);
    const codes = stateFloats(where, 'codes', s.codes, this.capacity * this.size);
    const filled = stateInteger(where, 'filled', s.filled, 0, this.capacity);
    const next = stateInteger(where, 'next', s.next, 0, this.capacity - 1);
    const count = stateInteger(where, 'count', s.count);
    this.ring.codes.set(codes);
    this.ring.filled = filled;
    this.ring.next = next;
    this.count = count;
  }
}
