// A one-layer readout P(side | h) from the top code, per modality: softmax for categorical,
// linear for continuous. It gives the discriminant top target, a single gradient step on
// −log P(side | h) through this one layer (TPTT's first target, Manchev & Spratling 2020):
//   ĥ = h − η·Σ_m p_m·(P_m − y_m)·R_mᵀ      (squared error: (ŷ_m − y_m)·R_mᵀ)
// and it is trained by its own local delta rule: ΔR_m ∝ −hᵀ·(P_m − y_m)·p_m.

import {
  type Tensor2D,
  type Variable,
  add,
  assertEngine,
  clipByValue,
  dispose,
  div,
  glorotUniform,
  log,
  matMul,
  matMulAT,
  mul,
  softmax,
  square,
  sub,
  sum,
  sumRows,
  transpose,
  variable,
  zeros,
} from './math/index.js';
import type { ModalitySpec } from './modality.js';
import type { GradientPair } from './optim/optimizer.js';
import type { Rng } from './random.js';
import type { SideTensors } from './side-batch.js';

export class Readout {
  readonly weights: Variable[];
  readonly biases: Variable[];

  constructor(
    readonly codeSize: number,
    readonly modalities: readonly ModalitySpec[],
    rng: Rng,
  ) {
    assertEngine('Readout');
    this.weights = modalities.map((m) => variable(glorotUniform(codeSize, m.size, rng)));
    this.biases = modalities.map((m) => variable(zeros([1, m.size])));
  }

  get variables(): Variable[] {
    return [...this.weights, ...this.biases];
  }

  /** Per modality: class probabilities or predicted values. */
  predict(code: Tensor2D): Tensor2D[] {
    return this.modalities.map((m, k): Tensor2D => {
      const pre: Tensor2D = add(matMul(code, this.weights[k]!), this.biases[k]!);
      return m.kind === 'categorical' ? softmax(pre) : pre;
    });
  }

  /** Per modality, (prediction − value) ⊙ presence: the delta of −log P at the readout. */
  private errors(predictions: readonly Tensor2D[], side: SideTensors): Tensor2D[] {
    return predictions.map((p, k): Tensor2D => mul(sub(p, side.values[k]!), side.present[k]!));
  }

  /** ∂(−log P(side | h))/∂h through this one layer, rows without side give zeros. */
  codeGradient(code: Tensor2D, side: SideTensors): Tensor2D {
    const errs = this.errors(this.predict(code), side);
    let g: Tensor2D = matMul(errs[0]!, transpose(this.weights[0]!));
    for (let k = 1; k < errs.length; k++) g = add(g, matMul(errs[k]!, transpose(this.weights[k]!)));
    return g;
  }

  /** Local gradients of −log P(side | h) on the readout's own weights. */
  gradients(code: Tensor2D, side: SideTensors): { pairs: GradientPair[]; loss: Tensor2D } {
    const rows = code.shape[0];
    const predictions = this.predict(code);
    const pairs: GradientPair[] = [];
    let loss: Tensor2D | null = null;
    this.errors(predictions, side).forEach((err, k) => {
      const delta = div(err, rows) as Tensor2D;
      pairs.push([this.weights[k]!, matMulAT(code, delta)], [this.biases[k]!, sumRows(delta)]);
      const term: Tensor2D =
        this.modalities[k]!.kind === 'categorical'
          ? div(sum(mul(side.values[k]!, log(clipByValue(predictions[k]!, 1e-7, 1)))), -rows)
          : div(sum(square(err)), 2 * rows);
      loss = loss ? add<Tensor2D>(loss, term) : term;
    });
    return { pairs, loss: loss!.reshape([1, 1]) as Tensor2D };
  }

  dispose(): void {
    dispose(this.variables);
  }
}
