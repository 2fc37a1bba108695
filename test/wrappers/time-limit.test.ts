// Specification of TimeLimit: the step that reaches `maxSteps` is truncated (unless it
// terminated), and the episode is then over until the next reset.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { InvalidOptionError, StateError } from '../../src/errors.js';
import { TimeLimit } from '../../src/wrappers/time-limit.js';
import { Walker } from './walker.js';
import { thrown } from '../helpers/thrown.js';

const flags = (env: TimeLimit, steps: number, action?: number): string[] =>
  Array.from({ length: steps }, () => {
    const { terminated, truncated } = env.step(action);
    return `${terminated ? 'T' : '-'}${truncated ? 't' : '-'}`;
  });

describe('TimeLimit', () => {
  describe('constructor', () => {
    it.each([
      [undefined, 'TimeLimit: expected option "maxSteps" (an integer >= 1), but got none'],
      [{}, 'TimeLimit: expected option "maxSteps" (an integer >= 1), but got none'],
      [{ maxSteps: 0 }, 'TimeLimit: expected option "maxSteps" to be an integer >= 1, but got 0'],
      [{ maxSteps: 2.5 }, 'TimeLimit: expected option "maxSteps" to be an integer >= 1, but got 2.5'],
      [{ maxSteps: '3' }, 'TimeLimit: expected option "maxSteps" to be an integer >= 1, but got "3"'],
      [{ maxSteps: 3, max: 4 }, 'TimeLimit: expected options among [maxSteps], but got unknown option "max"'],
    ])('throws InvalidOptionError on %j', (options, message) => {
      const error = thrown(() => new TimeLimit(new Walker(), options as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(message);
    });

    it('keeps maxSteps and the inner spaces', () => {
      const inner = makeEnvironment('SineMixture-v0');
      const env = new TimeLimit(inner, { maxSteps: 7 });
      expect(env.maxSteps).toBe(7);
      expect(env.observationSpace).toBe(inner.observationSpace);
      expect(env.actionSpace).toBeNull();
    });
  });

  describe('#step', () => {
    it('truncates exactly the step that reaches maxSteps, and passes the rest through', () => {
      const env = new TimeLimit(makeEnvironment('SineMixture-v0'), { maxSteps: 4 });
      const reference = makeEnvironment('SineMixture-v0');
      env.reset({ seed: 5 });
      reference.reset({ seed: 5 });
      for (let t = 1; t <= 4; t++) {
        expect(env.elapsedSteps).toBe(t - 1);
        const step = env.step();
        expect(step).toEqual({ ...reference.step(), truncated: t === 4 });
      }
      expect(env.elapsedSteps).toBe(4);
    });

    it('then throws StateError ERR_EPISODE_ENDED until reset, and counts again from the reset', () => {
      const env = new TimeLimit(makeEnvironment('SineMixture-v0'), { maxSteps: 3 });
      env.reset({ seed: 0 });
      expect(flags(env, 3)).toEqual(['--', '--', '-t']);
      const error = thrown(() => env.step());
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).code).toBe('ERR_EPISODE_ENDED');
      expect((error as Error).message).toBe('TimeLimit.step: expected reset() after the episode ended, but got step()');
      env.reset();
      expect(env.elapsedSteps).toBe(0);
      expect(flags(env, 3)).toEqual(['--', '--', '-t']);
    });

    it('keeps the flags of a step that terminates on the limit: terminated, not truncated', () => {
      const env = new TimeLimit(new Walker(3), { maxSteps: 3 });
      env.reset({ seed: 0 });
      expect(flags(env, 3, 1)).toEqual(['--', '--', 'T-']);
      expect((thrown(() => env.step(1)) as StateError).code).toBe('ERR_EPISODE_ENDED');
    });

    it('lets an episode that ends before the limit end there', () => {
      const env = new TimeLimit(new Walker(2), { maxSteps: 5 });
      env.reset({ seed: 0 });
      expect(flags(env, 2, 0)).toEqual(['--', 'T-']);
      expect((thrown(() => env.step(0)) as StateError).code).toBe('ERR_EPISODE_ENDED');
      env.reset();
      expect(flags(env, 2, 0)).toEqual(['--', 'T-']);
    });

    it('throws StateError ERR_RESET_NEEDED before the first reset', () => {
      const error = thrown(() => new TimeLimit(new Walker(), { maxSteps: 2 }).step(0));
      expect(error).toBeInstanceOf(StateError);
      expect((error as StateError).code).toBe('ERR_RESET_NEEDED');
      expect((error as Error).message).toBe('TimeLimit.step: expected reset() before the first step, but got step()');
    });

    it('restarts the count on a reset in the middle of an episode', () => {
      const env = new TimeLimit(makeEnvironment('SineMixture-v0'), { maxSteps: 3 });
      env.reset({ seed: 0 });
      flags(env, 2);
      env.reset();
      expect(flags(env, 3)).toEqual(['--', '--', '-t']);
    });
  });

  describe('checkEnvironment', () => {
    it('passes on passive and active environments, one episode per maxSteps steps', () => {
      expect(checkEnvironment(() => new TimeLimit(makeEnvironment('SineMixture-v0'), { maxSteps: 10 }))).toEqual({
        steps: 300,
        episodes: 30,
      });
      expect(
        checkEnvironment(() => new TimeLimit(makeEnvironment('Reber-v0'), { maxSteps: 4 })).episodes,
      ).toBeGreaterThanOrEqual(75);
      expect(checkEnvironment(() => new TimeLimit(new Walker(8), { maxSteps: 5 }))).toEqual({
        steps: 300,
        episodes: 60,
      });
    });
  });
});
