// An LSTM trained online by backpropagation through time, for comparisons only: one LSTM layer
// and a dense head per modality, unrolled over a sliding window of the last K inputs from a zero
// state (each window restarts from zero; no state is carried between windows), one Adam step per
// completed step on the window that ended there. The cell is written in tfjs ops with its
// backward pass by hand (checked against tfjs autodiff in the tests) rather than tf.layers and
// optimizer.minimize, which ran the same cell several times slower here: the cells run for a
// window's predictions are kept and reused by the step that learns from that window, so each
// step runs one forward and one backward pass. Weights are drawn as tf.layers.lstm draws them
// (glorot-uniform input kernel, orthogonal recurrent kernel, zero bias), from the seed's Rng.
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

/** One cell's values, kept for the backward pass: σ of the gates [i, f, o], g, c, tanh c, h. */
interface Cell {
  readonly sig: tf.Tensor2D;
  readonly i: tf.Tensor2D;
  readonly f: tf.Tensor2D;
  readonly o: tf.Tensor2D;
  readonly g: tf.Tensor2D;
  readonly c: tf.Tensor2D;
  readonly tc: tf.Tensor2D;
  readonly h: tf.Tensor2D;
}

/** A window's cells: the inputs flattened to [rows · K, n], and each step's cell. */
interface Cells {
  readonly x: tf.Tensor2D;
  readonly steps: readonly Cell[];
}

