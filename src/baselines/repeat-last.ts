// Repeat-last, the first floor of a continuous stream: the prediction of the next observation
// is the observation that came last, x̂_{t+1} = x_t. A learner that cannot beat it has learned
// nothing of the dynamics. Plain TypeScript, no tensors; it predicts 'next' only.

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, StateError, describeValue } from '../errors.js';
import type { ModalitySpec } from '../learner/modality.js';
import { checkKeys, numberOption } from '../options.js';
import type { SequenceLearner } from '../learner/sequence-learner.js';

export interface RepeatLastOptions {
  /** Continuous only: rows of `size` values. */
  readonly input: { readonly kind: 'categorical' | 'continuous'; readonly size: number };
  readonly streams?: number;
}

export class RepeatLast implements SequenceLearner {
  readonly modalities: readonly ModalitySpec[];
  readonly sideModalities: readonly ModalitySpec[] = [];
  readonly predictNext = true;
  readonly streams: number;
  /** The last observation of every stream, [streams × size]; zeros before the first. */
  private readonly last: Float32Array;
  private disposed = false;
  steps = 0;

  constructor(options: RepeatLastOptions) {
    const where = 'RepeatLast';
    checkKeys(where, options, ['input', 'streams']);
    if (options?.input?.kind !== 'continuous')
      throw new InvalidOptionError(
        `${where}: expected option "input" to be { kind: 'continuous', size } (it repeats values), but got ` +
          `${describeValue(options?.input)}`,
      );
    const size = numberOption(where, 'input.size', options.input.size, NaN, { integer: true, min: 1 });
    this.streams = numberOption(where, 'streams', options.streams, 1, { integer: true, min: 1 });
    this.modalities = [{ name: 'next', kind: 'continuous', size }];
    this.last = new Float32Array(this.streams * size);
  }

  step(input: Float32Array): void {
    const where = 'RepeatLast.step';
    if (this.disposed)
      throw new StateError('ERR_DISPOSED', `${where}: expected a live learner, but it has been disposed`);
    if (!(input instanceof Float32Array) || input.length !== this.last.length)
      throw new ShapeMismatchError(
        `${where}: expected ${this.streams} × ${this.modalities[0]!.size} inputs, but got ${describeValue(input)}`,
      );
    if (input.some((v) => !Number.isFinite(v))) throw new NonFiniteError(`${where}: expected finite inputs`);
    this.last.set(input);
    this.steps++;
  }

  readPredictions(): Float32Array[] {
    return [this.last.slice()];
  }

  /** Nothing to forget: the next step's observation is all a prediction reads. */
  startEpisode(): void {}

  endEpisode(): void {}

  dispose(): void {
    this.disposed = true;
  }
}
