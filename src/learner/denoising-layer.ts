// One denoising auto-encoder layer of a stack, with its local learning rules beside its forward.
// The encoder reads one or more input parts (the layer below; in a recurrent stack also the
// layer's own previous code, its context) and the decoder reconstructs every part.
//
//   code:         h = act(Σ_k x_k·W_k + b)                       (plus noise while training)
//   decoder:      g_k(h) = act_k(h·V_k + c_k)                   one reconstruction per part
//   target down:  x̂_k = x_k + g_k(ĥ) − g_k(h)   (difference form, Lee et al. 2015)
//                 x̂_k = g_k(ĥ)                  (plain form, Bengio 2014)
//   encoder rule: δ = (mean − ĥ) ⊙ act'(mean);   ΔW_k ∝ −x_kᵀ·δ, Δb ∝ −Σδ   (inputs fixed)
//                 drawn codes (binary units, up-pass noise): the mean moves toward mean + ĥ − h, the change
//                 the target asks of the code (encoderTarget); binary units: δ = (h − ĥ) ⊙ p(1 − p) (squared
//                 error, where SPEC §2.5 names the cross-entropy: it measured better, see unitSlope);
//                 sign units: δ = (sign(a) − ĥ) ⊙ 1{|a| ≤ 1}; with noise, codes sign(a + ε)
//   decoder rule: x̃ = corrupt(x); r = g(f(x̃)); δ_k = (r_k − x̃_k) ⊙ act_k'(r_k)
//                 (sigmoid outputs use cross-entropy, so δ_k = r_k − x̃_k); ΔV_k ∝ −f(x̃)ᵀ·δ_k
// Gradients never leave the layer: nothing here reads another layer's weights. Other layer kinds
// (gated-layer.ts) extend this one and override the encoder (encodeMean, encoderGradients,
// reconstructionEncoderPairs); decoders and targets stay as here.

import {
  type DecoderGradientKernel,
  decoderGradientKernel,
  type Corruption,
  type Engine,
  type InitKind,
  type Units,
  corrupt,
  decoderSlope,
  decoderUnits,
  initialValues,
  unitMean,
  unitMode,
  unitRange,
  unitSample,
  unitSlope,
  unitStochastic,
} from '../math/index.js';
import type { GradientPair } from '../optim/local-optimizer.js';
import type { Rng } from '../random.js';

/** One part of a layer's input: its width and the units that produced it. */
export interface LayerInput {
  readonly size: number;
  readonly units: Units;
  /** 'orthogonal' suits a recurrent context; default 'glorot'. */
  readonly init?: InitKind;
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

export interface Encoded<M> {
  /** Deterministic output of the encoder, which its local rule moves toward the target. */
  readonly mean: M;
  /** The code passed upward: the mean with noise (training) or the mode (inference). */
  readonly code: M;
}

export interface LocalGradients<M> {
  readonly pairs: GradientPair<M>[];
  /** Gradients on the encoder from the reconstruction loss (empty unless it is weighted in). */
  readonly encoderPairs: GradientPair<M>[];
  /** Mean over the batch of the local loss, [1, 1]. */
  readonly loss: M;
  /** encoderGradients with `more` rows: the codes of those rows at these weights (encodeMean). */
  readonly codes?: M;
}

/** The decoder's corrupted inputs and their code, made beforehand (decoderGradients' `prepared`). */
export interface CorruptedCode<M> {
  readonly corrupted: readonly M[];
  readonly hidden: M;
}

/**
 * The layer-local difference reconstruction loss (L-DRL, Ernoult et al. 2022) on one decoder, added
 * to its reconstruction loss: see DenoisingLayer.jacobianGradients.
 */
export interface JacobianMatching {
  /** The input part whose decoder it trains (1: the context, which carries targets back in time). */
  readonly part: number;
  /** Its weight against the reconstruction loss. */
  readonly weight: number;
  /** σ, the std of the perturbations. */
  readonly noise: number;
}

export class DenoisingLayer<M> {
  readonly weights: M[];
  readonly bias: M;
  readonly decoderWeights: M[];
  readonly decoderBiases: M[];
  private readonly decoderKinds: ('tanh' | 'sigmoid' | 'linear')[];
  /** The fused engine's one-call decoder gradients (null: engine ops). */
  private readonly decoderKernel: DecoderGradientKernel<M> | null;
  /** The decoders' weight gradients' own matrices (decoderGradientBuffers), made on first use. */
  private decoderGradientsInto: M[] | null = null;

