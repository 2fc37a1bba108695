// Optimiser specs: plain data naming the rule (SGD with momentum, RMSprop, Adam) and its
// settings, with defaults, validated once.

import { checkKeys, choiceOption, numberOption } from '../options.js';

export const OPTIMIZERS = ['sgd', 'rmsprop', 'adam'] as const;
export type OptimizerKind = (typeof OPTIMIZERS)[number];

/** Plain-data description of an optimiser, as found in an agent's options or a checkpoint. */
export interface OptimizerSpec {
  readonly kind?: OptimizerKind;
  /** Step size; default 0.01 for sgd, 0.001 for rmsprop and adam. */
  readonly learningRate?: number;
  /** sgd: heavy-ball momentum in [0, 1); default 0.9. */
  readonly momentum?: number;
  /** rmsprop: decay of the running mean square; default 0.9. */
  readonly rho?: number;
  /** adam: decay rates of the first and second moments; defaults 0.9 and 0.999. */
  readonly beta1?: number;
  readonly beta2?: number;
  /** rmsprop, adam: added to the root mean square; default 1e-7. */
  readonly epsilon?: number;
  /** Inverse-time decay: the step size at update t is learningRate / (1 + decay·t); default 0. */
  readonly decay?: number;
}

export type ResolvedOptimizerSpec = Required<OptimizerSpec>;

/** Saved slots, in the order of the parameters given to `getState`. */
export interface OptimizerState {
  readonly kind: OptimizerKind;
  readonly steps: number;
  readonly slots: Float32Array[][];
}

const KEYS = ['kind', 'learningRate', 'momentum', 'rho', 'beta1', 'beta2', 'epsilon', 'decay'];

/** Fills defaults and validates; throws InvalidOptionError naming the bad option. */
export function resolveOptimizerSpec(spec: OptimizerSpec = {}, where = 'optimizer'): ResolvedOptimizerSpec {
  checkKeys(where, spec, KEYS);
  const kind = choiceOption(where, 'kind', spec.kind, 'adam', OPTIMIZERS);
  return {
    kind,
    learningRate: numberOption(where, 'learningRate', spec.learningRate, kind === 'sgd' ? 0.01 : 0.001, { above: 0 }),
    momentum: numberOption(where, 'momentum', spec.momentum, 0.9, { min: 0, max: 0.999999 }),
    rho: numberOption(where, 'rho', spec.rho, 0.9, { min: 0, max: 0.999999 }),
    beta1: numberOption(where, 'beta1', spec.beta1, 0.9, { min: 0, max: 0.999999 }),
    beta2: numberOption(where, 'beta2', spec.beta2, 0.999, { min: 0, max: 0.999999 }),
    epsilon: numberOption(where, 'epsilon', spec.epsilon, 1e-7, { above: 0 }),
    decay: numberOption(where, 'decay', spec.decay, 0, { min: 0 }),
  };
}
