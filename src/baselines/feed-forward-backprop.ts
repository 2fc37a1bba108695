// Backpropagation baseline for comparisons only: the same encoders as a FeedForwardStack
// (sizes, units, initialisation from the same seed) with a one-layer readout, trained end to
// end by tfjs autodiff on −log P(label | x) with the same optimiser. Sign and binary units get
// zero gradients from tfjs, which is the point of comparing them.

import { InvalidOptionError, ShapeMismatchError, describeValue } from '../errors.js';
import {
  type Tensor2D,
  type Variable,
  type Units,
  add,
  dispose,
  glorotUniform,
  matMul,
  softmax,
  tensor2d,
  tidy,
  unitMean,
  variable,
  variableGrads,
  zeros,
  losses,
  type Scalar,
  cast,
  greater,
} from '../math/index.js';
import { createOptimizer } from '../optim/create-optimizer.js';
import type { Optimizer, OptimizerSpec } from '../optim/optimizer.js';
import { Rng } from '../random.js';
import { UNITS } from '../math/index.js';

export interface FeedForwardBackpropOptions {
  readonly inputSize: number;
  readonly classes: number;
  readonly layers: ReadonlyArray<{ size: number; units?: Units } | number>;
  readonly optimizer?: OptimizerSpec;
  readonly seed?: number;
}

export class FeedForwardBackprop {
  readonly weights: Variable[] = [];
  readonly biases: Variable[] = [];
  readonly readout: Variable;
  readonly readoutBias: Variable;
  private readonly units: Units[] = [];
  private readonly optimizer: Optimizer;

  constructor(readonly options: FeedForwardBackpropOptions) {
    const rng = new Rng(options.seed ?? 0);
    let below = options.inputSize;
    for (const raw of options.layers) {
      const spec = typeof raw === 'number' ? { size: raw } : raw;
      const units = spec.units ?? 'tanh';
      if (!UNITS.includes(units)) throw new InvalidOptionError(`FeedForwardBackprop: expected units among ${UNITS.join(', ')}, but got ${describeValue(units)}`);
      this.weights.push(variable(glorotUniform(below, spec.size, rng)));
      this.biases.push(variable(zeros([1, spec.size])));
      this.units.push(units);
      below = spec.size;
    }
    this.readout = variable(glorotUniform(below, options.classes, rng));
    this.readoutBias = variable(zeros([1, options.classes]));
    this.optimizer = createOptimizer(options.optimizer, 'FeedForwardBackprop.optimizer');
  }

  get variables(): Variable[] {
    return [...this.weights, ...this.biases, this.readout, this.readoutBias];
  }

  private logits(x: Tensor2D): Tensor2D {
    let h = x;
    this.weights.forEach((w, l) => {
      const mean = unitMean(add(matMul(h, w), this.biases[l]!), this.units[l]!);
      // Binary units are thresholded: deterministic and, like sign units, without a gradient.
      h = this.units[l] === 'binary' ? (cast(greater(mean, 0.5), 'float32') as Tensor2D) : mean;
    });
    return add(matMul(h, this.readout), this.readoutBias);
  }

  /** One step of backpropagation on a batch; returns the mean cross-entropy. */
  train(inputs: Float32Array, rows: number, labels: ArrayLike<number>): number {
    if (inputs.length !== rows * this.options.inputSize || labels.length !== rows) {
      throw new ShapeMismatchError(`FeedForwardBackprop.train: expected ${rows} rows of ${this.options.inputSize} inputs and ${rows} labels, but got ${inputs.length} values and ${labels.length} labels`);
    }
    const loss = tidy(() => {
      const x = tensor2d(inputs, [rows, this.options.inputSize]);
      const oneHot = new Float32Array(rows * this.options.classes);
      for (let r = 0; r < rows; r++) oneHot[r * this.options.classes + labels[r]!] = 1;
      const y = tensor2d(oneHot, [rows, this.options.classes]);
      const { value, grads } = variableGrads(() => losses.softmaxCrossEntropy(y, this.logits(x)) as Scalar, this.variables);
      this.optimizer.apply(this.variables.map((v) => [v, grads[v.name]!] as const));
      return value;
    });
    const v = loss.dataSync()[0]!;
    loss.dispose();
    return v;
  }

  /** Class probabilities, row-major [rows, classes]. */
  predict(inputs: Float32Array, rows: number): Float32Array {
    const p = tidy(() => softmax(this.logits(tensor2d(inputs, [rows, this.options.inputSize]))));
    const v = p.dataSync() as Float32Array;
    p.dispose();
    return v;
  }

  dispose(): void {
    dispose(this.variables);
    this.optimizer.dispose();
  }
}