  constructor(
    protected readonly e: Engine<M>,
    readonly config: DenoisingLayerConfig,
    protected readonly rng: Rng,
  ) {
    const { inputs, size } = config;
    this.weights = inputs.map((part) =>
      e.parameter(initialValues(part.init ?? 'glorot', part.size, size, rng), part.size, size),
    );
    this.bias = e.parameter(new Float32Array(size), 1, size);
    this.decoderWeights = inputs.map((part) =>
      e.parameter(initialValues(part.init ?? 'glorot', size, part.size, rng), size, part.size),
    );
    this.decoderBiases = inputs.map((part) => e.parameter(new Float32Array(part.size), 1, part.size));
    this.decoderKinds = inputs.map((part) => decoderUnits(part.units));
    this.decoderKernel = decoderGradientKernel(e);
  }

  get size(): number {
    return this.config.size;
  }

  /** Every parameter the layer owns, in a fixed order (checkpoints rely on it). */
  get parameters(): M[] {
    return [...this.weights, this.bias, ...this.decoderWeights, ...this.decoderBiases];
  }

  /** The encoder's parameters (what its local rule trains), in a fixed order. */
  get encoderParameters(): M[] {
    return [...this.weights, this.bias];
  }

  /** The decoders' parameters, in a fixed order. */
  get decoderParameters(): M[] {
    return [...this.decoderWeights, ...this.decoderBiases];
  }

  /** The pre-activation Σ x_k·W_k + b. */
  preActivation(parts: readonly M[]): M {
    const e = this.e;
    let pre = e.matMul(parts[0]!, this.weights[0]!);
    for (let k = 1; k < parts.length; k++) pre = e.add(pre, e.matMul(parts[k]!, this.weights[k]!));
    return e.add(pre, this.bias);
  }

  /** The encoder's deterministic output for these inputs. */
  encodeMean(parts: readonly M[]): M {
    return unitMean(this.e, this.preActivation(parts), this.config.units);
  }

  /**
   * Encodes; while training, codes are drawn around the mean (gaussian noise, Bernoulli draws, or
   * for sign units sign(a + ε)).
   */
  encode(parts: readonly M[], training: boolean): Encoded<M> {
    const { units, noise } = this.config;
    if (training && units === 'sign' && noise > 0) {
      const pre = this.preActivation(parts);
      const mean = unitMean(this.e, pre, units);
      return { mean, code: unitSample(this.e, mean, units, noise, this.rng, pre) };
    }
    const mean = this.encodeMean(parts);
    const code = training ? unitSample(this.e, mean, units, noise, this.rng) : unitMode(this.e, mean, units);
    return { mean, code };
  }

  /** Whether codes are drawn around the mean while training (binary units, or up-pass noise). */
  get stochastic(): boolean {
    return unitStochastic(this.config.units, this.config.noise);
  }

  /** Reconstruction of input part `k` from a code. */
  decodePart(code: M, k: number): M {
    const e = this.e;
    return e.dense(code, this.decoderWeights[k]!, this.decoderBiases[k]!, this.decoderKinds[k]!);
  }

  /** Input part `k`'s decoder: its weights, bias and output function (decodePart's dense). */
  decoderOf(k: number): { readonly weights: M; readonly bias: M; readonly activation: 'tanh' | 'sigmoid' | 'linear' } {
    return { weights: this.decoderWeights[k]!, bias: this.decoderBiases[k]!, activation: this.decoderKinds[k]! };
  }

  /** Reconstructions of every input part from a code. */
  decode(code: M): M[] {
    return this.decoderWeights.map((_, k) => this.decodePart(code, k));
  }

