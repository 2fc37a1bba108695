// The top-level denoising auto-encoder over [top code, side information] (Bengio 2014, fig. 4).
// Side information enters the stack only here. It learns to reconstruct the clean top code and
// every side modality from a noisy code and side inputs that are randomly masked out, so that
// it can both give targets (reconstruction of h given the side) and predict missing modalities.
//
//   e = tanh(h·A_h + Σ_m [y_m ⊙ p_m, p_m]·A_m + a)
//   rec_h = act(e·B_h + b_h);   rec_m = softmax(e·B_m + b_m) (categorical) or e·B_m + b_m
//   loss = ½‖rec_h − h‖² + w·Σ_m p_m·CE(rec_m, y_m)  (squared error for continuous modalities)
// Its gradients are local to this module (two layers, written in closed form).

import { type Engine, type Units, decoderSlope, decoderUnits, glorotUniform } from '../math/index.js';
import type { ModalitySpec } from './modality.js';
import { type GradientPair, mergePairs } from '../optim/local-optimizer.js';
import type { Rng } from '../random.js';
import type { SideMatrices } from './side-batch.js';

export interface TopAutoEncoderConfig {
  readonly codeSize: number;
  readonly codeUnits: Units;
  readonly modalities: readonly ModalitySpec[];
  /** Width of the top auto-encoder's hidden layer. */
  readonly size: number;
  /** Std of the gaussian corruption of the code while training. */
  readonly noise: number;
  /** Probability of masking out a present modality while training (teaches prediction); or one per modality. */
  readonly dropProbability: number | readonly number[];
  /** Weight of the side reconstruction loss against the code reconstruction loss. */
  readonly sideWeight: number;
  /** Probability of masking the whole code of a row while training (teaches rec_h(∅, y)); default 0. */
  readonly codeDropProbability?: number;
  /**
   * Walkback steps (Bengio et al. 2013, generalised denoising auto-encoders): after the usual
   * pass, the reconstruction is corrupted again and must reconstruct the clean code, this many
   * times, so that the chain's own spurious modes are trained away. Default 0.
   */
  readonly walkback?: number;
}

export class TopAutoEncoder<M> {
  readonly codeWeights: M;
  readonly sideWeights: M[];
  readonly bias: M;
  readonly codeDecoder: M;
  readonly codeDecoderBias: M;
  readonly sideDecoders: M[];
  readonly sideDecoderBiases: M[];
  private readonly codeKind: 'tanh' | 'sigmoid' | 'linear';

  constructor(
    private readonly e: Engine<M>,
    readonly config: TopAutoEncoderConfig,
    private readonly rng: Rng,
  ) {
    const { codeSize, size, modalities } = config;
    this.codeWeights = e.parameter(glorotUniform(codeSize, size, rng), codeSize, size);
    // Side inputs start with zero weight: the side then moves no reconstruction, and so gives no
    // target, until the auto-encoder has learned what it says about the code.
    this.sideWeights = modalities.map((m) => e.zerosParameter(m.size + 1, size));
    this.bias = e.zerosParameter(1, size);
    this.codeDecoder = e.parameter(glorotUniform(size, codeSize, rng), size, codeSize);
    this.codeDecoderBias = e.zerosParameter(1, codeSize);
    this.sideDecoders = modalities.map((m) => e.parameter(glorotUniform(size, m.size, rng), size, m.size));
    this.sideDecoderBiases = modalities.map((m) => e.zerosParameter(1, m.size));
    this.codeKind = decoderUnits(config.codeUnits);
  }

  get parameters(): M[] {
    return [
      this.codeWeights,
      ...this.sideWeights,
      this.bias,
      this.codeDecoder,
      this.codeDecoderBias,
      ...this.sideDecoders,
      ...this.sideDecoderBiases,
    ];
  }

  /** Hidden layer; `sideInputs` undefined means every modality is missing. */
  hidden(code: M, sideInputs?: readonly M[]): M {
    const e = this.e;
    let pre = e.add(e.matMul(code, this.codeWeights), this.bias);
    if (sideInputs) sideInputs.forEach((s, m) => (pre = e.add(pre, e.matMul(s, this.sideWeights[m]!))));
    return e.activate(pre, 'tanh');
  }

  /** The code's reconstruction from a hidden layer. */
  decodeCode(hidden: M): M {
    return this.e.dense(hidden, this.codeDecoder, this.codeDecoderBias, this.codeKind);
  }

