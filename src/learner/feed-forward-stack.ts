// A feed-forward stack of denoising auto-encoders trained by target propagation, with the
// top-level auto-encoder over [top code, side information] (Bengio 2014; Lee et al. 2015).
// One training step, all in one engine scope:
//   1. up pass with noise: h_l = f_l(h_{l−1}) + ε          (h_0 = the input)
//   2. top target ĥ_L from the side information (top.ts)
//   3. down the layers: ĥ_{l−1} = h_{l−1} + g_l(ĥ_l) − g_l(h_l)   (or g_l(ĥ_l), the plain form);
//      layers whose codes are drawn (binary units, noise) from their mean p: g_l(p_l + ĥ_l − h_l) − g_l(p_l)
//   4. every encoder moves its output toward its target, its input held fixed (drawn codes: toward the
//      mean p + ĥ − h, DenoisingLayer.encoderTarget)
//   5. every decoder learns to denoise its input (with jacobianWeight, the decoders of layers 2 to L
//      also learn L-DRL, DenoisingLayer.jacobianGradients); the top AE and readout learn their own losses
// Inputs and outputs are plain Float32Arrays; matrices never leave this module.

import { DenoisingLayer } from './denoising-layer.js';
import { InvalidOptionError, NonFiniteError, ShapeMismatchError, StateError, describeValue } from '../errors.js';
import { type Engine, UNITS, type Units, engineFor } from '../math/index.js';
import type { ModalitySpec } from './modality.js';
import { type LocalOptimizer, createOptimizer, mergePairs } from '../optim/local-optimizer.js';
import { Rng } from '../random.js';
import { type SideBatch, emptySide, sideMatrices } from './side-batch.js';
import { type ResolvedStackOptions, type StackOptions, layerConfig, resolveStackOptions } from './stack-options.js';
import { numberOption } from '../options.js';
import { Top } from './top.js';
import { type InferOptions, type InferQuery, type Inference, inferFeedForward } from './feed-forward-inference.js';

export interface TrainReport {
  /** Per layer: ½‖f(h) − ĥ‖², mean over the batch. */
  readonly encoderLoss: number[];
  /** Per layer: the denoising reconstruction loss. */
  readonly reconstructionLoss: number[];
  /** The top auto-encoder's loss (null when it does not learn). */
  readonly topLoss: number | null;
  readonly readoutLoss: number | null;
}

export interface FeedForwardStackOptions extends StackOptions {
  /** Width of the input vector. */
  readonly inputSize: number;
  /** Units whose range the input lives in: 'sigmoid' for [0, 1] data (default), 'linear', 'tanh'. */
  readonly inputUnits?: Units;
  /**
   * Weight of the layer-local difference reconstruction loss (L-DRL, Ernoult et al. 2022) beside the
   * reconstruction loss of the decoders that carry targets down (layers 2 to L): from small
   * perturbations of a layer's input and code, its decoder's Jacobian is pulled toward the
   * transpose of its encoder's. 0 turns it off (the default); on MNIST it helped sign layers
   * (docs/experiments.md, row D12).
   */
  readonly jacobianWeight?: number;
  /** σ of the perturbations of `jacobianWeight`; default 0.1. */
  readonly jacobianNoise?: number;
}

type M = unknown;

export class FeedForwardStack {
  readonly options: ResolvedStackOptions & {
    inputSize: number;
    inputUnits: Units;
    jacobianWeight: number;
    jacobianNoise: number;
  };
  readonly engine: Engine<M>;
  readonly layers: DenoisingLayer<M>[];
  readonly top: Top<M>;
  private readonly encoderOptimizers: LocalOptimizer<M>[];
  private readonly decoderOptimizers: LocalOptimizer<M>[];
  private readonly topOptimizer: LocalOptimizer<M>;
  private readonly readoutOptimizer: LocalOptimizer<M>;
  private readonly rng: Rng;
  private disposed = false;

