// A free run of a recurrent stack: the stack driven by its own predictions, each step's input
// chosen from the predictions of the step before (dreaming, SPEC §4), with no learning and no
// change to the stack (its window, weights, optimisers and generator stay as they were).

import { InvalidOptionError, ShapeMismatchError } from '../errors.js';
import type { RecurrentStack } from './recurrent-stack.js';

export interface FreeRunOptions {
  /** The stream whose state the run starts from (row of the batch); default 0. */
  readonly stream?: number;
  /** Start from an empty context (a new episode) instead of the stream's state; default false. */
  readonly fresh?: boolean;
  /** Inputs fed first, as they are (one row of the input size each). */
  readonly prompt?: readonly Float32Array[];
  /** Inputs chosen after the prompt. */
  readonly steps: number;
  /**
   * The next input from the predictions standing (one row per modality, the stack's order),
   * `t` counting the chosen inputs from 0. Must return a row of the input size.
   */
  readonly choose: (predictions: readonly Float32Array[], t: number) => Float32Array;
}

export interface FreeRunResult {
  /** The chosen inputs, in order. */
  readonly inputs: Float32Array[];
  /** The predictions each chosen input was drawn from (per modality), in order. */
  readonly predictions: Float32Array[][];
}

/**
 * Encodes with the layers' deterministic codes (no up-pass noise; binary units at their mode),
 * as at inference. Without a prompt the run starts from the predictions the stream's last step
 * made (where that step ended an episode, as if the episode went on); from a fresh context it
 * needs a prompt, as nothing has been predicted yet.
 */
export function freeRun(stack: RecurrentStack, options: FreeRunOptions): FreeRunResult {
  const where = 'RecurrentStack.freeRun';
  const e = stack.engine;
  const { streams, input, inputSkip } = stack.options;
  const r = options.stream ?? 0;
  if (!Number.isInteger(r) || r < 0 || r >= streams)
    throw new InvalidOptionError(`${where}: expected option "stream" in [0, ${streams - 1}], but got ${r}`);
  const prompt = options.prompt ?? [];
  for (const [i, x] of prompt.entries()) {
    if (!(x instanceof Float32Array) || x.length !== input.size)
      throw new ShapeMismatchError(`${where}: expected prompt entry ${i} to be ${input.size} inputs, but it is not`);
  }
  // Without a prompt the run goes on from the last step, also where it ended an episode.
  const saved = options.fresh ? null : stack.readContext(r, prompt.length === 0);
  if (prompt.length === 0 && (options.fresh || saved === null))
    throw new InvalidOptionError(
      `${where}: expected a prompt: there is no step to go on from (a fresh context, or none taken yet)`,
    );
  const { layers, top } = stack;
  let context: unknown[] = layers.map((layer, l) =>
    e.keep(saved ? e.matrix(saved[l]!, 1, layer.size) : e.zeros(1, layer.size)),
  );
  let predictions: Float32Array[] =
    prompt.length === 0
      ? stack.readPredictions().map((p) => {
          const size = p.length / streams;
          return p.slice(r * size, (r + 1) * size);
        })
      : [];
  const advance = (x: Float32Array): void => {
    const next = e.scope(() => {
      const row = e.matrix(x, 1, input.size);
      let below = row;
      const codes = layers.map((layer, l) => {
        const { code } = layer.encode([below, context[l]!], false);
        below = code;
        return code;
      });
      const code = codes[codes.length - 1]!;
      const out = top.predict(inputSkip ? e.concatCols([code, row]) : code);
      return { codes: codes.map((c) => e.keep(c)), out: out.map((p) => e.read(p)) };
    });
    e.free(context);
    context = next.codes;
    predictions = next.out;
  };
  const inputs: Float32Array[] = [];
  const drawn: Float32Array[][] = [];
  try {
    for (const x of prompt) advance(x);
    for (let t = 0; t < options.steps; t++) {
      const x = options.choose(predictions, t);
      if (!(x instanceof Float32Array) || x.length !== input.size)
        throw new ShapeMismatchError(`${where}: expected choose() to return ${input.size} inputs, but it did not`);
      inputs.push(x);
      drawn.push(predictions);
      advance(x);
    }
  } finally {
    e.free(context);
  }
  return { inputs, predictions: drawn };
}
