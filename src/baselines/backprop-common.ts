// What both BPTT baselines (tfjs autodiff and fused closed form) share: their options, checked in
// one place, and the bookkeeping at the start of a step (input checks, episode starts, the new input
// attached to the previous step as its 'next' target).

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, StateError, describeValue } from '../errors.js';
import type { ModalitySpec } from '../learner/modality.js';
import { type SideBatch, emptySide } from '../learner/side-batch.js';
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

/** A step of the window as the prologue sees it: its side information and whether it is complete. */
interface PendingStep {
  readonly side: SideBatch;
  complete: boolean;
}

/**
 * Checks a step's input (before anything changes), reads and clears the episode starts, and gives
 * the previous step its 'next' target (for streams that continue). Returns this step's side
 * information and the continue flags (0 where a stream starts an episode).
 */
export function beginStep(
  where: string,
  learner: {
    readonly disposed: boolean;
    readonly streams: number;
    readonly input: { readonly size: number };
    readonly predictNext: boolean;
    readonly sideModalities: readonly ModalitySpec[];
    readonly pendingStart: boolean[];
    readonly last: PendingStep | undefined;
  },
  input: Float32Array,
  side: SideBatch | undefined,
): { own: SideBatch; continues: Float32Array } {
  if (learner.disposed)
    throw new StateError('ERR_DISPOSED', `${where}: expected a live learner, but it has been disposed`);
  const B = learner.streams;
  const size = learner.input.size;
  if (!(input instanceof Float32Array) || input.length !== B * size)
    throw new ShapeMismatchError(`${where}: expected ${B} × ${size} inputs, but got ${describeValue(input)}`);
  if (input.some((v) => !Number.isFinite(v))) throw new NonFiniteError(`${where}: expected finite inputs`);
  const own = side ?? emptySide(learner.sideModalities, B);
  const continues = Float32Array.from(learner.pendingStart, (s) => (s ? 0 : 1));
  learner.pendingStart.fill(false);
  const last = learner.last;
  if (learner.predictNext && last && !last.complete) {
    const k = last.side.values.length - 1;
    for (let r = 0; r < B; r++) {
      if (continues[r] === 0) continue;
      last.side.values[k]!.set(input.subarray(r * size, (r + 1) * size), r * size);
      last.side.present[k]![r] = 1;
    }
    last.complete = true;
  }
  return { own, continues };
}
