// Inference through the top auto-encoder (SPEC §5; the seed paper's figure 5): what is missing
// among [top code, side modalities] given what is known, the known parts clamped.
//   MAP:  iterate the reconstruction of the missing parts, x ← rec(x, known), to a fixed point;
//   MCMC: the clamped chain of the denoising auto-encoder, corrupt then reconstruct, x ← rec(x + ε, known),
//         with a sample taken every `iterations` steps after as many steps of burn-in.
// A missing code starts from its reconstruction with the code masked (rec_h(∅, y), learnt with
// `top.codeDropProbability`); a missing modality from its prediction given the code.

import type { Engine } from '../math/index.js';
import { choiceOption, numberOption } from '../options.js';
import { Rng } from '../random.js';
import type { ModalitySpec } from './modality.js';
import type { TopAutoEncoder } from './top-autoencoder.js';

export type InferenceMethod = 'map' | 'mcmc';

export interface TopInferenceOptions {
  readonly method: InferenceMethod;
  /** MAP: reconstruction steps. MCMC: steps of burn-in, and between two samples. */
  readonly iterations: number;
  /** MCMC: samples per row (MAP gives one). */
  readonly samples: number;
  /** MCMC: std of the corruption of the code at each step (the top auto-encoder's training noise). */
  readonly noise: number;
  readonly rng: Rng;
}

/** What a caller of `inferTop` may leave out (the stack's and the agent's `infer` take these). */
export interface InferenceChoices {
  /** 'map' (default): the clamped reconstruction iterated to a fixed point; 'mcmc': the clamped chain. */
  readonly method?: InferenceMethod;
  /** MAP: steps (default 20). MCMC: steps of burn-in and between samples (default 20). */
  readonly iterations?: number;
  /** MCMC: samples (default 10; MAP gives one). */
  readonly samples?: number;
  /** MCMC: std of the chain's corruption of the top code; default the top auto-encoder's `noise`. */
  readonly noise?: number;
  /** Seed of the chain's draws (the stack's generator is not touched); default 0. */
  readonly seed?: number;
}

export const INFERENCE_CHOICE_KEYS: readonly string[] = Object.freeze([
  'method',
  'iterations',
  'samples',
  'noise',
  'seed',
]);

/** Checks the choices of `where` (InvalidOptionError naming the option) and applies the defaults. */
export function inferenceOptions(where: string, choices: InferenceChoices, noise: number): TopInferenceOptions {
  const method = choiceOption(where, 'method', choices.method, 'map', ['map', 'mcmc'] as const);
  return {
    method,
    iterations: numberOption(where, 'iterations', choices.iterations, 20, { integer: true, min: 0 }),
    samples: method === 'map' ? 1 : numberOption(where, 'samples', choices.samples, 10, { integer: true, min: 1 }),
    noise: numberOption(where, 'noise', choices.noise, noise, { min: 0 }),
    rng: new Rng(numberOption(where, 'seed', choices.seed, 0, { integer: true })),
  };
}

/** One sample: the top code and every side modality (known ones as given), [rows × size] each. */
export interface TopSample<M> {
  readonly code: M;
  readonly side: M[];
}

/**
 * `code` null: the code is unknown. `side[k]` null: modality k is unknown; else its values
 * ([rows × size], a one-hot row for a class). Call inside a scope.
 */
export function inferTop<M>(
  e: Engine<M>,
  ae: TopAutoEncoder<M>,
  code: M | null,
  side: readonly (M | null)[],
  rows: number,
  options: TopInferenceOptions,
): TopSample<M>[] {
  const modalities: readonly ModalitySpec[] = ae.config.modalities;
  const codeSize = ae.config.codeSize;
  const ones = e.add(e.zeros(rows, 1), 1);
  const inputsOf = (values: readonly M[]): M[] => values.map((v) => e.concatCols([v, ones]));
  // Where nothing is known of a modality it enters as absent until the first estimate.
  const absent = (m: ModalitySpec): M => e.zeros(rows, m.size + 1);
  const knownInputs = side.map((v, k) => (v === null ? absent(modalities[k]!) : e.concatCols([v, ones])));
  let h: M = code ?? ae.reconstructCode(e.zeros(rows, codeSize), knownInputs);
  let estimates: M[] = side.map((v, k) => v ?? ae.decodeSide(ae.hidden(h, knownInputs))[k]!);
  const step = (corrupt: boolean): void => {
    const source = corrupt && code === null ? e.add(h, e.gaussian(rows, codeSize, options.noise, options.rng)) : h;
    const hidden = ae.hidden(source, inputsOf(estimates));
    const rec = ae.decodeSide(hidden);
    if (code === null) h = ae.decodeCode(hidden);
    estimates = estimates.map((v, k) =>
      side[k] !== null ? v : corrupt ? drawn(e, rec[k]!, modalities[k]!, options) : rec[k]!,
    );
  };
  if (options.method === 'map') {
    for (let i = 0; i < options.iterations; i++) step(false);
    return [{ code: h, side: estimates }];
  }
  const samples: TopSample<M>[] = [];
  for (let s = 0; s < options.samples; s++) {
    for (let i = 0; i < options.iterations; i++) step(true);
    samples.push({ code: h, side: estimates });
  }
  return samples;
}

/** A draw from a reconstruction: a one-hot class from probabilities, or the values plus noise. */
function drawn<M>(e: Engine<M>, rec: M, m: ModalitySpec, options: TopInferenceOptions): M {
  if (m.kind === 'continuous') return e.add(rec, e.gaussian(e.rows(rec), m.size, options.noise, options.rng));
  const p = e.read(rec);
  const rows = e.rows(rec);
  const out = new Float32Array(p.length);
  for (let r = 0; r < rows; r++) {
    let u = options.rng.float();
    let c = 0;
    for (; c < m.size - 1; c++) {
      u -= p[r * m.size + c]!;
      if (u < 0) break;
    }
    out[r * m.size + c] = 1;
  }
  return e.matrix(out, rows, m.size);
}
