// A test helper that plays one episode of a passive environment to its end and returns what it
// saw, so each environment's spec can assert on whole sequences.

import type { Environment, Info, StepResult } from '../../src/environment/environment.js';
import type { SpaceValue } from '../../src/environment/space.js';

export interface Episode<O extends SpaceValue> {
  /** The reset observation followed by every step's observation. */
  readonly observations: O[];
  /** The reset info followed by every step's info, aligned with `observations`. */
  readonly infos: Info[];
  /** Every step result, in order (one fewer than `observations`). */
  readonly steps: StepResult<O>[];
}

/** Resets (with `seed` when given) and steps until the episode terminates or is truncated. */
export function rollout<O extends SpaceValue>(env: Environment<O>, seed?: number, maxSteps = 100_000): Episode<O> {
  const first = env.reset(seed === undefined ? undefined : { seed });
  const observations = [first.observation];
  const infos = [first.info];
  const steps: StepResult<O>[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const result = env.step();
    observations.push(result.observation);
    infos.push(result.info);
    steps.push(result);
    if (result.terminated || result.truncated) return { observations, infos, steps };
  }
  throw new Error(`rollout: expected the episode to end within ${maxSteps} steps, but it did not`);
}

/** The symbols of an episode whose observations are records with an `observation` field. */
export function symbolsOf(observations: ReadonlyArray<{ observation: number }>): number[] {
  return observations.map((o) => o.observation);
}