  /**
   * What a target ĥ for this layer's code asks of each input part, as a displacement to add to
   * it: `g_k(ĥ) − g_k(h)` (difference form; zero when ĥ = h) or `g_k(ĥ) − x_k` (plain form, so
   * that x_k plus it is g_k(ĥ)). `decodedCode`, g(h), may be passed when already computed (a
   * part not wanted may be missing from it). Only the parts `wanted` are computed; the others
   * are null.
   */
  displacements(
    parts: readonly M[],
    code: M,
    target: M,
    form: 'difference' | 'plain',
    decodedCode?: readonly (M | null)[],
    wanted: readonly boolean[] = this.decoderWeights.map(() => true),
  ): (M | null)[] {
    return this.decoderWeights.map((_, k) => {
      if (!wanted[k]) return null;
      const anchor = form === 'plain' ? parts[k]! : (decodedCode?.[k] ?? this.decodePart(code, k));
      return this.e.sub(this.decodePart(target, k), anchor);
    });
  }

  /**
   * Targets for the input parts given a target for this layer's code: the difference form
   * `x + g(ĥ) − g(h)` (when ĥ = h it returns x exactly), or the plain form `g(ĥ)`.
   */
  propagateTarget(parts: readonly M[], code: M, target: M, form: 'difference' | 'plain'): M[] {
    const fromTarget = this.decode(target);
    if (form === 'plain') return fromTarget;
    const fromCode = this.decode(code);
    return parts.map((x, k) => this.e.add(x, this.e.sub(fromTarget[k]!, fromCode[k]!)));
  }

  /**
   * What the encoder's local rule moves its mean output toward, given ĥ, the target of the code h it passed up:
   * the change the target asks of the code, applied to the mean it was drawn around, mean + (ĥ − h). For a
   * deterministic code (h = mean) that is ĥ itself. For a drawn one (binary units, SPEC §2.5's Q(h | input); up-pass
   * noise, SPEC §2.6), ĥ itself would read mean − ĥ = (mean − h) − (ĥ − h): the draw's own noise, zero-mean but
   * larger than the change asked for, drowns it. Binary units stayed at chance (docs/experiments.md, row D1);
   * tanh units with noise 0.1 lost 1.3 points on MNIST and Moby-Dick 0.3 nats, against 0.2 points and 0.07 nats
   * with the target on the mean (rows D18, 43).
   */
  encoderTarget(mean: M, code: M, target: M): M {
    return this.stochastic ? this.e.add(mean, this.e.sub(target, code)) : target;
  }

  /**
   * Gradients of ½‖mean − ĥ‖² (for sign units the perceptron-style rule sign(a) − ĥ, gated to |a| ≤ 1) on the
   * encoder, inputs held fixed. `mean`, the encoder's output for `parts`, may be passed when
   * already computed (null: computed here). `rowWeights` ([batch, 1]) can down-weight or zero
   * rows; the loss is summed over rows and divided by `normalizer` (default: the number of rows).
   */
  encoderGradients(
    parts: readonly M[],
    given: M | null,
    target: M,
    rowWeights?: M,
    normalizer?: number,
    more?: readonly M[],
  ): LocalGradients<M> {
    const e = this.e;
    if (more) throw new RangeError('DenoisingLayer.encoderGradients: extra rows need a layer that joinsForward');
    const mean = given ?? this.encodeMean(parts);
    const batch = normalizer ?? e.rows(mean);
    const error = e.sub(mean, target);
    const slope = this.config.units === 'sign' ? this.signGate(parts) : unitSlope(e, mean, this.config.units);
    let delta = slope ? e.mul(error, slope) : error;
    if (rowWeights) delta = e.mul(delta, rowWeights);
    delta = e.mul(delta, 1 / batch);
    const pairs: GradientPair<M>[] = parts.map((x, k) => [this.weights[k]!, e.matMulAT(x, delta)] as const);
    pairs.push([this.bias, e.sumRows(delta)]);
    const squared = e.square(error);
    const loss = e.mul(e.sumAll(rowWeights ? e.mul(squared, rowWeights) : squared), 1 / (2 * batch));
    return { pairs, encoderPairs: [], loss };
  }