  constructor(options: FeedForwardStackOptions) {
    const where = 'FeedForwardStack';
    const { inputSize, inputUnits, jacobianWeight, jacobianNoise, ...rest } =
      options ?? ({} as FeedForwardStackOptions);
    if (!Number.isInteger(inputSize) || inputSize < 1)
      throw new InvalidOptionError(
        `${where}: expected option "inputSize" to be an integer >= 1, but got ${describeValue(inputSize)}`,
      );
    const units = inputUnits ?? 'sigmoid';
    if (!UNITS.includes(units))
      throw new InvalidOptionError(
        `${where}: expected option "inputUnits" to be one of ${UNITS.join(', ')}, but got ${describeValue(inputUnits)}`,
      );
    const resolved = resolveStackOptions(rest, where, ['inputSize', 'inputUnits', 'jacobianWeight', 'jacobianNoise']);
    const gated = resolved.layers.findIndex((l) => l.cell === 'gated');
    if (gated >= 0)
      throw new InvalidOptionError(
        `${where}: expected layers[${gated}].cell "simple" (a gated cell reads the layer's previous code, its ` +
          `context, which a feed-forward stack does not have), but got "gated"`,
      );
    this.options = {
      ...resolved,
      inputSize,
      inputUnits: units,
      jacobianWeight: numberOption(where, 'jacobianWeight', jacobianWeight, 0, { min: 0 }),
      jacobianNoise: numberOption(where, 'jacobianNoise', jacobianNoise, 0.1, { min: 1e-4 }),
    };
    // Batches are the feed-forward stack's normal diet.
    this.engine = engineFor(resolved.engine, 2, where);
    const e = this.engine;
    this.rng = new Rng(resolved.seed);
    let below: { size: number; units: Units } = { size: inputSize, units };
    this.layers = resolved.layers.map((spec) => {
      const layer = new DenoisingLayer(e, layerConfig(resolved, spec, [below]), this.rng);
      below = { size: spec.size, units: spec.units };
      return layer;
    });
    this.top = new Top(
      e,
      {
        ...resolved.top,
        codeSize: below.size,
        codeUnits: below.units,
        modalities: resolved.modalities,
        target: resolved.topTarget,
      },
      this.rng,
    );
    this.encoderOptimizers = this.layers.map(() => createOptimizer(e, resolved.optimizer));
    this.decoderOptimizers = this.layers.map(() => createOptimizer(e, resolved.decoderOptimizer));
    this.topOptimizer = createOptimizer(e, resolved.decoderOptimizer);
    this.readoutOptimizer = createOptimizer(e, resolved.readoutOptimizer);
  }

  get modalities(): readonly ModalitySpec[] {
    return this.options.modalities;
  }

  /** Every parameter, in a fixed order. */
  get parameters(): M[] {
    return [...this.layers.flatMap((l) => l.parameters), ...this.top.parameters];
  }

  /** Checks a batch of inputs before anything is computed, so bad input leaves the weights alone. */
  private checkInputs(inputs: Float32Array, rows: number, where: string): void {
    if (this.disposed)
      throw new StateError('ERR_DISPOSED', `${where}: expected a live stack, but it has been disposed`);
    if (!(inputs instanceof Float32Array))
      throw new ShapeMismatchError(`${where}: expected inputs as a Float32Array, but got ${describeValue(inputs)}`);
    const width = this.options.inputSize;
    if (!Number.isInteger(rows) || rows < 1 || inputs.length !== rows * width) {
      throw new ShapeMismatchError(
        `${where}: expected ${rows} rows of ${width} inputs (${rows * width} values), but got ${inputs.length} values`,
      );
    }
    for (let i = 0; i < inputs.length; i++) {
      if (!Number.isFinite(inputs[i]!))
        throw new NonFiniteError(
          `${where}: expected finite inputs, but got ${inputs[i]} at row ${Math.floor(i / width)}, column ${i % width}`,
        );
    }
  }

  private checkSide(side: SideBatch, rows: number, where: string): void {
    if (side.rows !== rows || side.values.length !== this.modalities.length) {
      throw new ShapeMismatchError(
        `${where}: expected side information for ${rows} rows and ${this.modalities.length} modalities, but got ` +
          `${side.rows} rows and ${side.values.length} modalities`,
      );
    }
  }

  /** Up pass: per layer the encoder's mean and the code passed upward. */
  forward(input: M, training: boolean): { means: M[]; codes: M[] } {
    const means: M[] = [];
    const codes: M[] = [];
    let below = input;
    for (const layer of this.layers) {
      const { mean, code } = layer.encode([below], training);
      means.push(mean);
      codes.push(code);
      below = code;
    }
    return { means, codes };
  }

  /**
   * Targets for every layer given the codes and a target for the top code. With `means`, the target of a layer whose
   * codes are drawn (binary units, up-pass noise) goes down through its decoder from its mean, `g(p + ĥ − h) − g(p)`,
   * rather than from its draw: the decoder learnt on means (decoderGradients), and the draw's noise stays out of the
   * targets below.
   */
  propagateTargets(codes: readonly M[], topTarget: M, means?: readonly M[]): M[] {
    const targets: M[] = new Array(codes.length);
    targets[codes.length - 1] = topTarget;
    for (let l = codes.length - 1; l > 0; l--) {
      const layer = this.layers[l]!;
      const fromMean = means !== undefined && layer.stochastic;
      targets[l - 1] = layer.propagateTarget(
        [codes[l - 1]!],
        fromMean ? means[l]! : codes[l]!,
        fromMean ? layer.encoderTarget(means[l]!, codes[l]!, targets[l]!) : targets[l]!,
        this.options.targetForm,
      )[0]!;
    }
    return targets;
  }

