// The batches a vector environment gives, as one Transition per copy per step: what an agent
// that steps several streams together (observeBatch) consumes. The vector must autoreset in
// 'next-step' mode, so that every copy's reset is a step of its own and no observation is lost.

import type { Transition } from '../agent/agent.js';
import { InvalidOptionError } from '../errors.js';
import type { VectorEnvironment } from '../wrappers/vector-environment.js';

export interface VectorTransitionsOptions {
  /** Vector steps to take (each gives one transition per copy); default endless. */
  readonly steps?: number;
  /** Reseeds the copies (seed + i) at the start; default: the vector's own seeding. */
  readonly seed?: number;
}

/** A synchronous generator of batches (arrays of `copies` transitions), starting with the resets. */
export function* vectorTransitions(
  vector: VectorEnvironment,
  options: VectorTransitionsOptions = {},
): Generator<Transition[], void, undefined> {
  if (vector.autoreset !== 'next-step') {
    throw new InvalidOptionError(
      `vectorTransitions: expected a VectorEnvironment with autoreset 'next-step', but got '${vector.autoreset}'`,
    );
  }
  const copies = vector.copies;
  const episodes = new Array<number>(copies).fill(0);
  const start = vector.reset(options.seed === undefined ? {} : { seed: options.seed });
  let batch: Transition[] = start.observations.map((observation, i) => ({
    step: 0,
    episode: 0,
    observation,
    reward: 0,
    terminated: false,
    truncated: false,
    info: start.infos[i]!,
    first: true,
  }));
  for (let step = 0; options.steps === undefined || step < options.steps; step++) {
    yield batch;
    const ended = batch.map((t) => t.terminated || t.truncated);
    const r = vector.step();
    batch = r.observations.map((observation, i) => {
      if (ended[i]) episodes[i]!++;
      // The vector marks a reset step in its info; here `first` says it.
      const { reset: _reset, ...info } = r.infos[i]!;
      return {
        step: step + 1,
        episode: episodes[i]!,
        observation,
        reward: r.rewards[i]!,
        terminated: r.terminated[i]!,
        truncated: r.truncated[i]!,
        info,
        first: ended[i]!,
      };
    });
  }
}
