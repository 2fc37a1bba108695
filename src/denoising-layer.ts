// One denoising auto-encoder layer of a stack, with its local learning rules beside its forward.
// The encoder reads one or more input parts (the layer below; in a recurrent stack also the
// layer's own previous code, its context) and the decoder reconstructs every part.
//
//   code:         h = act(Σ_k x_k·W_k + b)                       (plus noise while training)
//   decoder:      g_k(h) = act_k(h·V_k + c_k)                   one reconstruction per part
//   target down:  x̂_k = x_k + g_k(ĥ) − g_k(h)   (difference form, Lee et al. 2015)
//                 x̂_k = g_k(ĥ)                  (plain form, Bengio 2014)
//   encoder rule: δ = (mean − ĥ) ⊙ act'(mean);   ΔW_k ∝ −x_kᵀ·δ, Δb ∝ −Σδ   (inputs fixed)
//                 binary stochastic units: δ = p − ĥ (cross-entropy); sign units: δ = sign(a) − ĥ
//   decoder rule: x̃ = corrupt(x); r = g(f(x̃)); δ_k = (r_k − x̃_k) ⊙ act_k'(r_k)
//                 (sigmoid outputs use cross-entropy, so δ_k = r_k − x̃_k); ΔV_k ∝ −f(x̃)ᵀ·δ_k
// Gradients never leave the layer: nothing here reads another layer's weights.

import {
  type Corruption,
  type Tensor2D,
  type Units,
  type Variable,
  add,
  concat,
  corrupt,
  decoderUnits,
  dispose,
  div,
  glorotUniform,
  matMul,
  matMulAT,
  mul,
  orthogonal,
  sigmoid,
  square,
  sub,
  sum,
  sumRows,
  tanh,
  unitMean,
  unitMode,
  unitRange,
  unitSample,
  unitSlope,
  variable,
  zeros,
  assertEngine,
  scalar,
  transpose,
} from './math/index.js';
import type { GradientPair } from './optim/optimizer.js';
import type { Rng } from './random.js';

/** One part of a layer's input: its width and the units that produced it. */
export interface LayerInput {
  readonly size: number;
  readonly units: Units;
  /** 'orthogonal' suits a recurrent context; default 'glorot'. */
  readonly init?: 'glorot' | 'orthogonal';
}

export interface DenoisingLayerConfig {
  readonly inputs: readonly LayerInput[];
  readonly size: number;
  readonly units: Units;
  readonly corruption: Corruption;
  /** Std of the gaussian noise around each code in the up pass while training (0: none). */
  readonly noise: number;
  /** What the decoder regresses onto: the corrupted input (DTP's choice) or the clean one. */
  readonly decoderTarget: 'corrupted' | 'clean';
  /** Weight of the reconstruction loss's gradient on the encoder (0: decoders only). */
  readonly encoderReconstructionWeight: number;
}

export interface Encoded {
  /** Deterministic output of the encoder, which its local rule moves toward the target. */
  readonly mean: Tensor2D;
  /** The code passed upward: the mean with noise (training) or the mode (inference). */
  readonly code: Tensor2D;
}

export interface LocalGradients {
  readonly pairs: GradientPair[];
  /** Gradients on the encoder from the reconstruction loss (empty unless it is weighted in). */
  readonly encoderPairs: GradientPair[];
  /** Mean over the batch of the local loss, as a [1, 1] tensor. */
  readonly loss: Tensor2D;
}

export class DenoisingLayer {
  readonly weights: Variable[];
  readonly bias: Variable;
  readonly decoderWeights: Variable[];
  readonly decoderBiases: Variable[];
  private readonly decoderKinds: ('tanh' | 'sigmoid' | 'linear')[];

  constructor(
    readonly config: DenoisingLayerConfig,
    private readonly rng: Rng,
  ) {
    assertEngine('DenoisingLayer');
    const { inputs, size } = config;
    this.weights = inputs.map((part) =>
      variable(part.init === 'orthogonal' ? orthogonal(part.size, size, rng) : glorotUniform(part.size, size, rng)),
    );
    this.bias = variable(zeros([1, size]));
    this.decoderWeights = inputs.map((part) =>
      variable(part.init === 'orthogonal' ? orthogonal(size, part.size, rng) : glorotUniform(size, part.size, rng)),
    );
    this.decoderBiases = inputs.map((part) => variable(zeros([1, part.size])));
    this.decoderKinds = inputs.map((part) => decoderUnits(part.units));
  }

  get size(): number {
    return this.config.size;
  }

  /** Every variable the layer owns, in a fixed order (checkpoints rely on it). */
  get variables(): Variable[] {
    return [...this.weights, this.bias, ...this.decoderWeights, ...this.decoderBiases];
  }

  get encoderVariables(): Variable[] {
    return [...this.weights, this.bias];
  }

  get decoderVariables(): Variable[] {
    return [...this.decoderWeights, ...this.decoderBiases];
  }

  /** The pre-activation Σ x_k·W_k + b. */
  preActivation(parts: readonly Tensor2D[]): Tensor2D {
    let pre = matMul(parts[0]!, this.weights[0]!);
    for (let k = 1; k < parts.length; k++) pre = add(pre, matMul(parts[k]!, this.weights[k]!));
    return add(pre, this.bias);
  }

