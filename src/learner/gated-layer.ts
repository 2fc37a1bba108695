// A gated recurrent layer (GRU-style cell) of a recurrent stack, trained by target propagation
// (SPEC §7): its encoder learns only from its own local loss at one step, both inputs held fixed;
// its decoders and the targets it sends down and back in time are the denoising layer's.
//
//   cell, x the layer below, h' the context (the layer's previous code):
//     z = σ(x·Wz + h'·Uz + bz)          update gate (bias initialised to 0: 1 and −1 measured worse)
//     r = σ(x·Wr + h'·Ur + br)          reset gate
//     n = tanh(x·W + r ⊙ (h'·U) + b)    candidate
//     h = (1 − z) ⊙ n + z ⊙ h'          code (plus gaussian noise in the up pass while training)
//   encoder rule, on ½‖h − ĥ‖² with x and h' fixed, the gradient taken inside the cell at this step:
//     dh = h − ĥ;  dn = dh ⊙ (1 − z);  dz = dh ⊙ (h' − n)
//     dan = dn ⊙ (1 − n²);  daz = dz ⊙ z(1 − z);  dar = (dan ⊙ (h'·U)) ⊙ r(1 − r)
//     ΔW = xᵀ·dan, ΔU = h'ᵀ·(dan ⊙ r), Δb = Σ dan;  Wz, Uz, bz from daz;  Wr, Ur, br from dar
// Nothing reads another layer's weights or another step: h' enters as a fixed input, as in
// Manchev & Spratling's TPTT, where each step's encoder is trained toward its own target.

import { InvalidOptionError } from '../errors.js';
import {
  type Engine,
  type GatedCellKernels,
  type GatedCellWeights,
  gatedCellKernels,
  glorotUniform,
} from '../math/index.js';
import type { GradientPair } from '../optim/local-optimizer.js';
import type { Rng } from '../random.js';
import { DenoisingLayer, type DenoisingLayerConfig, type LocalGradients } from './denoising-layer.js';

/** The cell's intermediate values for one batch of inputs. */
interface Cell<M> {
  readonly z: M;
  readonly r: M;
  /** h'·U, the context's contribution to the candidate before the reset gate. */
  readonly uh: M;
  readonly n: M;
  readonly h: M;
}

/** A gated cell reads [below, context] with the context as wide as its code, and has tanh units. */
function checkConfig(config: DenoisingLayerConfig): DenoisingLayerConfig {
  const where = 'GatedLayer';
  if (config.inputs.length !== 2 || config.inputs[1]!.size !== config.size)
    throw new InvalidOptionError(
      `${where}: expected two input parts, the layer below and a context of ${config.size}, but got parts of ` +
        `[${config.inputs.map((p) => p.size).join(', ')}]`,
    );
  if (config.units !== 'tanh')
    throw new InvalidOptionError(`${where}: expected units "tanh", but got "${config.units}"`);
  return config;
}

export class GatedLayer<M> extends DenoisingLayer<M> {
  /** Wz (from below) and Uz (from the context). */
  readonly updateWeights: M[];
  readonly updateBias: M;
  /** Wr (from below) and Ur (from the context). */
  readonly resetWeights: M[];
  readonly resetBias: M;
  /** The fused engine's one-call forward and gradients of the cell (null: engine ops). */
  private readonly kernels: GatedCellKernels<M> | null;
  private readonly cellWeights: GatedCellWeights<M>;
  /** encoderParameters, made once (the objects never change: checkpoints assign in place). */
  private readonly cellParameters: M[];
  private gradients: M[] | null = null;

  /**
   * `updateBias`: the update gate's initial bias. At 0 a fresh cell keeps half its state per step;
   * at 2 about 88%, which a long dependency needs to be learned at all (docs/experiments.md, row 25).
   */
  constructor(e: Engine<M>, config: DenoisingLayerConfig, rng: Rng, updateBias = 0) {
    super(e, checkConfig(config), rng);
    const { inputs, size } = config;
    this.updateWeights = inputs.map((p) => e.parameter(glorotUniform(p.size, size, rng), p.size, size));
    this.updateBias = e.parameter(new Float32Array(size).fill(updateBias), 1, size);
    this.resetWeights = inputs.map((p) => e.parameter(glorotUniform(p.size, size, rng), p.size, size));
    this.resetBias = e.zerosParameter(1, size);
    this.kernels = gatedCellKernels(e);
    const [w, u] = this.weights as [M, M];
    const [wz, uz] = this.updateWeights as [M, M];
    const [wr, ur] = this.resetWeights as [M, M];
    this.cellWeights = { w, u, b: this.bias, wz, uz, bz: this.updateBias, wr, ur, br: this.resetBias };
    this.cellParameters = this.encoderParameters;
  }

  /** The candidate's W, U, b, then the update gate's, then the reset gate's (checkpoints rely on the order). */
  override get encoderParameters(): M[] {
    return [...super.encoderParameters, ...this.gateParameters];
  }

  /** Every parameter, in a fixed order: the denoising layer's, then the gates'. */
  override get parameters(): M[] {
    return [...super.parameters, ...this.gateParameters];
  }

  private get gateParameters(): M[] {
    return [...this.updateWeights, this.updateBias, ...this.resetWeights, this.resetBias];
  }

  private affine(parts: readonly M[], weights: readonly M[], bias: M): M {
    const e = this.e;
    return e.add(e.add(e.matMul(parts[0]!, weights[0]!), e.matMul(parts[1]!, weights[1]!)), bias);
  }

