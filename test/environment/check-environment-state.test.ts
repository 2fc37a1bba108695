// checkEnvironment on the optional state of the contract: an environment with getState/setState
// must go on exactly after a fresh instance is restored mid-run; one that forgets part of its
// state, or gives a state a checkpoint cannot keep, is named by the check.

import { describe, expect, it } from 'vitest';
import type { Environment, ResetOptions } from '../../src/environment/environment.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import { discrete } from '../../src/environment/space.js';
import { EnvironmentError, StateError } from '../../src/errors.js';
import { Rng } from '../../src/random.js';
import { thrown } from '../helpers/thrown.js';

/** A seeded counter with random jumps, in episodes of 9 steps; `forget` drops the clock from its state. */
function counter(faults: { forget?: boolean; fn?: boolean } = {}): Environment<number> {
  let rng = new Rng(0);
  let value = 0;
  let t = -1;
  return {
    observationSpace: discrete(10),
    actionSpace: null,
    reset(options?: ResetOptions) {
      if (options?.seed !== undefined) rng = new Rng(options.seed);
      value = rng.int(10);
      t = 0;
      return { observation: value, info: {} };
    },
    step() {
      if (t < 0) throw new StateError('ERR_RESET_NEEDED', 'counter.step: expected reset() first');
      if (t >= 9) throw new StateError('ERR_EPISODE_ENDED', 'counter.step: expected reset() after the end');
      t++;
      value = (value + 1 + rng.int(2)) % 10;
      return { observation: value, reward: 0, terminated: t === 9, truncated: false, info: {} };
    },
    getState() {
      return { rng: rng.getState(), value, ...(faults.forget ? {} : { t }), ...(faults.fn ? { f: () => 1 } : {}) };
    },
    setState(state: unknown) {
      const s = state as { rng: ReturnType<Rng['getState']>; value: number; t?: number };
      rng = new Rng(0);
      rng.setState(s.rng);
      value = s.value;
      t = s.t ?? 0;
    },
  };
}

describe('checkEnvironment, state', () => {
  it('passes an environment whose restored copy goes on exactly', () => {
    expect(checkEnvironment(() => counter(), { steps: 60 })).toEqual({ steps: 60, episodes: 6 });
  });

  it('names an environment whose restored copy goes another way', () => {
    const error = thrown(() => checkEnvironment(() => counter({ forget: true }), { steps: 64 }));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toMatch(
      /^checkEnvironment: expected an instance restored with setState\(getState\(\)\) at step \d+ to go on exactly /,
    );
    expect((error as Error).message).toMatch(/ as the original, but \d+ steps later they differ: /);
  });

  it('names a state that a checkpoint cannot keep', () => {
    const error = thrown(() => checkEnvironment(() => counter({ fn: true }), { steps: 60 }));
    const message = (error as Error).message;
    expect(message).toMatch(
      /^checkEnvironment: expected getState\(\) at step \d+ to give plain data a checkpoint keeps /,
    );
    expect(message).toMatch(/\(objects, .*\), but it came back as \{"f":undefined,/);
  });
});
