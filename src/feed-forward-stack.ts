// A feed-forward stack of denoising auto-encoders trained by target propagation, with the
// top-level auto-encoder over [top code, side information] (Bengio 2014; Lee et al. 2015).
// One training step, all in one tidy:
//   1. up pass with noise: h_l = f_l(h_{l−1}) + ε          (h_0 = the input)
//   2. top target ĥ_L from the side information (top.ts)
//   3. down the layers: ĥ_{l−1} = h_{l−1} + g_l(ĥ_l) − g_l(h_l)   (or g_l(ĥ_l), the plain form)
//   4. every encoder moves its output toward its target, its input held fixed
//   5. every decoder learns to denoise its input; the top AE and readout learn their own losses
// Inputs and outputs are plain Float32Arrays; tensors never leave this module.

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, StateError, describeValue } from './errors.js';
import { DenoisingLayer } from './denoising-layer.js';
import { type Tensor2D, type Variable, add, keep, tensor2d, tidy, type Units, UNITS, dispose } from './math/index.js';
import { type ModalitySpec, checkModality } from './modality.js';
import { type Optimizer, type GradientPair } from './optim/optimizer.js';
import { createOptimizer } from './optim/create-optimizer.js';
import { Rng } from './random.js';
import { type SideBatch, emptySide, sideTensors } from './side-batch.js';
import { Top } from './top.js';
import { type StackOptions, type ResolvedStackOptions, resolveStackOptions } from './stack-options.js';

export interface TrainReport {
  /** Per layer: ½‖f(h) − ĥ‖², mean over the batch. */
  readonly encoderLoss: number[];
  /** Per layer: the denoising reconstruction loss. */
  readonly reconstructionLoss: number[];
  readonly topLoss: number;
  readonly readoutLoss: number | null;
}

export interface FeedForwardStackOptions extends StackOptions {
  /** Width of the input vector. */
  readonly inputSize: number;
  /** Units whose range the input lives in: 'sigmoid' for [0, 1] data (default), 'linear', 'tanh'. */
  readonly inputUnits?: Units;
}

export class FeedForwardStack {
  readonly options: ResolvedStackOptions & { inputSize: number; inputUnits: Units };
  readonly layers: DenoisingLayer[];
  readonly top: Top;
  private readonly encoderOptimizers: Optimizer[];
  private readonly decoderOptimizers: Optimizer[];
  private readonly topOptimizer: Optimizer;
  private readonly readoutOptimizer: Optimizer;
  private readonly rng: Rng;
  private disposed = false;

  constructor(options: FeedForwardStackOptions) {
    const where = 'FeedForwardStack';
    const { inputSize, inputUnits, ...rest } = options ?? ({} as FeedForwardStackOptions);
    if (!Number.isInteger(inputSize) || inputSize < 1) throw new InvalidOptionError(`${where}: expected option "inputSize" to be an integer >= 1, but got ${describeValue(inputSize)}`);
    const units = inputUnits ?? 'sigmoid';
    if (!UNITS.includes(units)) throw new InvalidOptionError(`${where}: expected option "inputUnits" to be one of ${UNITS.join(', ')}, but got ${describeValue(inputUnits)}`);
    const resolved = resolveStackOptions(rest, where, ['inputSize', 'inputUnits']);
    this.options = { ...resolved, inputSize, inputUnits: units };
    this.rng = new Rng(resolved.seed);
    let below: { size: number; units: Units } = { size: inputSize, units };
    this.layers = resolved.layers.map((spec) => {
      const layer = new DenoisingLayer(
        {
          inputs: [below],
          size: spec.size,
          units: spec.units,
          corruption: resolved.corruption,
          noise: spec.noise,
          decoderTarget: resolved.decoderTarget,
          encoderReconstructionWeight: resolved.encoderReconstructionWeight,
        },
        this.rng,
      );
      below = { size: spec.size, units: spec.units };
      return layer;
    });
    this.top = new Top({ ...resolved.top, codeSize: below.size, codeUnits: below.units, modalities: resolved.modalities, target: resolved.topTarget }, this.rng);
    this.encoderOptimizers = this.layers.map(() => createOptimizer(resolved.optimizer, `${where}.optimizer`));
    this.decoderOptimizers = this.layers.map(() => createOptimizer(resolved.decoderOptimizer, `${where}.decoderOptimizer`));
    this.topOptimizer = createOptimizer(resolved.decoderOptimizer, `${where}.decoderOptimizer`);
    this.readoutOptimizer = createOptimizer(resolved.readoutOptimizer, `${where}.readoutOptimizer`);
  }

  get modalities(): readonly ModalitySpec[] {
    return this.options.modalities;
  }

  /** Every variable, in a fixed order. */
  get variables(): Variable[] {
    return [...this.layers.flatMap((l) => l.variables), ...this.top.variables];
  }

  /** Checks a batch of inputs before any tensor is made, so bad input leaves the weights alone. */
  private checkInputs(inputs: Float32Array, rows: number, where: string): void {
    if (this.disposed) throw new StateError('ERR_DISPOSED', `${where}: expected a live stack, but it has been disposed`);
    if (!(inputs instanceof Float32Array)) throw new ShapeMismatchError(`${where}: expected inputs as a Float32Array, but got ${describeValue(inputs)}`);
    if (!Number.isInteger(rows) || rows < 1 || inputs.length !== rows * this.options.inputSize) {
      throw new ShapeMismatchError(`${where}: expected ${rows} rows of ${this.options.inputSize} inputs (${rows * this.options.inputSize} values), but got ${inputs.length} values`);
    }
    for (let i = 0; i < inputs.length; i++) {
      if (!Number.isFinite(inputs[i]!)) throw new NonFiniteError(`${where}: expected finite inputs, but got ${inputs[i]} at row ${Math.floor(i / this.options.inputSize)}, column ${i % this.options.inputSize}`);
    }
  }

