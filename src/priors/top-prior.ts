// A prior over top codes (SPEC §4): fitted online to the codes that come, it gives samples
// (for ancestral sampling: draw a top code, decode it down the layers) and a step up its log
// density (a top target for rows without side information). Plain numbers in and out; no
// tensors. Each kind is in a file of its own; this file holds what they share.

import { NonFiniteError, ShapeMismatchError, describeValue } from '../errors.js';
import type { Rng } from '../random.js';

export const PRIOR_KINDS = ['gaussian', 'factorial', 'parzen', 'nearest-neighbour'] as const;
export type PriorKind = (typeof PRIOR_KINDS)[number];

export interface PriorOptions {
  /** Gaussian and factorial: the codes the moments weigh (an exponential window); default 1000. */
  readonly history?: number;
  /** Parzen and nearest-neighbour: the most recent codes kept; default 500. */
  readonly capacity?: number;
}

export interface TopPrior {
  readonly kind: PriorKind;
  /** Width of a code. */
  readonly size: number;
  /** Codes taken in so far. */
  readonly count: number;
  /** Takes `rows` codes (row-major, rows × size) into the fit. */
  observe(codes: ArrayLike<number>, rows: number): void;
  /**
   * Per row, a step up the log density from the code, in the codes' units: ∇log p preconditioned
   * so that a step of 1 reaches the mode of a Gaussian (see each kind). Written into `out`.
   */
  step(codes: ArrayLike<number>, rows: number, out: Float32Array): void;
  /** Per row, the log density (nats); the nearest-neighbour prior has none and gives NaN. */
  logDensity(codes: ArrayLike<number>, rows: number): Float64Array;
  /** `rows` codes drawn from the prior with `rng`. */
  sample(rows: number, rng: Rng): Float32Array;
  /** The fit as plain data. */
  getState(): Record<string, unknown>;
  /** Restores `getState` of a prior of the same kind and size (CheckpointError otherwise, changing nothing). */
  setState(state: Record<string, unknown>): void;
}

/** Checks a batch of codes before anything is taken in. */
export function checkCodes(where: string, codes: ArrayLike<number>, rows: number, size: number): void {
  if (!Number.isInteger(rows) || rows < 1 || codes?.length !== rows * size)
    throw new ShapeMismatchError(
      `${where}: expected ${rows} codes of ${size} values, but got ${describeValue(codes)} for ${rows} rows`,
    );
  for (let i = 0; i < codes.length; i++)
    if (!Number.isFinite(codes[i]!))
      throw new NonFiniteError(`${where}: expected finite codes, but got ${codes[i]} at index ${i}`);
}

/** The Cholesky factor L (lower, row-major) of a symmetric positive definite n × n matrix. */
export function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j * n + j]!;
    }
  }
  return l;
}

/** Solves L Lᵀ x = b in place (b is overwritten with x), L from `cholesky`. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k]!;
    b[i] = s / l[i * n + i]!;
  }
}

/** A ring of the most recent codes (Parzen and nearest-neighbour keep their codes in one). */
export class CodeRing {
  readonly codes: Float32Array;
  filled = 0;
  next = 0;

  constructor(
    readonly capacity: number,
    readonly size: number,
  ) {
    this.codes = new Float32Array(capacity * size);
  }

  push(codes: ArrayLike<number>, row: number): void {
    for (let j = 0; j < this.size; j++) this.codes[this.next * this.size + j] = codes[row * this.size + j]!;
    this.next = (this.next + 1) % this.capacity;
    this.filled = Math.min(this.filled + 1, this.capacity);
  }

  /** Squared distance from row `row` of `codes` to stored code `i`. */
  distance(codes: ArrayLike<number>, row: number, i: number): number {
    let d = 0;
    for (let j = 0; j < this.size; j++) d += (codes[row * this.size + j]! - this.codes[i * this.size + j]!) ** 2;
    return d;
  }
}