  /**
   * 1 where the pre-activation a lies in [−1, 1], else 0: the slope of hardtanh, through which a sign unit's rule
   * passes (as a straight-through estimator would). A unit far past its threshold is left alone rather than pushed
   * further out toward a target beyond ±1 it already meets (MNIST 784-240-240-10, 20 epochs, seeds 1-3: 0.943
   * against 0.939 ungated, better on every seed).
   */
  private signGate(parts: readonly M[]): M {
    const e = this.e;
    const pre = this.preActivation(parts);
    return e.sub(e.sub(1, e.above(pre, 1)), e.above(e.mul(pre, -1), 1));
  }

  /** The inputs as the denoising loss corrupts them (draws from the layer's generator). */
  corruptedInputs(parts: readonly M[]): M[] {
    const { corruption } = this.config;
    return parts.map((x, k) => corrupt(this.e, x, corruption, this.rng, unitRange(this.config.inputs[k]!.units)));
  }

  /**
   * Whether encoderGradients takes `more` rows whose codes it returns, in the same pass (the gated
   * layer on a fused engine); otherwise the caller encodes them itself.
   */
  get joinsForward(): boolean {
    return false;
  }

  /**
   * Gradients of the denoising loss: corrupt the inputs, encode without noise, decode, and
   * regress onto the corrupted (or clean) inputs. Trains the decoder, and the encoder too when
   * `encoderReconstructionWeight` > 0. With `jacobian`, one decoder's gradients also carry its L-DRL
   * term (jacobianGradients). `prepared`: the corrupted inputs and their code when the caller made
   * them (corruptedInputs, then encodeMean or encoderGradients' `more`).
   */
  decoderGradients(
    parts: readonly M[],
    normalizer?: number,
    jacobian?: JacobianMatching,
    prepared?: CorruptedCode<M>,
  ): LocalGradients<M> {
    const e = this.e;
    const { decoderTarget, encoderReconstructionWeight } = this.config;
    const batch = normalizer ?? e.rows(parts[0]!);
    const corrupted = prepared?.corrupted ?? this.corruptedInputs(parts);
    const hidden = prepared?.hidden ?? this.encodeMean(corrupted);
    const pairs: GradientPair<M>[] = [];
    const encoderPairs: GradientPair<M>[] = [];
    const deltas: M[] = [];
    let loss: M | null = null;
    this.decode(hidden).forEach((r, k) => {
      const target = decoderTarget === 'corrupted' ? corrupted[k]! : parts[k]!;
      if (this.decoderKernel) {
        const into = this.decoderGradientBuffers()[k]!;
        const g = this.decoderKernel.gradients(hidden, r, target, this.decoderKinds[k]!, batch, into);
        deltas.push(g.delta);
        pairs.push([this.decoderWeights[k]!, g.weights], [this.decoderBiases[k]!, g.bias]);
        loss = loss ? e.add(loss, g.loss) : g.loss;
        return;
      }
      const error = e.sub(r, target);
      const slope = decoderSlope(e, r, this.decoderKinds[k]!);
      const delta = e.mul(slope ? e.mul(error, slope) : error, 1 / batch);
      deltas.push(delta);
      pairs.push([this.decoderWeights[k]!, e.matMulAT(hidden, delta)], [this.decoderBiases[k]!, e.sumRows(delta)]);
      const term = e.mul(e.sumAll(e.square(error)), 1 / (2 * batch));
      loss = loss ? e.add(loss, term) : term;
    });
    if (jacobian && jacobian.weight > 0) {
      const k = jacobian.part;
      const [dv, dc] = this.jacobianGradients(parts, k, jacobian.noise, jacobian.weight / batch);
      pairs[2 * k] = [this.decoderWeights[k]!, e.add(pairs[2 * k]![1], dv)];
      pairs[2 * k + 1] = [this.decoderBiases[k]!, e.add(pairs[2 * k + 1]![1], dc)];
    }
    if (encoderReconstructionWeight > 0) {
      let back = e.matMulBT(deltas[0]!, this.decoderWeights[0]!);
      for (let k = 1; k < deltas.length; k++) back = e.add(back, e.matMulBT(deltas[k]!, this.decoderWeights[k]!));
      encoderPairs.push(...this.reconstructionEncoderPairs(corrupted, hidden, back, encoderReconstructionWeight));
    }
    return { pairs, encoderPairs, loss: loss! };
  }

