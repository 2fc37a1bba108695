// Builds an optimiser from its plain-data spec.

import { Adam } from './adam.js';
import { type Optimizer, type OptimizerSpec, resolveOptimizerSpec } from './optimizer.js';
import { RmsProp } from './rmsprop.js';
import { Sgd } from './sgd.js';

export function createOptimizer(spec: OptimizerSpec = {}, where = 'createOptimizer'): Optimizer {
  const resolved = resolveOptimizerSpec(spec, where);
  switch (resolved.kind) {
    case 'sgd':
      return new Sgd(resolved);
    case 'rmsprop':
      return new RmsProp(resolved);
    case 'adam':
      return new Adam(resolved);
  }
}
