// The usual choice of a JavaScript user, for comparisons only: an LSTM from tfjs layers
// (tf.layers.lstm) with a dense head per modality, trained online by backpropagation through
// time over a sliding window of the last K inputs: one Adam step per completed step on the
// window that ended there. Predictions run the window through the layers on demand. The step is
// taken with optimizer.minimize rather than model.trainOnBatch, whose update lands only after an
// await, so that each step has learned before the next one predicts.

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, StateError, describeValue } from '../errors.js';
import { tf } from '../math/index.js';
import type { ModalitySpec } from '../learner/modality.js';
import { checkKeys, numberOption, booleanOption } from '../options.js';
import type { SequenceLearner } from '../learner/sequence-learner.js';
import { type SideBatch, emptySide } from '../learner/side-batch.js';

export interface LstmBackpropOptions {
  readonly input: { readonly kind: 'categorical' | 'continuous'; readonly size: number };
  readonly modalities?: readonly ModalitySpec[];
  readonly predictNext?: boolean;
  /** LSTM units; default 64. */
  readonly units?: number;
  /** K: inputs in the window the LSTM is unrolled over; default 16. */
  readonly window?: number;
  readonly streams?: number;
  /** Adam's learning rate; default 0.001. */
  readonly learningRate?: number;
  readonly seed?: number;
}

export class LstmBackprop implements SequenceLearner {
  readonly modalities: readonly ModalitySpec[];
  readonly sideModalities: readonly ModalitySpec[];
  readonly predictNext: boolean;
  readonly window: number;
  readonly streams: number;
  private readonly inputSize: number;
  private readonly lstm: tf.layers.Layer;
  private readonly heads: tf.layers.Layer[];
  private readonly optimizer: tf.Optimizer;
  /** Per stream, the last K inputs, oldest first (zeros before an episode's start). */
  private buffer: Float32Array;
  private previous: Float32Array | null = null;
  private cached: Float32Array[] | null = null;
  private pendingStart: boolean[];
  private disposed = false;
  steps = 0;

