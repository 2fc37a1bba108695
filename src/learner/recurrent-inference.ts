// Inference of a recurrent stack's missing side modalities at one step, given that step's input
// and the side modalities known: the input is encoded from the stream's context (as `step` would,
// but deterministic and without learning), and the top infers the rest (top-inference.ts), the
// known modalities clamped. Nothing in the stack changes.

import { InvalidOptionError } from '../errors.js';
import type { Rng } from '../random.js';
import type { RecurrentStack } from './recurrent-stack.js';
import { type InferenceMethod, inferTop } from './top-inference.js';

export interface RecurrentInferenceOptions {
  readonly stream: number;
  readonly method: InferenceMethod;
  readonly iterations: number;
  readonly samples: number;
  readonly noise: number;
  readonly rng: Rng;
}

/**
 * `side[k]` is modality k's values (one row; a one-hot row for a class) or null where missing.
 * Returns per sample, per modality (the stack's side modalities, 'next' left out), one row. With
 * MAP and a top that has no trained auto-encoder (the discriminant top), the missing modalities
 * are the readout's predictions from the code: the known ones cannot inform them there.
 */
export function inferRecurrent(
  stack: RecurrentStack,
  input: Float32Array,
  side: readonly (Float32Array | null)[],
  options: RecurrentInferenceOptions,
): Float32Array[][] {
  const where = 'RecurrentStack.infer';
  const e = stack.engine;
  const { streams, inputSkip } = stack.options;
  if (!Number.isInteger(options.stream) || options.stream < 0 || options.stream >= streams)
    throw new InvalidOptionError(
      `${where}: expected option "stream" in [0, ${streams - 1}], but got ${options.stream}`,
    );
  const usesAutoEncoder = stack.top.usesAutoEncoder;
  if (options.method === 'mcmc' && !usesAutoEncoder)
    throw new InvalidOptionError(
      `${where}: expected a top auto-encoder that learns (top.trainAutoEncoder: true, or topTarget 'reconstruction') ` +
        'for MCMC, but this stack does not train it',
    );
  const context = stack.readContext(options.stream);
  const modalities = stack.modalities;
  return e.scope(() => {
    let below = e.matrix(input, 1, input.length);
    const x = below;
    stack.layers.forEach((layer, l) => {
      const c = context ? e.matrix(context[l]!, 1, layer.size) : e.zeros(1, layer.size);
      below = layer.encode([below, c], false).code;
    });
    const code = inputSkip ? e.concatCols([below, x]) : below;
    // The top knows 'next' too; it is not known at this step (it is what comes after).
    const known = modalities.map((m, k) => {
      const v = k < side.length ? side[k] : null;
      return v ? e.matrix(v, 1, m.size) : null;
    });
    const samples =
      options.method === 'map' && !usesAutoEncoder
        ? [{ side: stack.top.predict(code).map((p, k) => known[k] ?? p) }]
        : inferTop(e, stack.top.autoencoder, code, known, 1, options);
    return samples.map((s) => s.side.slice(0, side.length).map((m) => e.read(m)));
  });
}

/**
 * Inference at the stream's newest step, its top code as the step computed it (nothing is
 * encoded again), tiled over `rows` rows: `side[k]` is [rows × size] values of modality k or
 * null where missing, so that one call asks the top about several candidates at once (e.g.
 * every action). Returns per sample, per side modality ('next' left out), [rows × size] values.
 * With `ended`, the newest step may be the last of an episode that has ended (a bootstrap's state).
 */
export function inferAtNewest(
  stack: RecurrentStack,
  rows: number,
  side: readonly (Float32Array | null)[],
  options: Omit<RecurrentInferenceOptions, 'stream'> & { readonly ended?: boolean },
): Float32Array[][] {
  const where = 'RecurrentStack.inferAtNewest';
  if (!stack.top.usesAutoEncoder)
    throw new InvalidOptionError(
      `${where}: expected a top auto-encoder that learns (top.trainAutoEncoder: true, or topTarget ` +
        "'reconstruction'), but this stack does not train it",
    );
  const e = stack.engine;
  const top = stack.newestTopCode(0, options.ended ?? false);
  if (top === null) throw new InvalidOptionError(`${where}: expected a step taken before inference`);
  const modalities = stack.modalities;
  return e.scope(() => {
    const one = e.matrix(top, 1, top.length);
    const code = rows === 1 ? one : e.matMul(e.add(e.zeros(rows, 1), 1), one);
    const known = modalities.map((m, k) => {
      const v = k < side.length ? side[k] : null;
      return v ? e.matrix(v, rows, m.size) : null;
    });
    const samples = inferTop(e, stack.top.autoencoder, code, known, rows, options);
    return samples.map((s) => s.side.slice(0, side.length).map((m) => e.read(m)));
  });
}
