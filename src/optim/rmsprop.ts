// RMSprop (Tieleman & Hinton): s ← ρ·s + (1 − ρ)·g²; θ ← θ − η·g / (√s + ε).

import { type Tensor, type Variable, add, div, mul, sqrt, square, sub } from '../math/index.js';
import type { ResolvedOptimizerSpec } from './optimizer.js';
import { SlottedOptimizer } from './slotted-optimizer.js';

export class RmsProp extends SlottedOptimizer {
  constructor(spec: ResolvedOptimizerSpec) {
    super(spec, 1);
  }

  protected update(param: Variable, grad: Tensor, slots: Variable[]): void {
    const { learningRate, rho, epsilon } = this.spec;
    const meanSquare = slots[0]!;
    meanSquare.assign(add(mul(rho, meanSquare), mul(1 - rho, square(grad))));
    param.assign(sub(param, div(mul(learningRate, grad), add(sqrt(meanSquare), epsilon))));
  }
}
