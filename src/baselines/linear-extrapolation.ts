// Linear extrapolation, the second floor of a continuous stream: the next observation continues
// the last step's change, x̂_{t+1} = x_t + (x_t − x_{t−1}) = 2 x_t − x_{t−1}. It follows smooth
// motion that repeat-last misses, but it misses curvature and amplifies noise (variance 5σ² of
// its own against σ² for repeat-last). The first step of an episode, with no x_{t−1}, repeats x_t.
// Plain TypeScript, no tensors; it predicts 'next' only.

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, StateError, describeValue } from '../errors.js';
import type { ModalitySpec } from '../learner/modality.js';
import { checkKeys, numberOption } from '../options.js';
import type { SequenceLearner } from '../learner/sequence-learner.js';

export interface LinearExtrapolationOptions {
  /** Continuous only: rows of `size` values. */
  readonly input: { readonly kind: 'categorical' | 'continuous'; readonly size: number };
  readonly streams?: number;
}

export class LinearExtrapolation implements SequenceLearner {
  readonly modalities: readonly ModalitySpec[];
  readonly sideModalities: readonly ModalitySpec[] = [];
  readonly predictNext = true;
  readonly streams: number;
  private readonly size: number;
  /** Per stream, the last observation and the change that led to it, [streams × size] each. */
  private readonly last: Float32Array;
  private readonly change: Float32Array;
  /** Per stream: whether the next step opens an episode (so it has no previous observation). */
  private readonly pendingStart: boolean[];
  private disposed = false;
  steps = 0;

  constructor(options: LinearExtrapolationOptions) {
    const where = 'LinearExtrapolation';
    checkKeys(where, options, ['input', 'streams']);
    if (options?.input?.kind !== 'continuous')
      throw new InvalidOptionError(
        `${where}: expected option "input" to be { kind: 'continuous', size } (it extrapolates values), but got ` +
          `${describeValue(options?.input)}`,
      );
    this.size = numberOption(where, 'input.size', options.input.size, NaN, { integer: true, min: 1 });
    this.streams = numberOption(where, 'streams', options.streams, 1, { integer: true, min: 1 });
    this.modalities = [{ name: 'next', kind: 'continuous', size: this.size }];
    this.last = new Float32Array(this.streams * this.size);
    this.change = new Float32Array(this.streams * this.size);
    this.pendingStart = new Array(this.streams).fill(true);
  }

  step(input: Float32Array): void {
    const where = 'LinearExtrapolation.step';
    if (this.disposed)
      throw new StateError('ERR_DISPOSED', `${where}: expected a live learner, but it has been disposed`);
    if (!(input instanceof Float32Array) || input.length !== this.last.length)
      throw new ShapeMismatchError(
        `${where}: expected ${this.streams} × ${this.size} inputs, but got ${describeValue(input)}`,
      );
    if (input.some((v) => !Number.isFinite(v))) throw new NonFiniteError(`${where}: expected finite inputs`);
    for (let r = 0; r < this.streams; r++) {
      for (let i = r * this.size; i < (r + 1) * this.size; i++) {
        this.change[i] = this.pendingStart[r] ? 0 : input[i]! - this.last[i]!;
        this.last[i] = input[i]!;
      }
      this.pendingStart[r] = false;
    }
    this.steps++;
  }

  readPredictions(): Float32Array[] {
    return [this.last.map((v, i) => v + this.change[i]!)];
  }

  startEpisode(rows?: readonly number[]): void {
    for (const r of rows ?? this.pendingStart.map((_, i) => i)) this.pendingStart[r] = true;
  }

  endEpisode(): void {
    this.startEpisode();
  }

  dispose(): void {
    this.disposed = true;
  }
}
