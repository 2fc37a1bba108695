// Stochastic gradient descent with heavy-ball momentum: v ← μ·v + g; θ ← θ − η·v.

import { type Tensor, type Variable, add, mul, sub } from '../math/index.js';
import type { ResolvedOptimizerSpec } from './optimizer.js';
import { SlottedOptimizer } from './slotted-optimizer.js';

export class Sgd extends SlottedOptimizer {
  constructor(spec: ResolvedOptimizerSpec) {
    super(spec, spec.momentum > 0 ? 1 : 0);
  }

  protected update(param: Variable, grad: Tensor, slots: Variable[]): void {
    const { learningRate, momentum } = this.spec;
    if (momentum === 0) {
      param.assign(sub(param, mul(learningRate, grad)));
      return;
    }
    const velocity = slots[0]!;
    velocity.assign(add(mul(momentum, velocity), grad));
    param.assign(sub(param, mul(learningRate, velocity)));
  }
}