  private cell(parts: readonly M[]): Cell<M> {
    const e = this.e;
    const [x, context] = parts as [M, M];
    if (this.kernels) return this.kernels.forward(x, context, this.cellWeights);
    const z = e.activate(this.affine(parts, this.updateWeights, this.updateBias), 'sigmoid');
    const r = e.activate(this.affine(parts, this.resetWeights, this.resetBias), 'sigmoid');
    const uh = e.matMul(context, this.weights[1]!);
    const n = e.activate(e.add(e.add(e.matMul(x, this.weights[0]!), e.mul(r, uh)), this.bias), 'tanh');
    const h = e.add(e.mul(e.sub(1, z), n), e.mul(z, context));
    return { z, r, uh, n, h };
  }

  /** The gradients of every encoder parameter given dh, the loss's gradient on the cell's output. */
  private backward(parts: readonly M[], cell: Cell<M>, dh: M): GradientPair<M>[] {
    const e = this.e;
    const [x, context] = parts as [M, M];
    const { z, r, uh, n } = cell;
    if (this.kernels) {
      const grads = this.kernels.gradients(x, context, cell, dh, this.cellWeights);
      return this.cellParameters.map((p, k) => [p, grads[k]!] as const);
    }
    const dan = e.mul(e.mul(dh, e.sub(1, z)), e.sub(1, e.square(n)));
    const daz = e.mul(e.mul(dh, e.sub(context, n)), e.mul(z, e.sub(1, z)));
    const dar = e.mul(e.mul(dan, uh), e.mul(r, e.sub(1, r)));
    return [
      [this.weights[0]!, e.matMulAT(x, dan)],
      [this.weights[1]!, e.matMulAT(context, e.mul(dan, r))],
      [this.bias, e.sumRows(dan)],
      [this.updateWeights[0]!, e.matMulAT(x, daz)],
      [this.updateWeights[1]!, e.matMulAT(context, daz)],
      [this.updateBias, e.sumRows(daz)],
      [this.resetWeights[0]!, e.matMulAT(x, dar)],
      [this.resetWeights[1]!, e.matMulAT(context, dar)],
      [this.resetBias, e.sumRows(dar)],
    ];
  }

  /**
   * The encoder gradients' own matrices (made once, beside the parameters, in the kernels' memory
   * on the SIMD engine): encoderGradients writes them and returns them, valid until its next call.
   */
  private gradientBuffers(): M[] {
    const e = this.e;
    if (!this.gradients) this.gradients = this.cellParameters.map((p) => e.zerosParameter(e.rows(p), e.cols(p)));
    return this.gradients;
  }

  override dispose(): void {
    if (this.gradients) this.e.free(this.gradients);
    this.gradients = null;
    super.dispose();
  }

  /** On a fused engine the fit runs the decoder's corrupted rows forward too (encoderGradients' `more`). */
  override get joinsForward(): boolean {
    return this.kernels !== null;
  }

  override encodeMean(parts: readonly M[]): M {
    if (this.kernels) return this.kernels.code(parts[0]!, parts[1]!, this.cellWeights);
    return this.cell(parts).h;
  }

  /**
   * Gradients of ½‖cell(x, h') − ĥ‖² on the cell's parameters, inputs held fixed (the passed
   * mean is not used: the rule needs the cell's gates, so the cell is run here). Row weights and
   * the normaliser as in the denoising layer. On a fused engine the gradients are the layer's
   * own buffers (gradientBuffers), overwritten at the next call. `more` ([below, context] rows
   * the loss leaves out): their codes at these weights come back as `codes`, from the same
   * forward pass (joinsForward; the same values as encodeMean gives them).
   */
  override encoderGradients(
    parts: readonly M[],
    _given: M | null,
    target: M,
    rowWeights?: M,
    normalizer?: number,
    more?: readonly M[],
  ): LocalGradients<M> {
    const e = this.e;
    if (this.kernels) {
      const [x, context] = (more ? parts.map((m, k) => e.concatRows([m, more[k]!])) : parts) as [M, M];
      const tail = more ? e.rows(more[0]!) : 0;
      const scale = 1 / (normalizer ?? e.rows(x) - tail);
      const into = this.gradientBuffers();
      const weights = rowWeights ?? null;
      const fit = this.kernels.fit(x, context, target, weights, scale, this.cellWeights, into, tail);
      const pairs = this.cellParameters.map((p, k) => [p, fit.gradients[k]!] as const);
      return { pairs, encoderPairs: [], loss: fit.loss, ...(fit.codes && { codes: fit.codes }) };
    }
    if (more) throw new RangeError('GatedLayer.encoderGradients: extra rows need the fused kernels (joinsForward)');
    const cell = this.cell(parts);
    const batch = normalizer ?? e.rows(cell.h);
    const error = e.sub(cell.h, target);
    const dh = e.mul(rowWeights ? e.mul(error, rowWeights) : error, 1 / batch);
    const squared = e.square(error);
    const loss = e.mul(e.sumAll(rowWeights ? e.mul(squared, rowWeights) : squared), 1 / (2 * batch));
    return { pairs: this.backward(parts, cell, dh), encoderPairs: [], loss };
  }

  protected override reconstructionEncoderPairs(
    parts: readonly M[],
    _hidden: M,
    back: M,
    weight: number,
  ): GradientPair<M>[] {
    return this.backward(parts, this.cell(parts), this.e.mul(back, weight));
  }
}
