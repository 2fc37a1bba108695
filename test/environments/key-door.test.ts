// Specification of KeyDoor-v0: a grid world where the door pays 1 only after the key was fetched;
// walls, the shortest path, the door without the key, the time limit, state and bad actions.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { KEY_DOOR_DEFAULTS, KeyDoor } from '../../environments/key-door.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import type { StepResult } from '../../src/environment/environment.js';
import {
  CheckpointError,
  InvalidOptionError,
  NonFiniteError,
  ShapeMismatchError,
  type StateError,
} from '../../src/errors.js';
import { Rng } from '../../src/random.js';
import { thrown } from '../helpers/thrown.js';

const [UP, RIGHT, DOWN, LEFT] = [0, 1, 2, 3];

/** The observation of the agent on `cell` of a size×size grid, holding the key or not. */
function observation(size: number, cell: number, hasKey: boolean): Float32Array {
  const o = new Float32Array(size * size + 1);
  o[cell] = 1;
  o[size * size] = hasKey ? 1 : 0;
  return o;
}

/** The share of `episodes` that a uniformly random policy (actions from Rng(0)) ends at the door. */
function randomSuccess(env: KeyDoor, episodes: number): number {
  const rng = new Rng(0);
  let wins = 0;
  for (let e = 0; e < episodes; e++) {
    env.reset({ seed: e });
    for (;;) {
      const step = env.step(rng.int(4));
      if (step.terminated) wins += 1;
      if (step.terminated || step.truncated) break;
    }
  }
  return wins / episodes;
}

