// Makes the prior of a kind: the one place that knows every kind.

import { FactorialPrior } from './factorial-prior.js';
import { GaussianPrior } from './gaussian-prior.js';
import { NearestNeighbourPrior } from './nearest-neighbour-prior.js';
import { ParzenPrior } from './parzen-prior.js';
import type { PriorKind, PriorOptions, TopPrior } from './top-prior.js';

/** A prior of `kind` over codes of `size` units. */
export function createPrior(kind: PriorKind, size: number, options: PriorOptions = {}): TopPrior {
  switch (kind) {
    case 'gaussian':
      return new GaussianPrior(size, options);
    case 'factorial':
      return new FactorialPrior(size, options);
    case 'parzen':
      return new ParzenPrior(size, options);
    case 'nearest-neighbour':
      return new NearestNeighbourPrior(size, options);
  }
}
