// A one-layer readout P(side | h) from the top code, per modality: softmax for categorical,
// linear for continuous. It gives the discriminant top target, a single gradient step on
// −log P(side | h) through this one layer (TPTT's first target, Manchev & Spratling 2020):
//   ĥ = h − η·Σ_m w_m·(P_m − y_m)·R_mᵀ      (squared error: (ŷ_m − y_m)·R_mᵀ)
// and it is trained by its own local delta rule: ΔR_m ∝ −hᵀ·(P_m − y_m)·p_m.

import { type Engine, glorotUniform } from '../math/index.js';
import type { ModalitySpec } from './modality.js';
import type { GradientPair } from '../optim/local-optimizer.js';
import type { Rng } from '../random.js';
import type { SideMatrices } from './side-batch.js';

export class Readout<M> {
  readonly weights: M[];
  readonly biases: M[];

  constructor(
    private readonly e: Engine<M>,
    readonly codeSize: number,
    readonly modalities: readonly ModalitySpec[],
    rng: Rng,
  ) {
    this.weights = modalities.map((m) => e.parameter(glorotUniform(codeSize, m.size, rng), codeSize, m.size));
    this.biases = modalities.map((m) => e.zerosParameter(1, m.size));
  }

  get parameters(): M[] {
    return [...this.weights, ...this.biases];
  }

  /** Per modality: class probabilities or predicted values. */
  predict(code: M): M[] {
    const e = this.e;
    return this.modalities.map((m, k) =>
      e.dense(code, this.weights[k]!, this.biases[k]!, m.kind === 'categorical' ? 'softmax' : 'linear'),
    );
  }

  /**
   * ∂(−log P(y | h))/∂h through this one layer for per-modality targets `values` (one-hot or
   * vectors), each row weighted by `weights[m]` ([rows, 1]); `predictions` are this readout's.
   */
  codeGradient(predictions: readonly M[], values: readonly M[], weights: readonly M[]): M {
    const e = this.e;
    const errs = predictions.map((p, k) => e.mul(e.sub(p, values[k]!), weights[k]!));
    let g = e.matMulBT(errs[0]!, this.weights[0]!);
    for (let k = 1; k < errs.length; k++) g = e.add(g, e.matMulBT(errs[k]!, this.weights[k]!));
    return g;
  }

  /** Local gradients of −log P(side | h) on the readout's own weights. */
  /** `predicted`: this readout's predictions for `code`, if the caller has them already. */
  gradients(
    code: M,
    side: SideMatrices<M>,
    predicted: readonly M[] = this.predict(code),
  ): { pairs: GradientPair<M>[]; loss: M } {
    const e = this.e;
    const rows = e.rows(code);
    const pairs: GradientPair<M>[] = [];
    let loss: M | null = null;
    predicted.forEach((p, k) => {
      const err = e.mul(e.sub(p, side.values[k]!), side.present[k]!);
      const delta = e.mul(err, 1 / rows);
      pairs.push([this.weights[k]!, e.matMulAT(code, delta)], [this.biases[k]!, e.sumRows(delta)]);
      const term =
        this.modalities[k]!.kind === 'categorical'
          ? e.mul(e.crossEntropy(p, e.mul(side.values[k]!, side.present[k]!)), 1 / rows)
          : e.mul(e.sumAll(e.square(err)), 1 / (2 * rows));
      loss = loss ? e.add(loss, term) : term;
    });
    return { pairs, loss: loss! };
  }

  dispose(): void {
    this.e.free(this.parameters);
  }
}
