// The options both BPTT baselines (tfjs autodiff and fused closed form) share, checked in one
// place; their window and step bookkeeping is windowed-backprop.ts.

import { InvalidOptionError, describeValue } from '../errors.js';
import type { ModalitySpec } from '../learner/modality.js';
import { booleanOption, checkKeys, numberOption } from '../options.js';
import type { RecurrentBackpropOptions } from './recurrent-backprop.js';

export interface ResolvedBackpropOptions {
  readonly input: { kind: 'categorical' | 'continuous'; size: number };
  readonly predictNext: boolean;
  readonly sideModalities: readonly ModalitySpec[];
  /** The side modalities, and 'next' last when the next input is predicted. */
  readonly modalities: readonly ModalitySpec[];
  readonly window: number;
  readonly updateEvery: number;
  readonly streams: number;
  readonly seed: number;
}

const KEYS = ['input', 'modalities', 'predictNext', 'layers', 'window', 'updateEvery', 'streams', 'optimizer', 'seed'];

/** Checks the shared options (and no unknown key beyond `extraKeys`), with their defaults. */
export function resolveBackpropOptions(
  where: string,
  options: RecurrentBackpropOptions,
  extraKeys: readonly string[] = [],
): ResolvedBackpropOptions {
  checkKeys(where, options, [...KEYS, ...extraKeys]);
  if (!options?.input || (options.input.kind !== 'categorical' && options.input.kind !== 'continuous'))
    throw new InvalidOptionError(
      `${where}: expected option "input" to be { kind, size }, but got ${describeValue(options?.input)}`,
    );
  const input = {
    kind: options.input.kind,
    size: numberOption(where, 'input.size', options.input.size, NaN, { integer: true, min: 1 }),
  };
  const predictNext = booleanOption(where, 'predictNext', options.predictNext, true);
  const sideModalities = options.modalities ?? [];
  const window = numberOption(where, 'window', options.window, 16, { integer: true, min: 1 });
  return {
    input,
    predictNext,
    sideModalities,
    modalities: predictNext
      ? [...sideModalities, { name: 'next', kind: input.kind, size: input.size }]
      : sideModalities,
    window,
    updateEvery: numberOption(where, 'updateEvery', options.updateEvery, 1, { integer: true, min: 1, max: window }),
    streams: numberOption(where, 'streams', options.streams, 1, { integer: true, min: 1 }),
    seed: numberOption(where, 'seed', options.seed, 0, { integer: true }),
  };
}
