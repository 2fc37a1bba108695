// An LSTM trained online by backpropagation through time, for comparisons only: one LSTM layer
// and a dense head per modality, unrolled over a sliding window of the last K inputs from a zero
// state (each window restarts from zero; no state is carried between windows), one Adam step per
// completed step on the window that ended there. The cell is written in tfjs ops (tf.variable
// weights, tf.variableGrads over the window's unrolled cells) rather than tf.layers, which runs
// the same cell several times slower here; the weights are drawn as tf.layers.lstm draws them.
//   z = x·W + h·U + b, split into gates [i, f, o | g]
//   i, f, o = σ(z_i), σ(z_f), σ(z_o);  g = tanh(z_g)
//   c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c')        (Hochreiter & Schmidhuber 1997; Gers et al. 2000)

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, StateError, describeValue } from '../errors.js';
import { glorotUniform, orthogonal, tf } from '../math/index.js';
import type { ModalitySpec } from '../learner/modality.js';
import { checkKeys, numberOption, booleanOption } from '../options.js';
import { Rng } from '../random.js';
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

interface Head {
  readonly weights: tf.Variable;
  readonly bias: tf.Variable;
}

export class LstmBackprop implements SequenceLearner {
  readonly modalities: readonly ModalitySpec[];
  readonly sideModalities: readonly ModalitySpec[];
  readonly predictNext: boolean;
  readonly window: number;
  readonly streams: number;
  readonly units: number;
  private readonly inputSize: number;
  /** Input kernel [n, 4H], recurrent kernel [H, 4H], bias [1, 4H]; gates in the order i, f, o, g. */
  private readonly kernel: tf.Variable;
  private readonly recurrent: tf.Variable;
  private readonly bias: tf.Variable;
  private readonly heads: Head[];
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
    const n = numberOption(where, 'input.size', options.input.size, NaN, { integer: true, min: 1 });
    this.inputSize = n;
    this.predictNext = booleanOption(where, 'predictNext', options.predictNext, true);
    this.sideModalities = options.modalities ?? [];
    this.modalities = this.predictNext
      ? [...this.sideModalities, { name: 'next', kind: options.input.kind, size: n }]
      : this.sideModalities;
    this.window = numberOption(where, 'window', options.window, 16, { integer: true, min: 1 });
    this.streams = numberOption(where, 'streams', options.streams, 1, { integer: true, min: 1 });
    const H = numberOption(where, 'units', options.units, 64, { integer: true, min: 1 });
    this.units = H;
    const learningRate = numberOption(where, 'learningRate', options.learningRate, 0.001, { above: 0 });
    const rng = new Rng(numberOption(where, 'seed', options.seed, 0, { integer: true }));
    // As tf.layers.lstm: glorot-uniform input kernel, orthogonal recurrent kernel, zero bias.
    this.kernel = parameter(glorotUniform(n, 4 * H, rng), n, 4 * H);
    this.recurrent = parameter(orthogonal(H, 4 * H, rng), H, 4 * H);
    this.bias = parameter(new Float32Array(4 * H), 1, 4 * H);
    this.heads = this.modalities.map((m) => ({
      weights: parameter(glorotUniform(H, m.size, rng), H, m.size),
      bias: parameter(new Float32Array(m.size), 1, m.size),
    }));
    this.optimizer = tf.train.adam(learningRate);
    this.buffer = new Float32Array(this.streams * this.window * n);
    this.pendingStart = new Array(this.streams).fill(true);
  }

  /** The top code after running `windows` [rows × K × n] from a zero state: [rows, H]. */
  private forward(windows: tf.Tensor3D): tf.Tensor2D {
    const [rows, K, n] = windows.shape;
    const H = this.units;
    // Every step's input projection in one product, then one cell per step.
    const projected = tf.reshape(tf.add(tf.matMul(tf.reshape(windows, [rows * K, n]), this.kernel), this.bias), [
      rows,
      K,
      4 * H,
    ]);
    const inputs = tf.unstack(projected, 1) as tf.Tensor2D[];
    let h: tf.Tensor2D | null = null;
    let c: tf.Tensor2D | null = null;
    for (const xz of inputs) {
      const z = h ? tf.add(xz, tf.matMul(h, this.recurrent)) : xz;
      const [sigmoidPart, candidate] = tf.split(z, [3 * H, H], 1) as [tf.Tensor2D, tf.Tensor2D];
      const [i, f, o] = tf.split(tf.sigmoid(sigmoidPart), 3, 1) as tf.Tensor2D[];
      const ig = tf.mul(i!, tf.tanh(candidate));
      c = (c ? tf.add(tf.mul(f!, c), ig) : ig) as tf.Tensor2D;
      h = tf.mul(o!, tf.tanh(c)) as tf.Tensor2D;
    }
    return h!;
  }

  private head(top: tf.Tensor2D, k: number): tf.Tensor2D {
    const { weights, bias } = this.heads[k]!;
    return tf.add(tf.matMul(top, weights), bias) as tf.Tensor2D;
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

  /** One Adam step for head `k` and the LSTM on the windows of `rows` in `windows`, against `targets`. */
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
      const variables = [this.kernel, this.recurrent, this.bias, this.heads[k]!.weights, this.heads[k]!.bias];
      const { grads } = tf.variableGrads(() => {
        const out = this.head(this.forward(xs), k);
        // Categorical: softmax cross-entropy on the logits, the mean over rows; continuous: MSE.
        return (
          m.kind === 'categorical' ? tf.losses.softmaxCrossEntropy(ys, out) : tf.losses.meanSquaredError(ys, out)
        ) as tf.Scalar;
      }, variables);
      this.optimizer.applyGradients(grads);
    });
  }

  readPredictions(): Float32Array[] {
    if (this.cached) return this.cached;
    const outs = tf.tidy(() => {
      const top = this.forward(tf.tensor3d(this.buffer, [this.streams, this.window, this.inputSize]));
      const parts = this.modalities.map((m, k) => {
        const out = this.head(top, k);
        return m.kind === 'categorical' ? tf.softmax(out) : out;
      });
      // One synchronous read for every modality.
      const all = (parts.length === 1 ? parts[0]! : tf.concat(parts, 1)).dataSync() as Float32Array;
      const B = this.streams;
      let offset = 0;
      return this.modalities.map((m) => {
        const own = new Float32Array(B * m.size);
        for (let r = 0; r < B; r++) {
          const from = (r * all.length) / B + offset;
          own.set(all.subarray(from, from + m.size), r * m.size);
        }
        offset += m.size;
        return own;
      });
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
    tf.dispose([this.kernel, this.recurrent, this.bias, ...this.heads.flatMap((h) => [h.weights, h.bias])]);
    this.optimizer.dispose();
  }
}

function parameter(values: Float32Array, rows: number, cols: number): tf.Variable {
  const init = tf.tensor2d(values, [rows, cols]);
  const v = tf.variable(init);
  init.dispose();
  return v;
}
