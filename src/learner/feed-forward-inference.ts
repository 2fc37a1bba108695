// Inference of any missing modality of a feed-forward stack given the others: the bottom input
// (an image) enters through the encoders, side modalities (a label) through the top
// auto-encoder, which infers what is missing (top-inference.ts); an input that is missing is
// decoded down the layers from the inferred top code: x = g_1(g_2(… g_L(h))).

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, describeValue } from '../errors.js';
import { checkKeys, numberOption } from '../options.js';
import type { FeedForwardStack } from './feed-forward-stack.js';
import { INFERENCE_CHOICE_KEYS, type InferenceChoices, inferTop, inferenceOptions } from './top-inference.js';

export interface InferQuery {
  /** Rows in the query (>= 1). */
  readonly rows: number;
  /** The bottom input, rows × input size; leave it out to infer it. */
  readonly input?: Float32Array;
  /**
   * Known side modalities by name: a class index per row, or rows × size values. The rest are
   * inferred. With neither these nor `input`, MCMC samples everything (the auto-encoder's chain).
   */
  readonly side?: Readonly<Record<string, ArrayLike<number>>>;
}

/** How to infer: MAP or MCMC, its steps, samples, corruption and seed (see InferenceChoices). */
export type InferOptions = InferenceChoices;

/** One sample: the input and every side modality (class probabilities, a one-hot draw under MCMC, or values). */
export interface Inference {
  readonly input: Float32Array;
  readonly side: Record<string, Float32Array>;
}

/** Checks `query` and `options` (typed errors, nothing computed before), then infers. */
export function inferFeedForward(stack: FeedForwardStack, query: InferQuery, options: InferOptions = {}): Inference[] {
  const where = 'FeedForwardStack.infer';
  checkKeys(where, options, INFERENCE_CHOICE_KEYS);
  checkKeys(`${where} query`, query, ['rows', 'input', 'side']);
  const settings = inferenceOptions(where, options, stack.top.config.noise);
  const { method } = settings;
  const rows = numberOption(`${where} query`, 'rows', query?.rows, Number.NaN, { integer: true, min: 1 });
  const { inputSize } = stack.options;
  const modalities = stack.modalities;
  if (query.input !== undefined) {
    if (!(query.input instanceof Float32Array) || query.input.length !== rows * inputSize)
      throw new ShapeMismatchError(
        `${where}: expected "input" to be a Float32Array of ${rows} × ${inputSize}, but got ` +
          describeValue(query.input),
      );
    finite(where, 'input', query.input);
  }
  const given = query.side ?? {};
  const unknown = Object.keys(given).find((name) => !modalities.some((m) => m.name === name));
  if (unknown !== undefined)
    throw new InvalidOptionError(
      `${where}: expected side modalities among [${modalities.map((m) => m.name).join(', ')}], but got "${unknown}"`,
    );
  const side = modalities.map((m) => {
    const v = given[m.name];
    if (v === undefined) return null;
    finite(where, m.name, v);
    const out = new Float32Array(rows * m.size);
    if (m.kind === 'categorical') {
      if (v.length !== rows)
        throw new ShapeMismatchError(`${where}: expected ${rows} classes of "${m.name}", but got ${v.length}`);
      for (let r = 0; r < rows; r++) {
        const c = v[r]!;
        if (!Number.isInteger(c) || c < 0 || c >= m.size)
          throw new ShapeMismatchError(
            `${where}: expected "${m.name}" classes in [0, ${m.size}), but got ${c} at row ${r}`,
          );
        out[r * m.size + c] = 1;
      }
    } else {
      if (v.length !== rows * m.size)
        throw new ShapeMismatchError(
          `${where}: expected ${rows} × ${m.size} values of "${m.name}", but got ${v.length}`,
        );
      out.set(v);
    }
    return out;
  });
  // With nothing known, MCMC is the top auto-encoder's own chain: samples of the joint.
  if (query.input === undefined && side.every((v) => v === null) && method === 'map')
    throw new InvalidOptionError(
      `${where}: expected something known, the input or a side modality, but everything is missing (MCMC ` +
        'samples the joint then)',
    );
  if (query.input !== undefined && side.every((v) => v !== null))
    throw new InvalidOptionError(
      `${where}: expected something missing to infer, but the input and every modality are given`,
    );
  const e = stack.engine;
  return e.scope(() => {
    const code =
      query.input === undefined
        ? null
        : stack.forward(e.matrix(query.input, rows, inputSize), false).codes[stack.layers.length - 1]!;
    const known = side.map((v, k) => (v === null ? null : e.matrix(v, rows, modalities[k]!.size)));
    const drawn = inferTop(e, stack.top.autoencoder, code, known, rows, settings);
    return drawn.map((sample) => {
      let x = sample.code;
      if (query.input === undefined)
        for (let l = stack.layers.length - 1; l >= 0; l--) x = stack.layers[l]!.decodePart(x, 0);
      const out: Record<string, Float32Array> = {};
      modalities.forEach((m, k) => (out[m.name] = e.read(sample.side[k]!)));
      return { input: query.input === undefined ? e.read(x) : query.input.slice(), side: out };
    });
  });
}

function finite(where: string, name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i]!))
      throw new NonFiniteError(`${where}: expected finite "${name}", but got ${values[i]} at index ${i}`);
}