  /** Encodes; while training, codes are drawn around the mean (noise, or Bernoulli draws). */
  encode(parts: readonly Tensor2D[], training: boolean): Encoded {
    const mean = unitMean(this.preActivation(parts), this.config.units);
    const code = training ? unitSample(mean, this.config.units, this.config.noise, this.rng.seed()) : unitMode(mean, this.config.units);
    return { mean, code };
  }

  /** Reconstructions of every input part from a code. */
  decode(code: Tensor2D): Tensor2D[] {
    return this.decoderWeights.map((v, k): Tensor2D => {
      const pre: Tensor2D = add(matMul(code, v), this.decoderBiases[k]!);
      switch (this.decoderKinds[k]!) {
        case 'tanh':
          return tanh(pre);
        case 'sigmoid':
          return sigmoid(pre);
        case 'linear':
          return pre;
      }
    });
  }

  /**
   * Targets for the input parts given a target for this layer's code: the difference form
   * `x + g(ĥ) − g(h)` (when ĥ = h it returns x exactly), or the plain form `g(ĥ)`.
   */
  propagateTarget(parts: readonly Tensor2D[], code: Tensor2D, target: Tensor2D, form: 'difference' | 'plain'): Tensor2D[] {
    const fromTarget = this.decode(target);
    if (form === 'plain') return fromTarget;
    const fromCode = this.decode(code);
    return parts.map((x, k) => add(x, sub(fromTarget[k]!, fromCode[k]!)));
  }

  /** The displacement `g(ĥ) − g(h)` per part (what the difference form adds to the inputs). */
  targetDisplacement(code: Tensor2D, target: Tensor2D): Tensor2D[] {
    const fromTarget = this.decode(target);
    const fromCode = this.decode(code);
    return fromTarget.map((t, k) => sub(t, fromCode[k]!));
  }

  /**
   * Gradients of ½‖mean − ĥ‖² (cross-entropy for binary units, perceptron for sign units)
   * on the encoder, inputs held fixed. `rowWeights` ([batch, 1]) can zero rows without a target.
   */
  encoderGradients(parts: readonly Tensor2D[], mean: Tensor2D, target: Tensor2D, rowWeights?: Tensor2D): LocalGradients {
    const batch = mean.shape[0];
    const error = sub(mean, target);
    const slope = unitSlope(mean, this.config.units);
    let delta = slope ? mul(error, slope) : error;
    if (rowWeights) delta = mul(delta, rowWeights);
    const scaled = div(delta, batch) as Tensor2D;
    const pairs: GradientPair[] = parts.map((x, k) => [this.weights[k]!, matMulAT(x, scaled)] as const);
    pairs.push([this.bias, sumRows(scaled)]);
    const sq = rowWeights ? mul(square(error), rowWeights) : square(error);
    return { pairs, encoderPairs: [], loss: div(sum(sq), 2 * batch).reshape([1, 1]) as Tensor2D };
  }

  /**
   * Gradients of the denoising loss: corrupt the inputs, encode without noise, decode, and
   * regress onto the corrupted (or clean) inputs. Trains the decoder, and the encoder too when
   * `encoderReconstructionWeight` > 0.
   */
  decoderGradients(parts: readonly Tensor2D[]): LocalGradients {
    const { corruption, decoderTarget, encoderReconstructionWeight, units } = this.config;
    const batch = parts[0]!.shape[0];
    const corrupted = parts.map((x, k) => corrupt(x, corruption, this.rng.seed(), unitRange(this.config.inputs[k]!.units)));
    const hidden = unitMean(this.preActivation(corrupted), units);
    const recs = this.decode(hidden);
    const pairs: GradientPair[] = [];
    const encoderPairs: GradientPair[] = [];
    const deltas: Tensor2D[] = [];
    let loss: Tensor2D = scalar(0).reshape([1, 1]) as Tensor2D;
    recs.forEach((r, k) => {
      const goal = decoderTarget === 'corrupted' ? corrupted[k]! : parts[k]!;
      const error = sub(r, goal);
      const delta = div(this.decoderKinds[k] === 'tanh' ? mul(error, sub(1, square(r))) : error, batch) as Tensor2D;
      deltas.push(delta);
      pairs.push([this.decoderWeights[k]!, matMulAT(hidden, delta)]);
      pairs.push([this.decoderBiases[k]!, sumRows(delta)]);
      loss = add(loss, div(sum(square(error)), 2 * batch));
    });
    if (encoderReconstructionWeight > 0) {
      let back = matMul(deltas[0]!, transpose(this.decoderWeights[0]!));
      for (let k = 1; k < deltas.length; k++) back = add(back, matMul(deltas[k]!, transpose(this.decoderWeights[k]!)));
      const slope = unitSlope(hidden, units);
      const delta = mul(slope ? mul(back, slope) : back, encoderReconstructionWeight) as Tensor2D;
      corrupted.forEach((x, k) => encoderPairs.push([this.weights[k]!, matMulAT(x, delta)]));
      encoderPairs.push([this.bias, sumRows(delta)]);
    }
    return { pairs, encoderPairs, loss };
  }

  dispose(): void {
    dispose(this.variables);
  }
}
