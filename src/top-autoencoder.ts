// The top-level denoising auto-encoder over [top code, side information] (Bengio 2014, fig. 4).
// Side information enters the stack only here. It learns to reconstruct the clean top code and
// every side modality from a noisy code and side inputs that are randomly masked out, so that
// it can both give targets (reconstruction of h given the side) and predict missing modalities.
//
//   e = tanh(h·A_h + Σ_m [y_m ⊙ p_m, p_m]·A_m + a)
//   rec_h = act(e·B_h + b_h);   rec_m = softmax(e·B_m + b_m) (categorical) or e·B_m + b_m
//   loss = ½‖rec_h − h‖² + w·Σ_m p_m·CE(rec_m, y_m)  (squared error for continuous modalities)
// Its gradients are local to this module (two layers, written in closed form).

import {
  type Tensor2D,
  type Units,
  type Variable,
  add,
  decoderUnits,
  dispose,
  div,
  glorotUniform,
  log,
  matMul,
  matMulAT,
  mul,
  randomNormal,
  randomUniform,
  sigmoid,
  softmax,
  square,
  step,
  sub,
  sum,
  sumRows,
  tanh,
  transpose,
  variable,
  zeros,
  clipByValue,
  assertEngine,
} from './math/index.js';
import type { ModalitySpec } from './modality.js';
import type { GradientPair } from './optim/optimizer.js';
import type { Rng } from './random.js';
import type { SideTensors } from './side-batch.js';

export interface TopAutoEncoderConfig {
  readonly codeSize: number;
  readonly codeUnits: Units;
  readonly modalities: readonly ModalitySpec[];
  /** Width of the top auto-encoder's hidden layer. */
  readonly size: number;
  /** Std of the gaussian corruption of the code while training. */
  readonly noise: number;
  /** Probability of masking out a present modality while training (teaches prediction). */
  readonly dropProbability: number;
  /** Weight of the side reconstruction loss against the code reconstruction loss. */
  readonly sideWeight: number;
}

export interface TopReconstruction {
  readonly code: Tensor2D;
  /** Per modality: class probabilities or predicted values. */
  readonly side: Tensor2D[];
}

export class TopAutoEncoder {
  readonly codeWeights: Variable;
  readonly sideWeights: Variable[];
  readonly bias: Variable;
  readonly codeDecoder: Variable;
  readonly codeDecoderBias: Variable;
  readonly sideDecoders: Variable[];
  readonly sideDecoderBiases: Variable[];
  private readonly codeKind: 'tanh' | 'sigmoid' | 'linear';

  constructor(
    readonly config: TopAutoEncoderConfig,
    private readonly rng: Rng,
  ) {
    assertEngine('TopAutoEncoder');
    const { codeSize, size, modalities } = config;
    this.codeWeights = variable(glorotUniform(codeSize, size, rng));
    // Side inputs start with zero weight: the side then moves no reconstruction, and so gives no
    // target, until the auto-encoder has learned what it says about the code.
    this.sideWeights = modalities.map((m) => variable(zeros([m.size + 1, size])));
    this.bias = variable(zeros([1, size]));
    this.codeDecoder = variable(glorotUniform(size, codeSize, rng));
    this.codeDecoderBias = variable(zeros([1, codeSize]));
    this.sideDecoders = modalities.map((m) => variable(glorotUniform(size, m.size, rng)));
    this.sideDecoderBiases = modalities.map((m) => variable(zeros([1, m.size])));
    this.codeKind = decoderUnits(config.codeUnits);
  }

  get variables(): Variable[] {
    return [this.codeWeights, ...this.sideWeights, this.bias, this.codeDecoder, this.codeDecoderBias, ...this.sideDecoders, ...this.sideDecoderBiases];
  }

  /** Hidden layer; `sideInputs` undefined means every modality is missing. */
  hidden(code: Tensor2D, sideInputs?: readonly Tensor2D[]): Tensor2D {
    let pre: Tensor2D = add(matMul(code, this.codeWeights), this.bias);
    if (sideInputs) sideInputs.forEach((s, m) => (pre = add(pre, matMul(s, this.sideWeights[m]!))));
    return tanh(pre);
  }

