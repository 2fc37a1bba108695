// Specification of MnistBandit-v0: guess the label of the MNIST digit shown, reward 1 when right;
// rounds walk a seeded permutation of the 10,000 digits, so none repeats within a pass.

import { beforeAll, describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { type Digits, loadMnist } from '../../environments/datasets/mnist.js';
import { MNIST_BANDIT_DEFAULTS, MnistBandit } from '../../environments/mnist-bandit.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import {
  CheckpointError,
  InvalidOptionError,
  NonFiniteError,
  ShapeMismatchError,
  type StateError,
} from '../../src/errors.js';
import { Rng } from '../../src/random.js';
import { thrown } from '../helpers/thrown.js';

// The digits in the order the environment indexes them, as the oracle; loaded once for the file.
let digits: Digits;
beforeAll(() => {
  digits = loadMnist({ seed: 0, trainSize: 10_000 }).train;
});

const imageOf = (row: number): Float32Array => digits.images.slice(row * 784, (row + 1) * 784);

/** The dataset rows an episode guesses under random actions, and the step results. */
function play(env: MnistBandit, steps: number, rng = new Rng(0)): number[] {
  const rows: number[] = [];
  for (let t = 0; t < steps; t++) {
    rows.push(env.digit);
    env.step(rng.int(10));
  }
  return rows;
}

