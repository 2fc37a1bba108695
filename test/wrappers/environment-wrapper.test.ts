// Specification of EnvironmentWrapper: forwards the whole environment contract to the wrapped
// environment, and each hook changes only what it names.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import type { ResetResult, StepResult } from '../../src/environment/environment.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { InvalidOptionError } from '../../src/errors.js';
import type { SpaceValue } from '../../src/environment/space.js';
import { EnvironmentWrapper } from '../../src/wrappers/environment-wrapper.js';
import { Walker } from './walker.js';
import { thrown } from '../helpers/thrown.js';

class PassThrough extends EnvironmentWrapper {}

/** Doubles box observations and maps action 2 to 0. */
class Doubler extends EnvironmentWrapper {
  protected override observation(value: SpaceValue): SpaceValue {
    return (value as Float32Array).map((x) => 2 * x);
  }

  protected override action(value: SpaceValue): SpaceValue {
    return value === 2 ? 0 : value;
  }
}

/** Counts what reaches the whole-result hooks. */
class Counter extends EnvironmentWrapper {
  resets = 0;
  steps = 0;

  protected override onReset(result: ResetResult): ResetResult {
    this.resets += 1;
    return { ...result, info: { ...result.info, resets: this.resets } };
  }

  protected override onStep(result: StepResult): StepResult {
    this.steps += 1;
    return { ...result, reward: 10 };
  }
}

describe('EnvironmentWrapper', () => {
  describe('constructor', () => {
    it('throws InvalidOptionError unless given an environment', () => {
      const error = thrown(() => new PassThrough({} as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(
        'PassThrough: expected an environment with reset() and step(), but got object with keys []',
      );
    });
  });

  describe('forwarding', () => {
    it('forwards the spaces, reset, step and close unchanged', () => {
      const inner = new Walker();
      const env = new PassThrough(inner);
      expect(env.observationSpace).toBe(inner.observationSpace);
      expect(env.actionSpace).toBe(inner.actionSpace);
      const reference = new Walker();
      expect(env.reset({ seed: 3 })).toEqual(reference.reset({ seed: 3 }));
      for (const action of [0, 2, 1, 1]) expect(env.step(action)).toEqual(reference.step(action));
      env.close();
      expect(inner.closed).toBe(1);
    });

    it('forwards the spec of the inner environment until one is set on the wrapper', () => {
      const inner = makeEnvironment('Reber-v0');
      const env = new PassThrough(inner);
      expect(env.spec).toBe(inner.spec);
      expect(env.spec?.id).toBe('Reber-v0');
      const own = { id: 'Mine-v0', description: 'mine', options: {} };
      env.spec = own;
      expect(env.spec).toBe(own);
      expect(inner.spec?.id).toBe('Reber-v0');
    });

    it('exposes .inner and, under several wrappers, .unwrapped', () => {
      const inner = new Walker();
      const middle = new PassThrough(inner);
      const outer = new Doubler(middle);
      expect(outer.inner).toBe(middle);
      expect(outer.unwrapped).toBe(inner);
      expect(middle.unwrapped).toBe(inner);
    });

    it('passes checkEnvironment around active and passive environments', () => {
      expect(checkEnvironment(() => new PassThrough(new Walker()))).toEqual({ steps: 300, episodes: 50 });
      expect(checkEnvironment(() => new PassThrough(makeEnvironment('Adding-v0', { length: 5 }))).episodes).toBe(75);
    });
  });

  describe('hooks', () => {
    it('maps every observation, of reset and of step, through observation()', () => {
      const env = new Doubler(new Walker());
      const reference = new Walker();
      expect(env.reset({ seed: 1 }).observation).toEqual(
        (reference.reset({ seed: 1 }).observation as Float32Array).map((x) => 2 * x),
      );
      const step = env.step(1);
      const expected = reference.step(1);
      expect(step.observation).toEqual((expected.observation as Float32Array).map((x) => 2 * x));
      expect({ ...step, observation: null }).toEqual({ ...expected, observation: null });
    });

    it('maps the action through action() before it reaches the inner environment', () => {
      const env = new Doubler(new Walker());
      const reference = new Walker();
      env.reset({ seed: 2 });
      reference.reset({ seed: 2 });
      expect(env.step(2).reward).toBe(reference.step(0).reward);
    });

    it('hands whole results to onReset() and onStep()', () => {
      const env = new Counter(new Walker());
      expect(env.reset({ seed: 0 }).info).toMatchObject({ resets: 1 });
      expect(env.step(0).reward).toBe(10);
      expect([env.resets, env.steps]).toEqual([1, 1]);
    });
  });
});
