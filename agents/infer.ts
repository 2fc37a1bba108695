// A predictive agent's inference of the modalities missing from an observation, by name: the
// checks of the query (typed errors before anything is computed) around the stack's inference.

import { InvalidOptionError, ShapeMismatchError } from '../src/errors.js';
import { type ModalitySpec, type ModalityValue, writeModality } from '../src/learner/modality.js';
import type { RecurrentStack } from '../src/learner/recurrent-stack.js';
import { inferRecurrent } from '../src/learner/recurrent-inference.js';
import { INFERENCE_CHOICE_KEYS, type InferenceChoices, inferenceOptions } from '../src/learner/top-inference.js';
import { checkKeys, numberOption } from '../src/options.js';

/** How to infer (see InferenceChoices), and the stream whose context the observation continues (default 0). */
export interface AgentInferOptions extends InferenceChoices {
  readonly stream?: number;
}

export interface AgentInference {
  /** Per sample (one for MAP), each missing modality: class probabilities (a one-hot draw under MCMC) or values. */
  readonly samples: Record<string, Float32Array>[];
}

export const AGENT_INFER_KEYS = Object.freeze([...INFERENCE_CHOICE_KEYS, 'stream']);

export function inferAgent(
  stack: RecurrentStack,
  input: ModalitySpec,
  side: readonly ModalitySpec[],
  known: Readonly<Record<string, ModalityValue | undefined>>,
  options: AgentInferOptions,
  where: string,
): AgentInference {
  checkKeys(where, options, AGENT_INFER_KEYS);
  const settings = inferenceOptions(where, options, stack.top.config.noise);
  const stream = numberOption(where, 'stream', options.stream, 0, { integer: true, min: 0 });
  if (side.length === 0)
    throw new InvalidOptionError(`${where}: expected an agent with side modalities to infer, but it has none`);
  if (typeof known !== 'object' || known === null || Array.isArray(known) || ArrayBuffer.isView(known))
    throw new InvalidOptionError(`${where}: expected the known modalities as a record by name`);
  const names = [input.name, ...side.map((m) => m.name)];
  const unknown = Object.keys(known).find((k) => !names.includes(k));
  if (unknown !== undefined)
    throw new InvalidOptionError(`${where}: expected modalities among [${names.join(', ')}], but got "${unknown}"`);
  const value = known[input.name];
  if (value === undefined)
    throw new InvalidOptionError(
      `${where}: expected the input "${input.name}" (what the stack encodes), but it is missing`,
    );
  const x = new Float32Array(input.size);
  writeModality(input, value, x, 0, where);
  const rows = side.map((m) => {
    const v = known[m.name];
    if (v === undefined) return null;
    const row = new Float32Array(m.size);
    writeModality(m, v, row, 0, where);
    return row;
  });
  if (rows.every((r) => r !== null))
    throw new InvalidOptionError(`${where}: expected a side modality missing to infer, but every one is given`);
  if (x.length !== stack.options.input.size)
    throw new ShapeMismatchError(`${where}: expected an input of ${stack.options.input.size} values`);
  const drawn = inferRecurrent(stack, x, rows, { stream, ...settings });
  return {
    samples: drawn.map((values) => {
      const out: Record<string, Float32Array> = {};
      side.forEach((m, k) => {
        if (rows[k] === null) out[m.name] = values[k]!;
      });
      return out;
    }),
  };
}
