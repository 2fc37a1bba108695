// Backpropagation with a straight-through estimator, the usual way to train discrete nets by
// gradients, as a baseline for target propagation (comparisons only). The same encoders as a
// FeedForwardStack (sizes, units, Glorot initialisation from a seed, in FeedForwardBackprop's
// order) with a one-layer softmax readout, trained end to end on −log P(label | x). The forward
// pass uses the discrete codes; the backward pass, written in closed form on the stack's engine
// (so speeds compare on one engine), lets the gradient through them as if they were smooth
// (Bengio, Léonard & Courville 2013; Hubara et al. 2016):
//   forward:   a_l = h_{l−1}·W_l + b_l;  h_l = sign(a_l) | Bernoulli(σ(a_l)) | act(a_l)
//              (with `noise` σ while training: sign(a_l + ε) | act(a_l) + ε, ε ~ N(0, σ²))
//   backward:  δa_l = δh_l ⊙ s_l,  s_l = 1{|a_l| ≤ 1} (sign: hardtanh-clipped identity)
//                                       σ(a_l)·(1 − σ(a_l)) (binary: through the probability)
//                                       act'(a_l) (continuous units: the exact gradient)
//              ∂W_l = h_{l−1}ᵀ·δa_l;  δh_{l−1} = δa_l·W_lᵀ
// Inference uses each unit's mode (binary units threshold σ(a) at 1/2), as the stack does.

import { InvalidOptionError, ShapeMismatchError, StateError, describeValue } from '../errors.js';
import {
  type Engine,
  type EngineChoice,
  UNITS,
  type Units,
  engineFor,
  glorotUniform,
  unitMean,
  unitMode,
  unitSample,
  unitSlope,
} from '../math/index.js';
import { type GradientPair, type LocalOptimizer, createOptimizer } from '../optim/local-optimizer.js';
import type { OptimizerSpec } from '../optim/optimizer.js';
import { numberOption } from '../options.js';
import { Rng } from '../random.js';

export interface StraightThroughBackpropOptions {
  readonly inputSize: number;
  readonly classes: number;
  /** Hidden layers, bottom to top; a number is a tanh layer of that width. */
  readonly layers: ReadonlyArray<{ size: number; units?: Units } | number>;
  /** Default adam, learning rate 0.001 (as every learner here). */
  readonly optimizer?: OptimizerSpec;
  /**
   * Std of the noise of the forward pass while training, as the stacks' `noise`: sign units draw
   * sign(a + ε), continuous units add ε (binary units draw by nature). Default 0.
   */
  readonly noise?: number;
  readonly seed?: number;
  /** 'tfjs', 'fused' or 'auto' (default), as for the stacks. */
  readonly engine?: EngineChoice;
}

type M = unknown;

export class StraightThroughBackprop {
  readonly engine: Engine<M>;
  readonly weights: M[] = [];
  readonly biases: M[] = [];
  readonly readout: M;
  readonly readoutBias: M;
  readonly units: Units[] = [];
  private readonly optimizer: LocalOptimizer<M>;
  private readonly rng: Rng;
  private readonly noise: number;
  private disposed = false;

  constructor(readonly options: StraightThroughBackpropOptions) {
    const where = 'StraightThroughBackprop';
    this.noise = numberOption(where, 'noise', options.noise, 0, { min: 0 });
    this.engine = engineFor(options.engine ?? 'auto', 2, where);
    const e = this.engine;
    const rng = new Rng(options.seed ?? 0);
    let below = options.inputSize;
    for (const raw of options.layers) {
      const spec = typeof raw === 'number' ? { size: raw } : raw;
      const units = spec.units ?? 'tanh';
      if (!UNITS.includes(units))
        throw new InvalidOptionError(
          `${where}: expected units among ${UNITS.join(', ')}, but got ${describeValue(units)}`,
        );
      this.weights.push(e.parameter(glorotUniform(below, spec.size, rng), below, spec.size));
      this.biases.push(e.zerosParameter(1, spec.size));
      this.units.push(units);
      below = spec.size;
    }
    this.readout = e.parameter(glorotUniform(below, options.classes, rng), below, options.classes);
    this.readoutBias = e.zerosParameter(1, options.classes);
    this.optimizer = createOptimizer(e, options.optimizer, `${where}.optimizer`);
    // The Bernoulli draws continue the stream that drew the initial weights.
    this.rng = rng;
  }