  /** Every side modality's reconstruction from a hidden layer: probabilities or values. */
  decodeSide(hidden: M): M[] {
    const e = this.e;
    return this.config.modalities.map((m, k) =>
      e.dense(
        hidden,
        this.sideDecoders[k]!,
        this.sideDecoderBiases[k]!,
        m.kind === 'categorical' ? 'softmax' : 'linear',
      ),
    );
  }

  /** Reconstruction of the code given the side inputs present. */
  reconstructCode(code: M, sideInputs?: readonly M[]): M {
    return this.decodeCode(this.hidden(code, sideInputs));
  }

  /** Predictions of every modality from the code alone (all side inputs missing). */
  predict(code: M): M[] {
    return this.decodeSide(this.hidden(code));
  }

  /**
   * Denoising gradients for one batch: corrupt the code, mask side inputs, reconstruct; with
   * `walkback` k, k more passes from the corrupted reconstruction of the pass before, toward the
   * clean code and side, their gradients summed.
   */
  gradients(code: M, side: SideMatrices<M>): { pairs: GradientPair<M>[]; loss: M } {
    const e = this.e;
    let { pairs, loss, rec } = this.pass(code, code, side);
    for (let k = 0; k < (this.config.walkback ?? 0); k++) {
      const next = this.pass(rec, code, side);
      pairs = mergePairs(e, pairs, next.pairs);
      loss = e.add(loss, next.loss);
      rec = next.rec;
    }
    return { pairs, loss };
  }

  /** One denoising pass: corrupt `from`, reconstruct, compare with the clean `code` and side. */
  private pass(from: M, code: M, side: SideMatrices<M>): { pairs: GradientPair<M>[]; loss: M; rec: M } {
    const e = this.e;
    const { noise, dropProbability, sideWeight, modalities } = this.config;
    const rows = e.rows(code);
    const corrupted = noise > 0 ? e.add(from, e.gaussian(rows, e.cols(from), noise, this.rng)) : from;
    const codeDrop = this.config.codeDropProbability ?? 0;
    const noisy = codeDrop > 0 ? e.mul(corrupted, e.above(e.uniform(rows, 1, this.rng), codeDrop)) : corrupted;
    const masked = side.inputs.map((input, m) => {
      // A modality the options did not know (the stack's own 'next') takes the default 0.5.
      const p = typeof dropProbability === 'number' ? dropProbability : (dropProbability[m] ?? 0.5);
      return p === 0 ? input : e.mul(input, e.above(e.uniform(rows, 1, this.rng), p));
    });
    const hidden = this.hidden(noisy, masked);
    const rec = this.decodeCode(hidden);
    const error = e.sub(rec, code);
    const slope = decoderSlope(e, rec, this.codeKind);
    const deltaCode = e.mul(slope ? e.mul(error, slope) : error, 1 / rows);
    let loss = e.mul(e.sumAll(e.square(error)), 1 / (2 * rows));
    let back = e.matMulBT(deltaCode, this.codeDecoder);
    const pairs: GradientPair<M>[] = [
      [this.codeDecoder, e.matMulAT(hidden, deltaCode)],
      [this.codeDecoderBias, e.sumRows(deltaCode)],
    ];
    this.decodeSide(hidden).forEach((out, k) => {
      const y = side.values[k]!;
      const err = e.mul(e.sub(out, y), side.present[k]!);
      const delta = e.mul(err, sideWeight / rows);
      const term =
        modalities[k]!.kind === 'categorical'
          ? e.crossEntropy(out, e.mul(y, side.present[k]!))
          : e.mul(e.sumAll(e.square(err)), 0.5);
      loss = e.add(loss, e.mul(term, sideWeight / rows));
      pairs.push([this.sideDecoders[k]!, e.matMulAT(hidden, delta)], [this.sideDecoderBiases[k]!, e.sumRows(delta)]);
      back = e.add(back, e.matMulBT(delta, this.sideDecoders[k]!));
    });
    const deltaHidden = e.mul(back, e.sub(1, e.square(hidden)));
    pairs.push([this.codeWeights, e.matMulAT(noisy, deltaHidden)], [this.bias, e.sumRows(deltaHidden)]);
    masked.forEach((input, m) => pairs.push([this.sideWeights[m]!, e.matMulAT(input, deltaHidden)]));
    return { pairs, loss, rec };
  }

  dispose(): void {
    this.e.free(this.parameters);
  }
}