describe('KeyDoor', () => {
  it('has the documented defaults and spaces, and passes the contract', () => {
    expect(KEY_DOOR_DEFAULTS).toEqual({ size: 5, length: 100, randomize: false, stepPenalty: 0 });
    const env = new KeyDoor();
    expect(env.observationSpace).toEqual({ kind: 'box', shape: [26], low: 0, high: 1 });
    expect(env.actionSpace).toEqual({ kind: 'discrete', n: 4, labels: ['up', 'right', 'down', 'left'] });
    expect(makeEnvironment('KeyDoor-v0')).toBeInstanceOf(KeyDoor);
    expect(() => checkEnvironment(() => new KeyDoor())).not.toThrow();
    expect(checkEnvironment(() => new KeyDoor({ size: 4, length: 30 })).episodes).toBeGreaterThanOrEqual(9);
    expect(() => checkEnvironment(() => new KeyDoor({ randomize: true, stepPenalty: 0.01 }))).not.toThrow();
  });

  it('starts top-left with the key bottom-right and the door top-right, shown as a one-hot and a flag', () => {
    const env = new KeyDoor();
    const { observation: first, info } = env.reset({ seed: 0 });
    expect(first).toEqual(observation(5, 0, false));
    expect(info).toEqual({ hasKey: false });
    expect(env.position).toEqual({ agent: 0, key: 24 });
    expect(env.door).toBe(4);
  });

  it('leaves the agent in place when it walks into a wall', () => {
    const env = new KeyDoor({ size: 3 });
    env.reset({ seed: 0 });
    for (const action of [UP, LEFT]) expect(env.step(action).observation).toEqual(observation(3, 0, false));
    expect(env.step(DOWN).observation).toEqual(observation(3, 3, false));
    expect(env.step(DOWN).observation).toEqual(observation(3, 6, false));
    expect(env.step(DOWN).observation).toEqual(observation(3, 6, false));
    expect(env.step(LEFT).observation).toEqual(observation(3, 6, false));
    expect(env.step(RIGHT).observation).toEqual(observation(3, 7, false));
  });

  it('pays 1 and terminates on the door with the key, after the shortest path of 12 steps', () => {
    const env = new KeyDoor();
    env.reset({ seed: 0 });
    const path = [DOWN, DOWN, DOWN, DOWN, RIGHT, RIGHT, RIGHT, RIGHT, UP, UP, UP, UP];
    const cells = [5, 10, 15, 20, 21, 22, 23, 24, 19, 14, 9, 4];
    let last: StepResult<Float32Array> | undefined;
    path.forEach((action, i) => {
      last = env.step(action);
      const hasKey = i >= 7;
      expect(last.observation).toEqual(observation(5, cells[i]!, hasKey));
      expect(last.info).toEqual({ hasKey, success: i === 11 });
      expect(last.reward).toBe(i === 11 ? 1 : 0);
      expect(last.terminated).toBe(i === 11);
      expect(last.truncated).toBe(false);
    });
    expect((thrown(() => env.step(UP)) as StateError).code).toBe('ERR_EPISODE_ENDED');
  });

  it('does nothing on the door without the key', () => {
    const env = new KeyDoor();
    env.reset({ seed: 0 });
    for (const action of [RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, UP]) {
      const step = env.step(action);
      expect(step).toMatchObject({ reward: 0, terminated: false, truncated: false });
      expect(step.info).toEqual({ hasKey: false, success: false });
    }
    expect(env.position.agent).toBe(env.door);
  });

  it('subtracts the step penalty from every step', () => {
    const env = new KeyDoor({ size: 3, stepPenalty: 0.25 });
    env.reset({ seed: 0 });
    const rewards = [DOWN, DOWN, RIGHT, RIGHT, UP, UP].map((a) => env.step(a).reward);
    expect(rewards).toEqual([-0.25, -0.25, -0.25, -0.25, -0.25, 0.75]);
  });

  it('truncates after `length` steps', () => {
    const env = new KeyDoor({ length: 10 });
    env.reset({ seed: 0 });
    for (let t = 1; t <= 10; t++) expect(env.step(UP)).toMatchObject({ terminated: false, truncated: t === 10 });
    expect((thrown(() => env.step(UP)) as StateError).code).toBe('ERR_EPISODE_ENDED');
    env.reset();
    expect(env.step(UP).truncated).toBe(false);
  });

  it('with randomize, draws distinct start and key cells, never the door, per episode from the seed', () => {
    const env = new KeyDoor({ randomize: true });
    const starts = new Set<number>();
    const keys = new Set<number>();
    for (let seed = 0; seed < 300; seed++) {
      const { observation: first } = env.reset({ seed });
      const { agent, key } = env.position;
      expect(first).toEqual(observation(5, agent, false));
      expect(agent).not.toBe(key);
      expect([agent, key]).not.toContain(env.door);
      starts.add(agent);
      keys.add(key);
    }
    expect(starts.size).toBe(24);
    expect(keys.size).toBe(24);
    env.reset({ seed: 9 });
    const first = env.position;
    const again = new KeyDoor({ randomize: true });
    again.reset({ seed: 9 });
    expect(again.position).toEqual(first);
  });

  it('lets a uniformly random policy succeed in about a quarter of the episodes (24.7%), 6% in the tiny world', () => {
    const rate = randomSuccess(new KeyDoor(), 1000);
    expect(rate).toBeGreaterThan(0.17);
    expect(rate).toBeLessThan(0.33);
    expect(randomSuccess(new KeyDoor({ size: 4, length: 30 }), 1000)).toBeLessThan(0.12);
  });

  describe('#getState, #setState', () => {
    it('restores a fresh instance mid-episode so that it replays identically, through the next reset', () => {
      const env = new KeyDoor({ randomize: true, length: 20 });
      env.reset({ seed: 3 });
      for (const a of [DOWN, RIGHT, DOWN]) env.step(a);
      const copy = new KeyDoor({ randomize: true, length: 20 });
      copy.setState(JSON.parse(JSON.stringify(env.getState())));
      const play = (e: KeyDoor): unknown[] => {
        const rng = new Rng(4);
        const out: unknown[] = [];
        for (let i = 0; i < 100; i++) {
          const step = e.step(rng.int(4));
          out.push(step);
          if (step.terminated || step.truncated) out.push(e.reset(), e.position);
        }
        return out;
      };
      expect(play(copy)).toEqual(play(env));
    });

    it('refuses another environment’s state (MISMATCH) and a malformed one (CORRUPT), changing nothing', () => {
      const env = new KeyDoor();
      env.reset({ seed: 1 });
      const before = env.getState();
      const cases: [unknown, string][] = [
        [{ environment: 'CartPole' }, 'ERR_CHECKPOINT_MISMATCH'],
        [{ ...before, agent: 25 }, 'ERR_CHECKPOINT_CORRUPT'],
        [{ ...before, key: 4 }, 'ERR_CHECKPOINT_CORRUPT'],
        [{ ...before, hasKey: 1 }, 'ERR_CHECKPOINT_CORRUPT'],
        [{ ...before, t: 101 }, 'ERR_CHECKPOINT_CORRUPT'],
      ];
      for (const [state, code] of cases) {
        const error = thrown(() => env.setState(state));
        expect(error).toBeInstanceOf(CheckpointError);
        expect((error as CheckpointError).code).toBe(code);
        expect(env.getState()).toEqual(before);
      }
    });
  });

  it('refuses bad actions, bad options and steps outside an episode with typed errors, changing nothing', () => {
    const env = new KeyDoor();
    expect((thrown(() => env.step(1)) as StateError).code).toBe('ERR_RESET_NEEDED');
    env.reset({ seed: 1 });
    const before = env.getState();
    for (const bad of [4, -1, 0.5, '1', null, undefined]) {
      const error = thrown(() => env.step(bad as never));
      expect(error).toBeInstanceOf(ShapeMismatchError);
      expect((error as Error).message).toMatch(/^KeyDoor\.step: action: expected an integer in \[0, 4\), but got /);
    }
    expect(thrown(() => env.step(Number.NaN))).toBeInstanceOf(NonFiniteError);
    expect(env.getState()).toEqual(before);
    for (const options of [{ size: 2 }, { length: 0 }, { randomize: 1 }, { stepPenalty: -0.1 }, { doors: 2 }]) {
      expect(thrown(() => new KeyDoor(options as never))).toBeInstanceOf(InvalidOptionError);
    }
  });
});