  get parameters(): M[] {
    return [...this.weights, ...this.biases, this.readout, this.readoutBias];
  }

  private check(inputs: Float32Array, rows: number, labels: ArrayLike<number> | null, where: string): void {
    if (this.disposed) throw new StateError('ERR_DISPOSED', `${where}: expected a live net, but it has been disposed`);
    const { inputSize } = this.options;
    if (inputs.length !== rows * inputSize || (labels !== null && labels.length !== rows)) {
      throw new ShapeMismatchError(
        `${where}: expected ${rows} rows of ${inputSize} inputs${labels ? ` and ${rows} labels` : ''}, but got ` +
          `${inputs.length} values${labels ? ` and ${labels.length} labels` : ''}`,
      );
    }
  }

  /** The gate s_l of the backward pass for a layer's pre-activation and mean (see the header). */
  private slope(pre: M, mean: M, units: Units): M | null {
    const e = this.engine;
    if (units === 'sign') return e.sub(e.sub(1, e.above(pre, 1)), e.above(e.mul(pre, -1), 1));
    return unitSlope(e, mean, units); // binary: p(1 − p), straight through the sample to its probability
  }

  /** One step of backpropagation on a batch; returns the mean cross-entropy. */
  train(inputs: Float32Array, rows: number, labels: ArrayLike<number>): number {
    this.check(inputs, rows, labels, 'StraightThroughBackprop.train');
    const e = this.engine;
    const { inputSize, classes } = this.options;
    const loss = e.scope(() => {
      const oneHot = new Float32Array(rows * classes);
      for (let r = 0; r < rows; r++) oneHot[r * classes + labels[r]!] = 1;
      const y = e.matrix(oneHot, rows, classes);
      const codes: M[] = [e.matrix(inputs, rows, inputSize)];
      const slopes: (M | null)[] = [];
      this.weights.forEach((w, l) => {
        const pre = e.add(e.matMul(codes[l]!, w), this.biases[l]!);
        const mean = unitMean(e, pre, this.units[l]!);
        codes.push(unitSample(e, mean, this.units[l]!, this.noise, this.rng, pre));
        slopes.push(this.slope(pre, mean, this.units[l]!));
      });
      const top = codes[codes.length - 1]!;
      const p = e.activate(e.add(e.matMul(top, this.readout), this.readoutBias), 'softmax');
      const delta = e.mul(e.sub(p, y), 1 / rows);
      const pairs: GradientPair<M>[] = [
        [this.readout, e.matMulAT(top, delta)],
        [this.readoutBias, e.sumRows(delta)],
      ];
      let back = e.matMulBT(delta, this.readout);
      for (let l = this.weights.length - 1; l >= 0; l--) {
        const slope = slopes[l];
        const d = slope ? e.mul(back, slope) : back;
        pairs.push([this.weights[l]!, e.matMulAT(codes[l]!, d)], [this.biases[l]!, e.sumRows(d)]);
        if (l > 0) back = e.matMulBT(d, this.weights[l]!);
      }
      this.optimizer.apply(pairs);
      return e.mul(e.crossEntropy(p, y), 1 / rows);
    });
    const value = e.read(loss)[0]!;
    e.free(loss);
    return value;
  }

  /** Class probabilities, row-major [rows, classes]. */
  predict(inputs: Float32Array, rows: number): Float32Array {
    this.check(inputs, rows, null, 'StraightThroughBackprop.predict');
    const e = this.engine;
    const p = e.scope(() => {
      let h = e.matrix(inputs, rows, this.options.inputSize);
      this.weights.forEach((w, l) => {
        h = unitMode(e, unitMean(e, e.add(e.matMul(h, w), this.biases[l]!), this.units[l]!), this.units[l]!);
      });
      return e.activate(e.add(e.matMul(h, this.readout), this.readoutBias), 'softmax');
    });
    const values = e.read(p);
    e.free(p);
    return values;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.free(this.parameters);
    this.optimizer.dispose();
  }
}
