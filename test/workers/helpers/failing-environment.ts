// An environment module for the sharded-run tests: the symbols 0 1 2 3 over and over, episodes of
// 50 steps; the copy first reset with seed `failSeed` throws an EnvironmentError at its `failAt`th
// step (default: never).

import type { Environment, ResetResult, StepResult } from '../../../src/environment/environment.js';
import { discrete } from '../../../src/environment/space.js';
import { EnvironmentError } from '../../../src/errors.js';

export default function createEnvironment(options: { failSeed?: number; failAt?: number } = {}): Environment {
  let seed: number | null = null;
  let t = 0;
  let steps = 0;
  return {
    observationSpace: discrete(4),
    actionSpace: null,
    reset(reset?: { seed?: number }): ResetResult {
      seed ??= reset?.seed ?? null;
      t = 0;
      return { observation: 0, info: {} };
    },
    step(): StepResult {
      steps++;
      if (seed === options.failSeed && steps >= (options.failAt ?? Number.POSITIVE_INFINITY))
        throw new EnvironmentError(`boom at step ${steps} of the copy seeded ${seed}`);
      t++;
      return { observation: t % 4, reward: 0, terminated: false, truncated: t >= 50, info: {} };
    },
    close(): void {},
  };
}
