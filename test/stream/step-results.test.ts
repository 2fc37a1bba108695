// Every step result read in a run is checked, not only those of the up-front check: a flag that
// is not a boolean (1, "yes") or a reward that is not a finite number is the environment's fault,
// an EnvironmentError naming the step, never silently read as false.

import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Environment, StepResult } from '../../src/environment/environment.js';
import { discrete } from '../../src/environment/space.js';
import { EnvironmentError } from '../../src/errors.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { fromEnvironment } from '../../src/stream/from-environment.js';
import { LiveRun } from '../../src/stream/live-run.js';
import { thrown } from '../helpers/thrown.js';
import { FakeAgent } from './helpers/fake-agent.js';

/** Episodes of 4 steps; from step `at` of the run on, `fault` is merged into every step result. */
function faulty(at: number, fault: Record<string, unknown>): Environment<number> {
  let t = 0;
  let calls = 0;
  return {
    observationSpace: discrete(4),
    actionSpace: null,
    reset: () => {
      t = 0;
      return { observation: 0, info: {} };
    },
    step: () => {
      t++;
      calls++;
      const result = { observation: t % 4, reward: 0, terminated: t === 4, truncated: false, info: {} };
      return (calls >= at ? { ...result, ...fault } : result) as StepResult<number>;
    },
  };
}

const CASES: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
  [{ terminated: 1 }, 'expected "terminated" to be a boolean, but got 1'],
  [{ truncated: 'yes' }, 'expected "truncated" to be a boolean, but got "yes"'],
  [{ terminated: undefined }, 'expected "terminated" to be a boolean, but got undefined'],
  [{ reward: '1' }, 'expected "reward" to be a finite number, but got "1"'],
  [{ reward: Number.NaN }, 'expected "reward" to be a finite number, but got NaN'],
  [{ info: 5 }, 'expected "info" to be an object, but got 5'],
];

describe('environment step results in a run', () => {
  it.each(CASES)('refuses %j with an EnvironmentError naming the step', (fault, message) => {
    const error = thrown(() => [...environmentTransitions(faulty(6, fault), { episodes: 5 })]);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toBe(`Environment.step: ${message} (transition 7 of the run)`);
  });

  it('fails fromEnvironment and a LiveRun the same way, rather than running past --episodes', async () => {
    const stream = lastValueFrom(fromEnvironment(faulty(3, { terminated: 1 }), { episodes: 2 }).pipe(toArray()));
    await expect(stream).rejects.toThrow(EnvironmentError);
    const run = new LiveRun(new FakeAgent(), faulty(3, { truncated: 'yes' }), { episodes: 2 });
    run.start();
    await expect(run.done).rejects.toMatchObject({ code: 'ERR_ENVIRONMENT' });
  });

  it('refuses a reset result whose info is not an object', () => {
    const env = { ...faulty(1, {}), reset: () => ({ observation: 0, info: 'none' }) } as unknown as Environment;
    expect((thrown(() => [...environmentTransitions(env, { steps: 3 })]) as Error).message).toBe(
      'Environment.reset: expected "info" to be an object, but got "none" (transition 0 of the run)',
    );
  });
});
