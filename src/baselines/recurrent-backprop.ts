// Backpropagation-through-time baseline, for comparisons only: the same recurrent architecture
// as a RecurrentStack's encoders (h[l,t] = act(h[l−1,t]·W_l + h[l,t−1]·U_l + b_l), orthogonal
// recurrent weights) with a one-layer readout per modality, trained online by tfjs autodiff
// through the same window of the last K steps: every S completed steps, the window is run again
// from its stored starting state and one optimiser step is taken on the losses of the new steps.

import { type Engine, type Units, glorotUniform, orthogonal, tf, tfjsEngine, unitMean } from '../math/index.js';
import type { ModalitySpec } from '../learner/modality.js';
import { type LocalOptimizer, createOptimizer } from '../optim/local-optimizer.js';
import type { OptimizerSpec } from '../optim/optimizer.js';
import { Rng } from '../random.js';
import { resolveBackpropOptions } from './backprop-common.js';
import { WindowedBackprop } from './windowed-backprop.js';
import type { SideBatch } from '../learner/side-batch.js';

type T = tf.Tensor2D;

export interface RecurrentBackpropOptions {
  readonly input: { readonly kind: 'categorical' | 'continuous'; readonly size: number };
  readonly modalities?: readonly ModalitySpec[];
  readonly predictNext?: boolean;
  /** Recurrent layers, bottom to top; default [64] tanh. */
  readonly layers?: ReadonlyArray<number | { size: number; units?: Units }>;
  readonly window?: number;
  readonly updateEvery?: number;
  readonly streams?: number;
  /** Default adam, learning rate 0.001. */
  readonly optimizer?: OptimizerSpec;
  readonly seed?: number;
}

export class RecurrentBackprop extends WindowedBackprop<T> {
  private readonly weights: T[] = [];
  private readonly recurrent: T[] = [];
  private readonly biases: T[] = [];
  private readonly units: Units[] = [];
  private readonly readouts: T[];
  private readonly readoutBiases: T[];
  private readonly optimizer: LocalOptimizer<T>;
  private state: T[];
  private predictions: T[] = [];

  constructor(options: RecurrentBackpropOptions) {
    const where = 'RecurrentBackprop';
    const resolved = resolveBackpropOptions(where, options);
    const e = tfjsEngine as Engine<T>;
    super(e, resolved);
    const rng = new Rng(resolved.seed);
    let below = this.input.size;
    for (const raw of options.layers ?? [64]) {
      const spec = typeof raw === 'number' ? { size: raw } : raw;
      this.weights.push(e.parameter(glorotUniform(below, spec.size, rng), below, spec.size));
      this.recurrent.push(e.parameter(orthogonal(spec.size, spec.size, rng), spec.size, spec.size));
      this.biases.push(e.zerosParameter(1, spec.size));
      this.units.push(spec.units ?? 'tanh');
      below = spec.size;
    }
    this.readouts = this.modalities.map((m) => e.parameter(glorotUniform(below, m.size, rng), below, m.size));
    this.readoutBiases = this.modalities.map((m) => e.zerosParameter(1, m.size));
    this.optimizer = createOptimizer(e, options.optimizer, `${where}.optimizer`);
    this.state = this.weights.map((w) => tf.zeros([this.streams, w.shape[1]]) as T);
  }

  private get parameters(): T[] {
    return [...this.weights, ...this.recurrent, ...this.biases, ...this.readouts, ...this.readoutBiases];
  }

  /** One step up the layers from `before` (each layer's previous code, zeroed where `continues` is 0). */
  private forward(x: T, continues: T, before: readonly T[]): T[] {
    let below = x;
    return before.map((h, l) => {
      const pre = tf.add(
        tf.add(tf.matMul(below, this.weights[l]!), tf.matMul(tf.mul(h, continues), this.recurrent[l]!)),
        this.biases[l]!,
      );
      below = unitMean(tfjsEngine, pre as T, this.units[l]!);
      return below;
    });
  }

  private readout(top: T, m: number): T {
    const logits = tf.add(tf.matMul(top, this.readouts[m]!), this.readoutBiases[m]!) as T;
    return this.modalities[m]!.kind === 'categorical' ? (tf.softmax(logits) as T) : logits;
  }

  step(input: Float32Array, side?: SideBatch, ignore?: ArrayLike<boolean>): void {
    const where = 'RecurrentBackprop.step';
    const { own, continues } = this.begin(where, input, side, ignore);
    const B = this.streams;
    const x = tf.tensor2d(input, [B, this.input.size]);
    const cont = tf.tensor2d(continues, [B, 1]);
    const before = this.state;
    const [after, predictions] = tf.tidy(() => {
      const codes = this.forward(x, cont, before);
      const top = codes[codes.length - 1]!;
      return [codes, this.modalities.map((_, m) => this.readout(top, m))] as const;
    });
    this.state = after as T[];
    tf.dispose(this.predictions);
    this.predictions = predictions as T[];
    this.remember(x, cont, before, own);
  }

  /** Runs the window again from its starting state under the tape and takes one optimiser step. */
  protected learn(): void {
    const steps = this.history;
    const fresh = new Set(steps.map((s, i) => (s.complete && !s.learned ? i : -1)).filter((i) => i >= 0));
    // Steps without any side information carry no loss: no pass is needed for them.
    const informative = [...fresh].some((i) => steps[i]!.side.present.some((p) => p.some((v) => v > 0)));
    if (!informative) {
      for (const i of fresh) steps[i]!.learned = true;
      return;
    }
    const B = this.streams;
    tf.tidy(() => {
      const params = this.parameters as unknown as tf.Variable[];
      const { grads } = tf.variableGrads(() => {
        let codes: T[] = steps[0]!.before;
        let loss = tf.scalar(0);
        steps.forEach((s, i) => {
          codes = this.forward(s.input, s.continues, codes);
          if (!fresh.has(i)) return;
          const top = codes[codes.length - 1]!;
          this.modalities.forEach((m, k) => {
            const present = tf.tensor2d(s.side.present[k]!, [B, 1]);
            const y = tf.tensor2d(s.side.values[k]!, [B, m.size]);
            const p = this.readout(top, k);
            const term =
              m.kind === 'categorical'
                ? tf.neg(tf.sum(tf.mul(tf.mul(y, tf.log(tf.maximum(p, 1e-7))), present)))
                : tf.mul(tf.sum(tf.mul(tf.square(tf.sub(p, y)), present)), 0.5);
            loss = tf.add(loss, term);
          });
        });
        return tf.div(loss, B) as tf.Scalar;
      }, params);
      this.optimizer.apply(params.map((v) => [v as unknown as T, grads[v.name] as T] as const));
    });
    for (const i of fresh) steps[i]!.learned = true;
  }

  readPredictions(): Float32Array[] {
    return this.predictions.map((p) => p.dataSync() as Float32Array);
  }

  dispose(): void {
    if (!this.release()) return;
    tf.dispose([...this.state, ...this.predictions, ...this.parameters]);
    this.optimizer.dispose();
  }
}
