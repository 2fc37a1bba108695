// Backpropagation baseline for comparisons only: the same encoders as a FeedForwardStack
// (sizes, units, Glorot initialisation from a seed) with a one-layer readout, trained end to
// end by tfjs autodiff on −log P(label | x) with the same optimiser rule. Sign and binary units
// give zero gradients in tfjs, which is the point of comparing them.

import { InvalidOptionError, ShapeMismatchError, describeValue } from '../errors.js';
import { UNITS, type Units, glorotUniform, tf, tfjsEngine, unitMean } from '../math/index.js';
import { type LocalOptimizer, createOptimizer } from '../optim/local-optimizer.js';
import type { OptimizerSpec } from '../optim/optimizer.js';
import { Rng } from '../random.js';

type T = tf.Tensor2D;

export interface FeedForwardBackpropOptions {
  readonly inputSize: number;
  readonly classes: number;
  readonly layers: ReadonlyArray<{ size: number; units?: Units } | number>;
  readonly optimizer?: OptimizerSpec;
  readonly seed?: number;
}

export class FeedForwardBackprop {
  readonly weights: T[] = [];
  readonly biases: T[] = [];
  readonly readout: T;
  readonly readoutBias: T;
  private readonly units: Units[] = [];
  private readonly optimizer: LocalOptimizer<T>;

  constructor(readonly options: FeedForwardBackpropOptions) {
    const e = tfjsEngine;
    const rng = new Rng(options.seed ?? 0);
    let below = options.inputSize;
    for (const raw of options.layers) {
      const spec = typeof raw === 'number' ? { size: raw } : raw;
      const units = spec.units ?? 'tanh';
      if (!UNITS.includes(units))
        throw new InvalidOptionError(
          `FeedForwardBackprop: expected units among ${UNITS.join(', ')}, but got ${describeValue(units)}`,
        );
      this.weights.push(e.parameter(glorotUniform(below, spec.size, rng), below, spec.size));
      this.biases.push(e.zerosParameter(1, spec.size));
      this.units.push(units);
      below = spec.size;
    }
    this.readout = e.parameter(glorotUniform(below, options.classes, rng), below, options.classes);
    this.readoutBias = e.zerosParameter(1, options.classes);
    this.optimizer = createOptimizer(e, options.optimizer, 'FeedForwardBackprop.optimizer');
  }

  get parameters(): T[] {
    return [...this.weights, ...this.biases, this.readout, this.readoutBias];
  }

  private logits(x: T): T {
    let h = x;
    this.weights.forEach((w, l) => {
      const mean = unitMean(tfjsEngine, tf.add(tf.matMul(h, w), this.biases[l]!), this.units[l]!);
      // Binary units are thresholded: deterministic and, like sign units, without a gradient.
      h = this.units[l] === 'binary' ? (tf.cast(tf.greater(mean, 0.5), 'float32') as T) : mean;
    });
    return tf.add(tf.matMul(h, this.readout), this.readoutBias);
  }

  /** One step of backpropagation on a batch; returns the mean cross-entropy. */
  train(inputs: Float32Array, rows: number, labels: ArrayLike<number>): number {
    const { inputSize, classes } = this.options;
    if (inputs.length !== rows * inputSize || labels.length !== rows) {
      throw new ShapeMismatchError(
        `FeedForwardBackprop.train: expected ${rows} rows of ${inputSize} inputs and ${rows} labels, but got ` +
          `${inputs.length} values and ${labels.length} labels`,
      );
    }
    const loss = tf.tidy(() => {
      const x = tf.tensor2d(inputs, [rows, inputSize]);
      const oneHot = new Float32Array(rows * classes);
      for (let r = 0; r < rows; r++) oneHot[r * classes + labels[r]!] = 1;
      const y = tf.tensor2d(oneHot, [rows, classes]);
      const params = this.parameters as unknown as tf.Variable[];
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(y, this.logits(x)) as tf.Scalar,
        params,
      );
      this.optimizer.apply(params.map((v) => [v as unknown as T, grads[v.name] as T] as const));
      return value;
    });
    const v = loss.dataSync()[0]!;
    loss.dispose();
    return v;
  }

  /** Class probabilities, row-major [rows, classes]. */
  predict(inputs: Float32Array, rows: number): Float32Array {
    const p = tf.tidy(() => tf.softmax(this.logits(tf.tensor2d(inputs, [rows, this.options.inputSize]))));
    const v = p.dataSync() as Float32Array;
    p.dispose();
    return v;
  }

  dispose(): void {
    tf.dispose(this.parameters);
    this.optimizer.dispose();
  }
}
