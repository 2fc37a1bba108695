// Dreaming: a predictive agent's stack run free, each dreamed observation drawn from the
// prediction of the step before and fed back as the next input, at a temperature, from the
// agent's current state or from a prompt. Plain data out; the learner is left as it was.

import { InvalidOptionError } from '../src/errors.js';
import { freeRun } from '../src/learner/free-run.js';
import { type ModalitySpec, type ModalityValue, writeModality } from '../src/learner/modality.js';
import type { RecurrentStack } from '../src/learner/recurrent-stack.js';
import { checkKeys, numberOption } from '../src/options.js';
import { Rng } from '../src/random.js';

export interface DreamOptions {
  /** Observations to dream after the prompt (an integer >= 1). */
  readonly steps: number;
  /**
   * How freely each observation is drawn (>= 0). A symbol: from the predicted probabilities
   * raised to 1/T and renormalised (1: as predicted; 0: the most likely). A vector: the predicted
   * value plus T × σ × N(0, 1), σ the root of the recent mean squared error per entry (0: the
   * prediction itself), each entry kept in the space's box and in the range the input has taken
   * so far (an unstable free run would otherwise run off to values never seen). Default 1.
   */
  readonly temperature?: number;
  /** Seed of the draws (the agent's own generator is not touched); default 0. */
  readonly seed?: number;
  /**
   * Observations of the input (symbols, or vectors of its size) to feed first, from an empty
   * context as at the start of an episode. Without one, the dream goes on from the stream's
   * current state and the predictions its last step made (where that step ended an episode, as
   * if the episode went on).
   */
  readonly prompt?: readonly ModalityValue[];
  /** The stream whose state a dream without a prompt goes on from; default 0. */
  readonly stream?: number;
}

export interface Dream {
  /** The dreamed observations of the input: symbols for a discrete input, else vectors. */
  readonly values: (number | Float32Array)[];
  /** Per dreamed observation, the prediction it was drawn from: probabilities or values. */
  readonly predictions: Float32Array[];
}

export const DREAM_KEYS = Object.freeze(['steps', 'temperature', 'seed', 'prompt', 'stream']);

/**
 * The dream of `stack` over input `spec`: a vector's draws spread by `sigma` at temperature 1,
 * each entry kept in [low[i], high[i]].
 * `where` names the caller in errors.
 */
export function dream(
  stack: RecurrentStack,
  spec: ModalitySpec,
  draw: { readonly sigma: number; readonly low: readonly number[]; readonly high: readonly number[] },
  options: DreamOptions,
  where: string,
): Dream {
  const { sigma, low, high } = draw;
  checkKeys(where, options, DREAM_KEYS);
  const steps = numberOption(where, 'steps', options?.steps, Number.NaN, { integer: true, min: 1 });
  const temperature = numberOption(where, 'temperature', options.temperature, 1, { min: 0 });
  const seed = numberOption(where, 'seed', options.seed, 0, { integer: true });
  const stream = numberOption(where, 'stream', options.stream, 0, { integer: true, min: 0 });
  if (options.prompt !== undefined && !Array.isArray(options.prompt))
    throw new InvalidOptionError(`${where}: expected option "prompt" to be an array of observations`);
  const prompt = (options.prompt ?? []).map((value, i) => {
    const row = new Float32Array(spec.size);
    writeModality(spec, value, row, 0, `${where}: prompt entry ${i}`);
    return row;
  });
  const rng = new Rng(seed);
  const next = stack.modalities.findIndex((m) => m.name === 'next');
  const categorical = spec.kind === 'categorical';
  const values: (number | Float32Array)[] = [];
  const run = freeRun(stack, {
    stream,
    fresh: prompt.length > 0,
    prompt,
    steps,
    choose: (predictions) => {
      const p = predictions[next]!;
      const row = new Float32Array(spec.size);
      if (categorical) {
        const symbol = drawSymbol(p, temperature, rng);
        row[symbol] = 1;
        values.push(symbol);
      } else {
        // A dreamed observation stays in the space's box, as a drawn one would.
        for (let i = 0; i < row.length; i++) {
          const v = p[i]! + (temperature > 0 && sigma > 0 ? temperature * sigma * rng.normal() : 0);
          row[i] = Math.min(high[i]!, Math.max(low[i]!, v));
        }
        values.push(row.slice());
      }
      return row;
    },
  });
  return { values, predictions: run.predictions.map((p) => p[next]!.slice()) };
}

/** A symbol from probabilities `p` at temperature `t` (0: the most likely, the first on a tie). */
function drawSymbol(p: Float32Array, t: number, rng: Rng): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
  if (t === 0) return best;
  // Powers relative to the largest, so that 1/t does not underflow every weight to 0.
  const weights = Array.from(p, (v) => (v > 0 ? (v / p[best]!) ** (1 / t) : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  let u = rng.float() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return best;
}