  private checkSide(side: SideBatch, rows: number, where: string): void {
    if (side.rows !== rows || side.values.length !== this.modalities.length) {
      throw new ShapeMismatchError(`${where}: expected side information for ${rows} rows and ${this.modalities.length} modalities, but got ${side.rows} rows and ${side.values.length} modalities`);
    }
  }

  /** Up pass: per layer the encoder's mean and the code passed upward. */
  forward(input: Tensor2D, training: boolean): { means: Tensor2D[]; codes: Tensor2D[] } {
    const means: Tensor2D[] = [];
    const codes: Tensor2D[] = [];
    let below = input;
    for (const layer of this.layers) {
      const { mean, code } = layer.encode([below], training);
      means.push(mean);
      codes.push(code);
      below = code;
    }
    return { means, codes };
  }

  /** Targets for every layer given the input, the codes and a target for the top code. */
  propagateTargets(input: Tensor2D, codes: readonly Tensor2D[], topTarget: Tensor2D): Tensor2D[] {
    const targets: Tensor2D[] = new Array(codes.length);
    targets[codes.length - 1] = topTarget;
    for (let l = codes.length - 1; l > 0; l--) {
      targets[l - 1] = this.layers[l]!.propagateTarget([codes[l - 1]!], codes[l]!, targets[l]!, this.options.targetForm)[0]!;
    }
    return targets;
  }

  /** One step of target propagation on a batch. Returns losses only when `report` is set. */
  train(inputs: Float32Array, rows: number, side: SideBatch, report = false): TrainReport | null {
    const where = 'FeedForwardStack.train';
    this.checkInputs(inputs, rows, where);
    this.checkSide(side, rows, where);
    const losses = tidy((): Tensor2D[] => {
      const x = tensor2d(inputs, [rows, this.options.inputSize]);
      const s = sideTensors(this.modalities, side);
      const { means, codes } = this.forward(x, true);
      const top = codes[codes.length - 1]!;
      const targets = this.propagateTargets(x, codes, this.top.target(top, s, this.options.targetForm));
      const encoderLosses: Tensor2D[] = [];
      const reconstructionLosses: Tensor2D[] = [];
      this.layers.forEach((layer, l) => {
        const inputs = [l === 0 ? x : codes[l - 1]!];
        const enc = layer.encoderGradients(inputs, means[l]!, targets[l]!);
        const dec = layer.decoderGradients(inputs);
        this.encoderOptimizers[l]!.apply(mergePairs(enc.pairs, dec.encoderPairs));
        this.decoderOptimizers[l]!.apply(dec.pairs);
        encoderLosses.push(enc.loss);
        reconstructionLosses.push(dec.loss);
      });
      const topGrads = this.top.gradients(top, s);
      this.topOptimizer.apply(topGrads.autoencoder);
      if (topGrads.readout.length) this.readoutOptimizer.apply(topGrads.readout);
      if (!report) return [];
      return [...encoderLosses, ...reconstructionLosses, topGrads.loss, ...(topGrads.readoutLoss ? [topGrads.readoutLoss] : [])].map((t) => keep(t));
    });
    if (losses.length === 0) return null;
    const values = losses.map((t) => t.dataSync()[0]!);
    dispose(losses);
    const L = this.layers.length;
    return {
      encoderLoss: values.slice(0, L),
      reconstructionLoss: values.slice(L, 2 * L),
      topLoss: values[2 * L]!,
      readoutLoss: values.length > 2 * L + 1 ? values[2 * L + 1]! : null,
    };
  }

  /** Predictions of every side modality (probabilities or values), row-major per modality. */
  predict(inputs: Float32Array, rows: number): Float32Array[] {
    this.checkInputs(inputs, rows, 'FeedForwardStack.predict');
    const outs = tidy((): Tensor2D[] => {
      const { codes } = this.forward(tensor2d(inputs, [rows, this.options.inputSize]), false);
      return this.top.predict(codes[codes.length - 1]!);
    });
    const values = outs.map((t) => t.dataSync() as Float32Array);
    dispose(outs);
    return values;
  }

  /** Codes of every layer for a batch (inference mode), row-major per layer. */
  encode(inputs: Float32Array, rows: number): Float32Array[] {
    this.checkInputs(inputs, rows, 'FeedForwardStack.encode');
    const codes = tidy((): Tensor2D[] => this.forward(tensor2d(inputs, [rows, this.options.inputSize]), false).codes);
    const values = codes.map((t) => t.dataSync() as Float32Array);
    dispose(codes);
    return values;
  }

  /** Side information with every modality missing, for unlabelled batches. */
  emptySide(rows: number): SideBatch {
    return emptySide(this.modalities, rows);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.layers.forEach((l) => l.dispose());
    this.top.dispose();
    [...this.encoderOptimizers, ...this.decoderOptimizers, this.topOptimizer, this.readoutOptimizer].forEach((o) => o.dispose());
  }
}

/** Adds gradients that share a variable (target and reconstruction terms on one encoder). */
export function mergePairs(a: readonly GradientPair[], b: readonly GradientPair[]): GradientPair[] {
  if (b.length === 0) return [...a];
  const merged = new Map<Variable, GradientPair[1]>();
  for (const [v, g] of [...a, ...b]) merged.set(v, merged.has(v) ? add(merged.get(v)!, g) : g);
  return [...merged.entries()];
}

export { checkModality };