  /** One step of target propagation on a batch. Returns losses only when `report` is set. */
  train(inputs: Float32Array, rows: number, side: SideBatch, report = false): TrainReport | null {
    const where = 'FeedForwardStack.train';
    this.checkInputs(inputs, rows, where);
    this.checkSide(side, rows, where);
    const e = this.engine;
    const losses = e.scope((): M[] => {
      const x = e.matrix(inputs, rows, this.options.inputSize);
      const s = sideMatrices(e, this.modalities, side);
      const { means, codes } = this.forward(x, true);
      const top = codes[codes.length - 1]!;
      const targets = this.propagateTargets(codes, this.top.target(top, s, this.options.targetForm), means);
      const encoderLosses: M[] = [];
      const reconstructionLosses: M[] = [];
      const { jacobianWeight: weight, jacobianNoise: noise } = this.options;
      this.layers.forEach((layer, l) => {
        const parts = [l === 0 ? x : codes[l - 1]!];
        const enc = layer.encoderGradients(parts, means[l]!, layer.encoderTarget(means[l]!, codes[l]!, targets[l]!));
        const dec = layer.decoderGradients(
          parts,
          undefined,
          weight > 0 && l > 0 ? { part: 0, weight, noise } : undefined,
        );
        this.encoderOptimizers[l]!.apply(mergePairs(e, enc.pairs, dec.encoderPairs));
        this.decoderOptimizers[l]!.apply(dec.pairs);
        encoderLosses.push(enc.loss);
        reconstructionLosses.push(dec.loss);
      });
      const topGrads = this.top.gradients(top, s);
      if (topGrads.autoencoder.length) this.topOptimizer.apply(topGrads.autoencoder);
      if (topGrads.readout.length) this.readoutOptimizer.apply(topGrads.readout);
      return report
        ? [
            ...encoderLosses,
            ...reconstructionLosses,
            topGrads.loss ?? e.zeros(1, 1),
            topGrads.readoutLoss ?? e.zeros(1, 1),
          ]
        : [];
    });
    if (losses.length === 0) return null;
    const values = losses.map((t) => e.read(t)[0]!);
    e.free(losses);
    const L = this.layers.length;
    return {
      encoderLoss: values.slice(0, L),
      reconstructionLoss: values.slice(L, 2 * L),
      topLoss: this.top.usesAutoEncoder ? values[2 * L]! : null,
      readoutLoss: this.top.readout ? values[2 * L + 1]! : null,
    };
  }

  private readAll(where: string, inputs: Float32Array, rows: number, pick: (codes: M[]) => M[]): Float32Array[] {
    this.checkInputs(inputs, rows, where);
    const e = this.engine;
    const outs = e.scope(() => pick(this.forward(e.matrix(inputs, rows, this.options.inputSize), false).codes));
    const values = outs.map((m) => e.read(m));
    e.free(outs);
    return values;
  }

  /** Predictions of every side modality (probabilities or values), row-major per modality. */
  predict(inputs: Float32Array, rows: number): Float32Array[] {
    return this.readAll('FeedForwardStack.predict', inputs, rows, (codes) =>
      this.top.predict(codes[codes.length - 1]!),
    );
  }

  /** Codes of every layer for a batch (inference mode), row-major per layer. */
  encode(inputs: Float32Array, rows: number): Float32Array[] {
    return this.readAll('FeedForwardStack.encode', inputs, rows, (codes) => codes);
  }

  /**
   * Top codes (rows × the top layer's width, e.g. drawn from a prior) decoded down the layers to
   * inputs: x = g_1(g_2(… g_L(h))), ancestral sampling's last stage.
   */
  decode(codes: Float32Array, rows: number): Float32Array {
    const where = 'FeedForwardStack.decode';
    if (this.disposed)
      throw new StateError('ERR_DISPOSED', `${where}: expected a live stack, but it has been disposed`);
    const size = this.layers[this.layers.length - 1]!.size;
    if (!(codes instanceof Float32Array) || !Number.isInteger(rows) || rows < 1 || codes.length !== rows * size)
      throw new ShapeMismatchError(`${where}: expected ${rows} rows of ${size} codes, but got ${describeValue(codes)}`);
    for (let i = 0; i < codes.length; i++)
      if (!Number.isFinite(codes[i]!)) throw new NonFiniteError(`${where}: expected finite codes, but got ${codes[i]}`);
    const e = this.engine;
    return e.scope(() => {
      let x = e.matrix(codes, rows, size);
      for (let l = this.layers.length - 1; l >= 0; l--) x = this.layers[l]!.decodePart(x, 0);
      return e.read(x);
    });
  }

  /**
   * Infers what `query` leaves out, the input or side modalities, from what it gives, through the
   * top auto-encoder (feed-forward-inference.ts): MAP gives one answer per row, MCMC `samples`.
   * Learns nothing and draws nothing from the stack's generator.
   */
  infer(query: InferQuery, options?: InferOptions): Inference[] {
    if (this.disposed)
      throw new StateError('ERR_DISPOSED', 'FeedForwardStack.infer: expected a live stack, but it has been disposed');
    return inferFeedForward(this, query, options);
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
    [...this.encoderOptimizers, ...this.decoderOptimizers, this.topOptimizer, this.readoutOptimizer].forEach((o) =>
      o.dispose(),
    );
  }
}
