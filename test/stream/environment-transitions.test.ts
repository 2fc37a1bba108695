// Specification of environmentTransitions: the plain reset/step loop over an environment.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { TpropError } from '../../src/errors.js';
import { contains, discrete } from '../../src/environment/space.js';
import { environmentTransitions } from '../../src/stream/environment-transitions.js';
import { FakeEnvironment } from './helpers/fake-environment.js';

function take<T>(iterable: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  for (const item of iterable) {
    if (out.length >= n) break;
    out.push(item);
  }
  return out;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TpropError);
    return (error as TpropError).code;
  }
  throw new Error('expected a TpropError, but nothing was thrown');
}

describe('environmentTransitions', () => {
  it('yields the reset observation first, then steps, resetting after each episode end', () => {
    const env = makeEnvironment('Periodic-v0', { length: 3 });
    const ts = [...environmentTransitions(env, { seed: 1, steps: 7 })];
    expect(ts.map((t) => t.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(ts.map((t) => t.episode)).toEqual([0, 0, 0, 1, 1, 1, 2]);
    expect(ts.map((t) => t.first)).toEqual([true, false, false, true, false, false, true]);
    expect(ts.map((t) => t.truncated)).toEqual([false, false, true, false, false, true, false]);
    expect(ts[0]!.reward).toBe(0);
    expect(ts[0]!.info).toHaveProperty('offset');
  });

  it('seeds only the first reset, so later episodes continue the seeded stream', () => {
    const env = new FakeEnvironment({ episodeLength: 2 });
    [...environmentTransitions(env, { seed: 42, steps: 6 })];
    expect(env.resetSeeds).toEqual([42, undefined, undefined]);
  });

  it('gives the same transitions for the same seed', () => {
    const run = (seed: number) =>
      [...environmentTransitions(makeEnvironment('Reber-v0'), { seed, steps: 200 })].map((t) => t.observation);
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('stops after `steps` transitions or `episodes` finished episodes, whichever comes first', () => {
    const env = () => new FakeEnvironment({ episodeLength: 3 });
    expect([...environmentTransitions(env(), { steps: 5 })]).toHaveLength(5);
    expect([...environmentTransitions(env(), { episodes: 2 })]).toHaveLength(6);
    expect([...environmentTransitions(env(), { episodes: 2, steps: 4 })]).toHaveLength(4);
    expect([...environmentTransitions(env(), { episodes: 1, steps: 100 })]).toHaveLength(3);
    expect([...environmentTransitions(env(), { steps: 0 })]).toHaveLength(0);
  });

  it('does not reset after the last episode it was asked for', () => {
    const env = new FakeEnvironment({ episodeLength: 3 });
    [...environmentTransitions(env, { episodes: 2 })];
    expect(env.resetCalls).toBe(2);
  });

  it('runs without end when given neither limit', () => {
    expect(take(environmentTransitions(new FakeEnvironment()), 5000)).toHaveLength(5000);
  });

  it('steps the environment only when the next transition is asked for', () => {
    const env = new FakeEnvironment({ episodeLength: 100 });
    const it = environmentTransitions(env);
    expect(env.resetCalls).toBe(0);
    it.next();
    expect([env.resetCalls, env.stepCalls]).toEqual([1, 0]);
    it.next();
    it.next();
    expect(env.stepCalls).toBe(2);
  });

  it('passes no action to a passive environment', () => {
    const env = makeEnvironment('Periodic-v0');
    expect(() => [...environmentTransitions(env, { steps: 50 })]).not.toThrow();
  });

  it('passes `policy(previous transition)` as the action when the environment has actions', () => {
    const env = new FakeEnvironment({ actionSpace: discrete(3) });
    const seen: number[] = [];
    [
      ...environmentTransitions(env, {
        steps: 4,
        policy: (t) => {
          seen.push(t.step);
          return t.step % 3;
        },
      }),
    ];
    expect(seen).toEqual([0, 1, 2]);
    expect(env.actions).toEqual([0, 1, 2]);
  });

  it('samples actions uniformly from the action space by default, seeded', () => {
    const actions = (seed: number) => {
      const env = new FakeEnvironment({ actionSpace: discrete(5), episodeLength: 10 });
      [...environmentTransitions(env, { seed, steps: 300 })];
      return env.actions;
    };
    const a = actions(3);
    expect(a.every((x) => contains(discrete(5), x))).toBe(true);
    expect(new Set(a).size).toBe(5);
    expect(actions(3)).toEqual(a);
    expect(actions(4)).not.toEqual(a);
  });

  it('lets the environment’s typed error through', () => {
    const env = new FakeEnvironment({ throwAt: 2 });
    expect(codeOf(() => [...environmentTransitions(env, { steps: 10 })])).toBe('ERR_ENVIRONMENT');
  });

  it('reports a step result that is not an object as an EnvironmentError', () => {
    const env = new FakeEnvironment();
    env.step = (() => undefined) as never;
    expect(codeOf(() => [...environmentTransitions(env, { steps: 3 })])).toBe('ERR_ENVIRONMENT');
  });

  it('rejects invalid options at the call, naming the option', () => {
    const env = new FakeEnvironment();
    expect(codeOf(() => environmentTransitions(env, { steps: -1 }))).toBe('ERR_INVALID_OPTION');
    expect(codeOf(() => environmentTransitions(env, { episodes: 1.5 }))).toBe('ERR_INVALID_OPTION');
    expect(codeOf(() => environmentTransitions(env, { seed: Number.NaN }))).toBe('ERR_INVALID_OPTION');
    expect(codeOf(() => environmentTransitions(env, { policy: 3 as never }))).toBe('ERR_INVALID_OPTION');
    expect(codeOf(() => environmentTransitions(env, { stpes: 3 } as never))).toBe('ERR_INVALID_OPTION');
    expect(() => environmentTransitions(env, { steps: -1 })).toThrow(/"steps"/);
  });
});