function tensorsOf(cells: Cells): tf.Tensor[] {
  return [cells.x, ...cells.steps.flatMap((s) => [s.sig, s.i, s.f, s.o, s.g, s.c, s.tc, s.h])];
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
  /** The current window's cells under the current weights, once run (dropped when either changes). */
  private cells: Cells | null = null;
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

  /** The cells of `windows` [rows × K × n] run from a zero state (call inside a tidy). */
  private run(windows: tf.Tensor3D): Cells {
    const [rows, K, n] = windows.shape;
    const H = this.units;
    // Every step's input projection in one product, then one cell per step.
    const x = tf.reshape(windows, [rows * K, n]) as tf.Tensor2D;
    const projected = tf.reshape(tf.add(tf.matMul(x, this.kernel), this.bias), [rows, K, 4 * H]);
    const steps: Cell[] = [];
    let h: tf.Tensor2D | null = null;
    let c: tf.Tensor2D | null = null;
    for (const xz of tf.unstack(projected, 1) as tf.Tensor2D[]) {
      const z = h ? tf.add(xz, tf.matMul(h, this.recurrent)) : xz;
      const [sigmoidPart, candidate] = tf.split(z, [3 * H, H], 1) as [tf.Tensor2D, tf.Tensor2D];
      const sig = tf.sigmoid(sigmoidPart) as tf.Tensor2D;
      const [i, f, o] = tf.split(sig, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const g = tf.tanh(candidate) as tf.Tensor2D;
      const ig = tf.mul(i, g) as tf.Tensor2D;
      c = (c ? tf.add(tf.mul(f, c), ig) : ig) as tf.Tensor2D;
      const tc = tf.tanh(c) as tf.Tensor2D;
      h = tf.mul(o, tc) as tf.Tensor2D;
      steps.push({ sig, i, f, o, g, c, tc, h });
    }
    return { x, steps };
  }

  /**
   * The loss gradients of head `k` on `targets` through the cells, by hand (call inside a tidy):
   *   dh_K from the head; back through each cell: dc += dh ⊙ o ⊙ (1 − tanh²c),
   *   dz = [dc ⊙ g, dc ⊙ c₋, dh ⊙ tanh c] ⊙ σ′ | dc ⊙ i ⊙ (1 − g²);  dh₋ = dz·Uᵀ, dc₋ = dc ⊙ f
   *   dW = Xᵀ·DZ, dU = H₋ᵀ·DZ (all steps in one product each), db = Σ dz.
   */
  private backward(cells: Cells, k: number, targets: tf.Tensor2D): tf.NamedTensorMap {
    const m = this.modalities[k]!;
    const head = this.heads[k]!;
    const { x, steps } = cells;
    const [rows] = targets.shape;
    const K = steps.length;
    const top = steps[K - 1]!.h;
    const out = this.head(top, k);
    // Softmax cross-entropy averaged over rows, or the mean squared error over all values.
    const dOut =
      m.kind === 'categorical'
        ? tf.div(tf.sub(tf.mul(tf.softmax(out), tf.sum(targets, 1, true)), targets), rows)
        : tf.mul(tf.sub(out, targets), 2 / (rows * m.size));
    let dh = tf.matMul(dOut, head.weights, false, true) as tf.Tensor2D;
    let dc: tf.Tensor2D | null = null;
    const dz: tf.Tensor2D[] = new Array(K);
    for (let t = K - 1; t >= 0; t--) {
      const { sig, i, f, o, g, tc } = steps[t]!;
      const through = tf.mul(tf.mul(dh, o), tf.sub(1, tf.square(tc))) as tf.Tensor2D;
      const dC = dc ? (tf.add(dc, through) as tf.Tensor2D) : through;
      const dF = t > 0 ? tf.mul(dC, steps[t - 1]!.c) : tf.zeros(dC.shape);
      const dSig = tf.mul(tf.mul(tf.concat([tf.mul(dC, g), dF, tf.mul(dh, tc)], 1), sig), tf.sub(1, sig));
      const dCandidate = tf.mul(tf.mul(dC, i), tf.sub(1, tf.square(g)));
      dz[t] = tf.concat([dSig, dCandidate], 1) as tf.Tensor2D;
      if (t > 0) {
        dh = tf.matMul(dz[t]!, this.recurrent, false, true) as tf.Tensor2D;
        dc = tf.mul(dC, f) as tf.Tensor2D;
      }
    }
    const H = this.units;
    const DZ = tf.reshape(tf.stack(dz, 1), [rows * K, 4 * H]) as tf.Tensor2D;
    const dRecurrent =
      K > 1
        ? tf.matMul(
            tf.reshape(
              tf.stack(
                steps.slice(0, K - 1).map((s) => s.h),
                1,
              ),
              [rows * (K - 1), H],
            ),
            tf.reshape(tf.stack(dz.slice(1), 1), [rows * (K - 1), 4 * H]),
            true,
          )
        : tf.zeros(this.recurrent.shape);
    return {
      [this.kernel.name]: tf.matMul(x, DZ, true),
      [this.recurrent.name]: dRecurrent,
      [this.bias.name]: tf.sum(DZ, 0, true),
      [head.weights.name]: tf.matMul(top, dOut, true),
      [head.bias.name]: tf.sum(dOut, 0, true),
    };
  }

  /** The cells of the current window under the current weights, run once and kept until either changes. */
  private currentCells(): Cells {
    if (!this.cells) {
      let cells: Cells | null = null;
      tf.tidy(() => {
        cells = this.run(tf.tensor3d(this.buffer, [this.streams, this.window, this.inputSize]));
        for (const t of tensorsOf(cells)) tf.keep(t);
      });
      this.cells = cells;
    }
    return this.cells!;
  }

  private dropCells(): void {
    if (this.cells) tf.dispose(tensorsOf(this.cells));
    this.cells = null;
  }

  /** For tests: the hand-written gradients of head `k` on `windows` [rows × K × n] and `targets`, as plain data. */
  gradients(windows: Float32Array, targets: Float32Array, k = this.modalities.length - 1): Float32Array[] {
    const rows = windows.length / (this.window * this.inputSize);
    return tf.tidy(() => {
      const xs = tf.tensor3d(windows, [rows, this.window, this.inputSize]);
      const grads = this.backward(this.run(xs), k, tf.tensor2d(targets, [rows, this.modalities[k]!.size]));
      return this.variables(k).map((v) => grads[v.name]!.dataSync() as Float32Array);
    });
  }

  /** For tests: the weights head `k` trains (kernel, recurrent, bias, head weights, head bias), as plain data. */
  readWeights(k = this.modalities.length - 1): Float32Array[] {
    return this.variables(k).map((v) => v.dataSync() as Float32Array);
  }

  private head(top: tf.Tensor2D, k: number): tf.Tensor2D {
    const { weights, bias } = this.heads[k]!;
    return tf.add(tf.matMul(top, weights), bias) as tf.Tensor2D;
  }

  private variables(k: number): tf.Variable[] {
    return [this.kernel, this.recurrent, this.bias, this.heads[k]!.weights, this.heads[k]!.bias];
  }

  step(input: Float32Array, side?: SideBatch, ignore?: ArrayLike<boolean>): void {
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
      const rows = this.pendingStart.map((s, r) => (s || ignore?.[r] ? -1 : r)).filter((r) => r >= 0);
      if (rows.length) this.train(this.modalities.length - 1, this.previous, input, rows, true);
    }
    const stride = this.window * n;
    for (let r = 0; r < B; r++) {
      const row = this.buffer.subarray(r * stride, (r + 1) * stride);
      if (this.pendingStart[r]) row.fill(0);
      row.copyWithin(0, n);
      row.set(input.subarray(r * n, (r + 1) * n), stride - n);
    }
    this.pendingStart.fill(false);
    this.dropCells(); // the window moved
    this.cached = null;
    this.sideModalities.forEach((_m, k) => {
      const rows = Array.from(own.present[k]!)
        .map((p, r) => (p > 0 ? r : -1))
        .filter((r) => r >= 0);
      if (rows.length) {
        this.readPredictions(); // predictions for this step are made before learning from it
        this.train(k, this.buffer, own.values[k]!, rows, true);
      }
    });
    this.previous = this.predictNext ? this.buffer.slice() : null;
    this.steps++;
  }

  /**
   * One Adam step for head `k` and the LSTM on the windows of `rows` in `windows`, against
   * `targets`. With `current`, `windows` is the current window, whose cells (run for the
   * predictions) are reused when every row learns.
   */
  private train(k: number, windows: Float32Array, targets: Float32Array, rows: number[], current: boolean): void {
    const m = this.modalities[k]!;
    const stride = this.window * this.inputSize;
    const all = rows.length === this.streams;
    const reuse = current && all ? this.currentCells() : null;
    const x = new Float32Array(rows.length * stride);
    const y = new Float32Array(rows.length * m.size);
    rows.forEach((r, i) => {
      if (!reuse) x.set(windows.subarray(r * stride, (r + 1) * stride), i * stride);
      y.set(targets.subarray(r * m.size, (r + 1) * m.size), i * m.size);
    });
    tf.tidy(() => {
      const cells = reuse ?? this.run(tf.tensor3d(x, [rows.length, this.window, this.inputSize]));
      this.optimizer.applyGradients(this.backward(cells, k, tf.tensor2d(y, [rows.length, m.size])));
    });
    // The weights changed: the kept cells are stale (the predictions read stay those made before).
    this.dropCells();
  }

  readPredictions(): Float32Array[] {
    if (this.cached) return this.cached;
    const cells = this.currentCells();
    const outs = tf.tidy(() => {
      const top = cells.steps[cells.steps.length - 1]!.h;
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
    this.dropCells();
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
