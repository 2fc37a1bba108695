// Adam (Kingma & Ba): m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
// θ ← θ − η·m̂ / (√v̂ + ε) with the bias corrections folded into one scalar step size.

import { type Tensor, type Variable, add, div, mul, sqrt, square, sub } from '../math/index.js';
import type { ResolvedOptimizerSpec } from './optimizer.js';
import { SlottedOptimizer } from './slotted-optimizer.js';

export class Adam extends SlottedOptimizer {
  constructor(spec: ResolvedOptimizerSpec) {
    super(spec, 2);
  }

  protected update(param: Variable, grad: Tensor, slots: Variable[]): void {
    const { learningRate, beta1, beta2, epsilon } = this.spec;
    const [m, v] = slots as [Variable, Variable];
    m.assign(add(mul(beta1, m), mul(1 - beta1, grad)));
    v.assign(add(mul(beta2, v), mul(1 - beta2, square(grad))));
    const t = this.steps;
    const stepSize = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    param.assign(sub(param, div(mul(stepSize, m), add(sqrt(v), epsilon))));
  }
}