  private decodeCode(e: Tensor2D): Tensor2D {
    const pre: Tensor2D = add(matMul(e, this.codeDecoder), this.codeDecoderBias);
    return this.codeKind === 'tanh' ? tanh(pre) : this.codeKind === 'sigmoid' ? sigmoid(pre) : pre;
  }

  private decodeSide(e: Tensor2D): Tensor2D[] {
    return this.config.modalities.map((m, k): Tensor2D => {
      const pre: Tensor2D = add(matMul(e, this.sideDecoders[k]!), this.sideDecoderBiases[k]!);
      return m.kind === 'categorical' ? softmax(pre) : pre;
    });
  }

  /** Reconstruction of the code and of every modality given the side inputs present. */
  reconstruct(code: Tensor2D, sideInputs?: readonly Tensor2D[]): TopReconstruction {
    const e = this.hidden(code, sideInputs);
    return { code: this.decodeCode(e), side: this.decodeSide(e) };
  }

  /** Reconstruction of the code alone (a target needs no side prediction). */
  reconstructCode(code: Tensor2D, sideInputs?: readonly Tensor2D[]): Tensor2D {
    return this.decodeCode(this.hidden(code, sideInputs));
  }

  /** Predictions of every modality from the code alone (all side inputs missing). */
  predict(code: Tensor2D): Tensor2D[] {
    return this.decodeSide(this.hidden(code));
  }

  /** Denoising gradients for one batch: corrupt the code, mask side inputs, reconstruct. */
  gradients(code: Tensor2D, side: SideTensors): { pairs: GradientPair[]; loss: Tensor2D } {
    const { noise, dropProbability, sideWeight, modalities } = this.config;
    const rows = code.shape[0];
    const noisy: Tensor2D = noise > 0 ? add(code, randomNormal(code.shape, 0, noise, 'float32', this.rng.seed())) : code;
    const masked = side.inputs.map((input): Tensor2D => {
      if (dropProbability === 0) return input;
      const keep = step(sub(randomUniform([rows, 1], 0, 1, 'float32', this.rng.seed()), dropProbability));
      return mul(input, keep);
    });
    const e = this.hidden(noisy, masked);
    const rec = this.decodeCode(e);
    const error = sub(rec, code);
    const deltaCode = div(this.codeKind === 'tanh' ? mul(error, sub(1, square(rec))) : error, rows) as Tensor2D;
    let loss: Tensor2D = div(sum(square(error)), 2 * rows);
    let back: Tensor2D = matMul(deltaCode, transpose(this.codeDecoder));
    const pairs: GradientPair[] = [
      [this.codeDecoder, matMulAT(e, deltaCode)],
      [this.codeDecoderBias, sumRows(deltaCode)],
    ];
    this.decodeSide(e).forEach((out, k) => {
      const m = modalities[k]!;
      const present = side.present[k]!;
      const err: Tensor2D = mul(sub(out, side.values[k]!), present);
      const delta = div(mul(err, sideWeight), rows) as Tensor2D;
      loss =
        m.kind === 'categorical'
          ? add(loss, div(mul(-sideWeight, sum(mul(side.values[k]!, log(clipByValue(out, 1e-7, 1))))), rows))
          : add(loss, div(mul(sideWeight / 2, sum(square(err))), rows));
      pairs.push([this.sideDecoders[k]!, matMulAT(e, delta)], [this.sideDecoderBiases[k]!, sumRows(delta)]);
      back = add(back, matMul(delta, transpose(this.sideDecoders[k]!)));
    });
    const deltaHidden: Tensor2D = mul(back, sub(1, square(e)));
    pairs.push([this.codeWeights, matMulAT(noisy, deltaHidden)], [this.bias, sumRows(deltaHidden)]);
    masked.forEach((input, m) => pairs.push([this.sideWeights[m]!, matMulAT(input, deltaHidden)]));
    return { pairs, loss: loss.reshape([1, 1]) as Tensor2D };
  }

  dispose(): void {
    dispose(this.variables);
  }
}