  constructor(options: LstmBackpropOptions) {
    const where = 'LstmBackprop';
    checkKeys(where, options, [
      'input',
      'modalities',
      'predictNext',
      'units',
      'window',
      'streams',
      'learningRate',
      'seed',
    ]);
    if (!options?.input || (options.input.kind !== 'categorical' && options.input.kind !== 'continuous'))
      throw new InvalidOptionError(
        `${where}: expected option "input" to be { kind, size }, but got ${describeValue(options?.input)}`,
      );
    this.inputSize = numberOption(where, 'input.size', options.input.size, NaN, { integer: true, min: 1 });
    this.predictNext = booleanOption(where, 'predictNext', options.predictNext, true);
    this.sideModalities = options.modalities ?? [];
    this.modalities = this.predictNext
      ? [...this.sideModalities, { name: 'next', kind: options.input.kind, size: this.inputSize }]
      : this.sideModalities;
    this.window = numberOption(where, 'window', options.window, 16, { integer: true, min: 1 });
    this.streams = numberOption(where, 'streams', options.streams, 1, { integer: true, min: 1 });
    const units = numberOption(where, 'units', options.units, 64, { integer: true, min: 1 });
    const learningRate = numberOption(where, 'learningRate', options.learningRate, 0.001, { above: 0 });
    const seed = numberOption(where, 'seed', options.seed, 0, { integer: true });
    this.lstm = tf.layers.lstm({
      units,
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      recurrentInitializer: tf.initializers.orthogonal({ seed: seed + 1 }),
    });
    this.heads = this.modalities.map((m, k) =>
      tf.layers.dense({
        units: m.size,
        activation: m.kind === 'categorical' ? 'softmax' : 'linear',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 + k }),
      }),
    );
    this.optimizer = tf.train.adam(learningRate);
    // Layers make their weights on first use: use them once so training can name them.
    tf.tidy(() => {
      const h = this.lstm.apply(tf.zeros([1, this.window, this.inputSize])) as tf.Tensor;
      for (const head of this.heads) head.apply(h);
    });
    this.buffer = new Float32Array(this.streams * this.window * this.inputSize);
    this.pendingStart = new Array(this.streams).fill(true);
  }

  step(input: Float32Array, side?: SideBatch): void {
    const where = 'LstmBackprop.step';
    if (this.disposed)
      throw new StateError('ERR_DISPOSED', `${where}: expected a live learner, but it has been disposed`);
    const B = this.streams;
    const n = this.inputSize;
    if (!(input instanceof Float32Array) || input.length !== B * n)
      throw new ShapeMismatchError(`${where}: expected ${B} × ${n} inputs, but got ${describeValue(input)}`);
    if (input.some((v) => !Number.isFinite(v))) throw new NonFiniteError(`${where}: expected finite inputs`);
    const own = side ?? emptySide(this.sideModalities, B);
    // The window that ended at the previous step learns the input that came after it.
    if (this.predictNext && this.previous) {
      const rows = this.pendingStart.map((s, r) => (s ? -1 : r)).filter((r) => r >= 0);
      if (rows.length) this.train(this.modalities.length - 1, this.previous, input, rows);
    }
    const stride = this.window * n;
    for (let r = 0; r < B; r++) {
      const row = this.buffer.subarray(r * stride, (r + 1) * stride);
      if (this.pendingStart[r]) row.fill(0);
      row.copyWithin(0, n);
      row.set(input.subarray(r * n, (r + 1) * n), stride - n);
    }
    this.pendingStart.fill(false);
    this.cached = null;
    this.sideModalities.forEach((_m, k) => {
      const rows = Array.from(own.present[k]!)
        .map((p, r) => (p > 0 ? r : -1))
        .filter((r) => r >= 0);
      if (rows.length) {
        this.readPredictions(); // predictions for this step are made before learning from it
        this.train(k, this.buffer, own.values[k]!, rows);
      }
    });
    this.previous = this.predictNext ? this.buffer.slice() : null;
    this.steps++;
  }

  /** One trainOnBatch of head `k` on the windows of `rows` in `windows`, against `targets`. */
  private train(k: number, windows: Float32Array, targets: Float32Array, rows: number[]): void {
    const m = this.modalities[k]!;
    const stride = this.window * this.inputSize;
    const x = new Float32Array(rows.length * stride);
    const y = new Float32Array(rows.length * m.size);
    rows.forEach((r, i) => {
      x.set(windows.subarray(r * stride, (r + 1) * stride), i * stride);
      y.set(targets.subarray(r * m.size, (r + 1) * m.size), i * m.size);
    });
    tf.tidy(() => {
      const xs = tf.tensor3d(x, [rows.length, this.window, this.inputSize]);
      const ys = tf.tensor2d(y, [rows.length, m.size]);
      const variables = [...this.lstm.trainableWeights, ...this.heads[k]!.trainableWeights].map(
        (w) => w.read() as tf.Variable,
      );
      this.optimizer.minimize(
        () => {
          const p = this.heads[k]!.apply(this.lstm.apply(xs)) as tf.Tensor2D;
          return (
            m.kind === 'categorical'
              ? tf.losses.softmaxCrossEntropy(ys, tf.log(tf.maximum(p, 1e-7)))
              : tf.losses.meanSquaredError(ys, p)
          ) as tf.Scalar;
        },
        false,
        variables,
      );
    });
  }

  readPredictions(): Float32Array[] {
    if (this.cached) return this.cached;
    const outs = tf.tidy(() => {
      const h = this.lstm.apply(tf.tensor3d(this.buffer, [this.streams, this.window, this.inputSize])) as tf.Tensor2D;
      return this.heads.map((head) => (head.apply(h) as tf.Tensor2D).dataSync() as Float32Array);
    });
    this.cached = outs;
    return outs;
  }

  startEpisode(rows?: readonly number[]): void {
    for (const r of rows ?? this.pendingStart.map((_, i) => i)) this.pendingStart[r] = true;
  }

  endEpisode(): void {
    this.previous = null;
    this.startEpisode();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([...this.lstm.trainableWeights, ...this.heads.flatMap((h) => h.trainableWeights)].map((w) => w.read()));
    this.optimizer.dispose();
  }
}