  /**
   * Gradients on decoder k's weights and bias, times `scale`, of the layer-local difference reconstruction loss
   * (L-DRL, Ernoult et al. 2022), with h = f(x), ε a perturbation of input part k and μ one of the code, both
   * N(0, σ²):
   *   −ε·(g_k(f(x + ε)) − g_k(h)) / σ²  +  ‖g_k(h + μ) − g_k(h)‖² / (2σ²)
   * Its expectation is, up to a constant, ½‖J_g − J_fᵀ‖² (J_f: f's Jacobian in part k, J_g: g_k's), so the
   * difference target g_k(ĥ) − g_k(h) comes to carry a displacement the way the transpose would, learned from
   * finite perturbations of this layer's own encoder and decoder (no other layer or step is read). Finite
   * perturbations also give a slope to units that have none (sign, binary samples).
   */
  jacobianGradients(parts: readonly M[], k: number, noise: number, scale: number): [M, M] {
    const e = this.e;
    const kind = this.decoderKinds[k]!;
    const decode = (h: M): M => this.decodePart(h, k);
    const slope = (g: M, d: M): M => {
      const s = unitSlope(e, g, kind);
      return s ? e.mul(d, s) : d;
    };
    const h = this.encodeMean(parts);
    const eps = e.gaussian(e.rows(parts[k]!), e.cols(parts[k]!), noise, this.rng);
    const moved = this.encodeMean(parts.map((x, j) => (j === k ? e.add(x, eps) : x)));
    const mu = e.gaussian(e.rows(h), e.cols(h), noise, this.rng);
    const shifted = e.add(h, mu);
    const [g0, g1, g2] = [decode(h), decode(moved), decode(shifted)];
    const c = scale / (noise * noise);
    // On the pre-activations of the decodes from moved, h (both terms) and shifted.
    const d1 = e.mul(slope(g1, eps), -c);
    const diff = e.sub(g2, g0);
    const d0 = e.mul(slope(g0, e.sub(eps, diff)), c);
    const d2 = e.mul(slope(g2, diff), c);
    const dv = e.add(e.add(e.matMulAT(moved, d1), e.matMulAT(h, d0)), e.matMulAT(shifted, d2));
    return [dv, e.sumRows(e.add(e.add(d1, d0), d2))];
  }

  /**
   * The encoder's gradients, times `weight`, given `back`, the reconstruction loss's gradient on
   * the code `hidden` that the encoder made from `parts`.
   */
  protected reconstructionEncoderPairs(parts: readonly M[], hidden: M, back: M, weight: number): GradientPair<M>[] {
    const e = this.e;
    const slope = unitSlope(e, hidden, this.config.units);
    const delta = e.mul(slope ? e.mul(back, slope) : back, weight);
    const pairs: GradientPair<M>[] = parts.map((x, k) => [this.weights[k]!, e.matMulAT(x, delta)] as const);
    pairs.push([this.bias, e.sumRows(delta)]);
    return pairs;
  }

  /**
   * Matrices shaped as the decoders' weights (in the kernels' memory on the SIMD engine), made
   * once: the decoder kernel writes the weight gradients there and the optimiser reads them in
   * place, where a fresh 128 × 135 result was copied out of that memory and back in by Adam.
   * Valid until the next decoderGradients.
   */
  private decoderGradientBuffers(): M[] {
    const e = this.e;
    this.decoderGradientsInto ??= this.decoderWeights.map((w) => e.zerosParameter(e.rows(w), e.cols(w)));
    return this.decoderGradientsInto;
  }

  dispose(): void {
    this.e.free(this.parameters);
    if (this.decoderGradientsInto) this.e.free(this.decoderGradientsInto);
    this.decoderGradientsInto = null;
  }
}