describe('MnistBandit', () => {
  it('has the documented defaults and spaces, and passes the contract', () => {
    expect(MNIST_BANDIT_DEFAULTS).toEqual({ length: 10_000 });
    const env = new MnistBandit();
    expect(env.observationSpace).toEqual({ kind: 'box', shape: [784], low: 0, high: 1 });
    expect(env.actionSpace).toEqual({ kind: 'discrete', n: 10 });
    expect(makeEnvironment('MnistBandit-v0')).toBeInstanceOf(MnistBandit);
    expect(checkEnvironment(() => new MnistBandit({ length: 40 }), { steps: 200 }).episodes).toBe(5);
  });

  it('shows a digit, pays 1 exactly when the action is its label, and names the label only after the guess', () => {
    const env = new MnistBandit();
    const first = env.reset({ seed: 1 });
    expect(first.info).toEqual({});
    expect(first.observation).toEqual(imageOf(env.digit));
    const rng = new Rng(2);
    let shown = first.observation;
    let right = 0;
    for (let t = 0; t < 2000; t++) {
      const row = env.digit;
      expect(shown).toEqual(imageOf(row));
      // Half the time the true label, so both rewards are seen often.
      const action = t % 2 === 0 ? digits.labels[row]! : rng.int(10);
      const step = env.step(action);
      expect(Object.keys(step.info).sort()).toEqual(['correct', 'label']);
      expect(step.info.label).toBe(digits.labels[row]);
      expect(step.reward).toBe(action === step.info.label ? 1 : 0);
      expect(step.info.correct).toBe(step.reward === 1);
      expect(step).toMatchObject({ terminated: false, truncated: false });
      right += step.reward;
      shown = step.observation;
    }
    expect(right).toBeGreaterThan(1000);
    expect(right).toBeLessThan(1200);
  });

  it('goes through every digit once per pass, then draws a new permutation', () => {
    const env = new MnistBandit();
    env.reset({ seed: 3 });
    const pass = play(env, 10_000);
    expect(new Set(pass).size).toBe(10_000);
    // The default episode is one pass; the next one starts the next pass.
    expect((thrown(() => env.step(0)) as StateError).code).toBe('ERR_EPISODE_ENDED');
    env.reset();
    const next = play(env, 10_000);
    expect(new Set(next).size).toBe(10_000);
    expect(next.slice(0, 20)).not.toEqual(pass.slice(0, 20));
  });

  it('truncates after `length` rounds; a reset without a seed shows the pending digit and goes on', () => {
    const env = new MnistBandit({ length: 5 });
    env.reset({ seed: 4 });
    const episodes: number[] = [];
    for (let e = 0; e < 4; e++) {
      for (let t = 1; t <= 5; t++) {
        episodes.push(env.digit);
        const step = env.step(0);
        expect(step.truncated).toBe(t === 5);
        if (t === 5) {
          expect((thrown(() => env.step(0)) as StateError).code).toBe('ERR_EPISODE_ENDED');
          const pending = env.digit;
          expect(env.reset().observation).toEqual(step.observation);
          expect(env.digit).toBe(pending);
        }
      }
    }
    expect(new Set(episodes).size).toBe(20);
  });

  it('gives the same rounds for the same seed and other rounds for another', () => {
    const a = new MnistBandit();
    const b = new MnistBandit();
    a.reset({ seed: 7 });
    b.reset({ seed: 7 });
    expect(play(a, 50)).toEqual(play(b, 50));
    b.reset({ seed: 8 });
    a.reset({ seed: 7 });
    expect(play(a, 50)).not.toEqual(play(b, 50));
  });

  describe('#getState, #setState', () => {
    it('keeps the pass seed and position, not the images, and a restored instance goes on identically', () => {
      const env = new MnistBandit({ length: 300 });
      env.reset({ seed: 5 });
      play(env, 123);
      const state = env.getState();
      expect(Object.keys(state).sort()).toEqual(['environment', 'passSeed', 'position', 'rng', 't']);
      expect(JSON.stringify(state).length).toBeLessThan(200);
      const copy = new MnistBandit({ length: 300 });
      copy.setState(JSON.parse(JSON.stringify(state)));
      expect(copy.digit).toBe(env.digit);
      expect(play(copy, 100, new Rng(9))).toEqual(play(env, 100, new Rng(9)));
    });

    it('restores across the end of a pass', () => {
      const env = new MnistBandit();
      env.reset({ seed: 6 });
      env.setState({ ...env.getState(), position: 9_998 });
      const seed = env.getState().passSeed;
      const copy = new MnistBandit();
      copy.setState(env.getState());
      const rows = play(env, 5);
      expect(play(copy, 5)).toEqual(rows);
      expect(env.getState().position).toBe(3);
      expect(env.getState().passSeed).not.toBe(seed);
    });

    it('refuses another environment’s state (MISMATCH) and a malformed one (CORRUPT), changing nothing', () => {
      const env = new MnistBandit();
      env.reset({ seed: 1 });
      const before = env.getState();
      const cases: [unknown, string][] = [
        [{ environment: 'CartPole' }, 'ERR_CHECKPOINT_MISMATCH'],
        [{ ...before, position: 10_000 }, 'ERR_CHECKPOINT_CORRUPT'],
        [{ ...before, passSeed: -1 }, 'ERR_CHECKPOINT_CORRUPT'],
        [{ ...before, t: 10_001 }, 'ERR_CHECKPOINT_CORRUPT'],
        [{ ...before, rng: null }, 'ERR_CHECKPOINT_CORRUPT'],
      ];
      for (const [state, code] of cases) {
        const error = thrown(() => env.setState(state));
        expect(error).toBeInstanceOf(CheckpointError);
        expect((error as CheckpointError).code).toBe(code);
        expect(env.getState()).toEqual(before);
      }
    });
  });

  it('refuses bad actions and steps outside an episode with typed errors, changing nothing', () => {
    const env = new MnistBandit();
    expect((thrown(() => env.step(1)) as StateError).code).toBe('ERR_RESET_NEEDED');
    env.reset({ seed: 1 });
    const before = env.getState();
    for (const bad of [10, -1, 0.5, '1', null, undefined]) {
      const error = thrown(() => env.step(bad as never));
      expect(error).toBeInstanceOf(ShapeMismatchError);
      expect((error as Error).message).toMatch(/^MnistBandit\.step: action: expected an integer in \[0, 10\), but/);
    }
    expect(thrown(() => env.step(Number.NaN))).toBeInstanceOf(NonFiniteError);
    expect(env.getState()).toEqual(before);
    expect(thrown(() => new MnistBandit({ length: 0 }))).toBeInstanceOf(InvalidOptionError);
  });
});
