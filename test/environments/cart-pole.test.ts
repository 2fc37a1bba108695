// Specification of CartPole-v1: Gymnasium's cart-pole, its dynamics against steps computed from
// Gymnasium's equations, its episode lengths, time limit, state and typed errors for bad actions.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { CART_POLE_DEFAULTS, CartPole } from '../../environments/cart-pole.js';
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

type State = [number, number, number, number];

/**
 * One step of Gymnasium's CartPoleEnv.step (gymnasium/envs/classic_control/cartpole.py, the "euler"
 * kinematics integrator), written out again here as the oracle:
 *   force = 10 if action == 1 else -10
 *   temp = (force + polemass_length * theta_dot**2 * sintheta) / total_mass
 *   thetaacc = (gravity * sintheta - costheta * temp) / (length * (4/3 - masspole * costheta**2 / total_mass))
 *   xacc = temp - polemass_length * thetaacc * costheta / total_mass
 *   x, x_dot, theta, theta_dot = x + tau*x_dot, x_dot + tau*xacc, theta + tau*theta_dot, theta_dot + tau*thetaacc
 * with gravity 9.8, masscart 1.0, masspole 0.1, total_mass 1.1, length 0.5, polemass_length 0.05, tau 0.02.
 */
function gymnasiumStep([x, xDot, theta, thetaDot]: State, action: number): State {
  const force = action === 1 ? 10 : -10;
  const costheta = Math.cos(theta);
  const sintheta = Math.sin(theta);
  const temp = (force + 0.05 * thetaDot ** 2 * sintheta) / 1.1;
  const thetaacc = (9.8 * sintheta - costheta * temp) / (0.5 * (4 / 3 - (0.1 * costheta ** 2) / 1.1));
  const xacc = temp - (0.05 * thetaacc * costheta) / 1.1;
  return [x + 0.02 * xDot, xDot + 0.02 * xacc, theta + 0.02 * thetaDot, thetaDot + 0.02 * thetaacc];
}

const THETA_LIMIT = (12 * 2 * Math.PI) / 360;

/** The state inside `env` (float64), from its saved state. */
const stateOf = (env: CartPole): State => env.getState().state as State;

/** Steps until the episode ends under `policy`; the number of steps. */
function episodeLength(env: CartPole, policy: (observation: Float32Array) => number, seed?: number): number {
  let { observation } = env.reset(seed === undefined ? undefined : { seed });
  for (let t = 1; ; t++) {
    const step = env.step(policy(observation));
    expect(step.reward).toBe(1);
    if (step.terminated || step.truncated) return t;
    observation = step.observation;
  }
}

describe('CartPole', () => {
  it('has the documented defaults and spaces, and passes the contract', () => {
    expect(CART_POLE_DEFAULTS).toEqual({ length: 500 });
    const env = new CartPole();
    expect(env.actionSpace).toEqual({ kind: 'discrete', n: 2, labels: ['left', 'right'] });
    expect(env.observationSpace).toEqual({ kind: 'box', shape: [4], low: -Infinity, high: Infinity });
    expect(makeEnvironment('CartPole-v1')).toBeInstanceOf(CartPole);
    expect(checkEnvironment(() => new CartPole()).episodes).toBeGreaterThan(5);
    expect(() => checkEnvironment(() => new CartPole({ length: 7 }))).not.toThrow();
  });

  describe('#reset', () => {
    it('draws each of the four state entries uniformly in [-0.05, 0.05], the observation their float32', () => {
      const env = new CartPole();
      const seen: number[] = [];
      for (let seed = 0; seed < 200; seed++) {
        const { observation, info } = env.reset({ seed });
        expect(info).toEqual({});
        expect(observation).toBeInstanceOf(Float32Array);
        expect(observation).toEqual(Float32Array.from(stateOf(env)));
        seen.push(...stateOf(env));
      }
      expect(Math.min(...seen)).toBeGreaterThanOrEqual(-0.05);
      expect(Math.max(...seen)).toBeLessThan(0.05);
      expect(Math.min(...seen)).toBeLessThan(-0.045);
      expect(Math.max(...seen)).toBeGreaterThan(0.045);
      expect(Math.abs(seen.reduce((a, b) => a + b, 0) / seen.length)).toBeLessThan(0.003);
    });
  });

  describe('#step', () => {
    it('pushes a cart at rest right as computed by hand: ẍ = 4400/451, θ̈ = -600/41', () => {
      const env = new CartPole();
      env.reset({ seed: 0 });
      env.setState({ ...env.getState(), state: [0, 0, 0, 0] });
      // temp = 10/1.1 = 100/11; θ̈ = -(100/11) / (0.5·(4/3 - 0.1/1.1)) = -600/41; ẍ = 100/11 + 300/451 = 4400/451.
      const step = env.step(1);
      expect(stateOf(env)[0]).toBe(0);
      expect(stateOf(env)[1]).toBeCloseTo((0.02 * 4400) / 451, 15);
      expect(stateOf(env)[2]).toBe(0);
      expect(stateOf(env)[3]).toBeCloseTo((0.02 * -600) / 41, 15);
      expect(step.observation).toEqual(Float32Array.of(0, 88 / 451, 0, -12 / 41));
      expect(step).toMatchObject({ reward: 1, terminated: false, truncated: false, info: {} });
      // The second step moves x and θ by the first step's velocities (Euler: the old values).
      env.step(0);
      expect(stateOf(env)[0]).toBeCloseTo((0.02 * 88) / 451, 15);
      expect(stateOf(env)[2]).toBeCloseTo((0.02 * -12) / 41, 15);
    });

    it("follows Gymnasium's equations step by step from a seeded start", () => {
      const env = new CartPole();
      env.reset({ seed: 5 });
      let state = stateOf(env);
      for (const action of [1, 0, 0, 1, 1, 1, 0, 1, 0, 0]) {
        state = gymnasiumStep(state, action);
        const step = env.step(action);
        expect(stateOf(env)).toEqual(state);
        expect(step.observation).toEqual(Float32Array.from(state));
        expect(step.terminated).toBe(Math.abs(state[0]) > 2.4 || Math.abs(state[2]) > THETA_LIMIT);
      }
    });

    it('terminates past 12 degrees with reward 1 on that step, then refuses to step until reset', () => {
      const env = new CartPole();
      env.reset({ seed: 2 });
      env.setState({ ...env.getState(), state: [0, 0, THETA_LIMIT - 0.001, 1] });
      const step = env.step(1);
      expect(stateOf(env)[2]).toBeGreaterThan(THETA_LIMIT);
      expect(step).toMatchObject({ reward: 1, terminated: true, truncated: false });
      expect((thrown(() => env.step(0)) as StateError).code).toBe('ERR_EPISODE_ENDED');
      env.setState({ ...env.getState(), done: false, state: [2.4, 1, 0, 0] });
      expect(env.step(0).terminated).toBe(true);
      env.reset();
      expect(env.step(0).terminated).toBe(false);
    });

    it("ends a random policy's episodes after about 20 steps on average", () => {
      const env = new CartPole();
      const rng = new Rng(0);
      let total = 0;
      env.reset({ seed: 0 });
      for (let episode = 0; episode < 200; episode++) total += episodeLength(env, () => rng.int(2));
      expect(total / 200).toBeGreaterThan(15);
      expect(total / 200).toBeLessThan(30);
    });

    it('ends a constant push within about ten steps', () => {
      // The pole falls away from the push: from the start box it passes 12 degrees after 8 to 11
      // steps (8 to 11 over 1,000 seeds each way; 9.4 on average).
      const env = new CartPole();
      for (let seed = 0; seed < 50; seed++) {
        for (const action of [0, 1]) {
          const length = episodeLength(env, () => action, seed);
          expect(length).toBeGreaterThanOrEqual(8);
          expect(length).toBeLessThanOrEqual(12);
        }
      }
    });

    it('truncates at `length` steps: a controller that pushes towards the lean balances for all 500', () => {
      const lean = (o: Float32Array): number => (o[2]! + 0.5 * o[3]! > 0 ? 1 : 0);
      const env = new CartPole();
      env.reset({ seed: 1 });
      let last = env.step(0);
      for (let t = 2; t <= 500; t++) {
        expect(last.truncated).toBe(false);
        last = env.step(lean(last.observation));
        expect(last.terminated).toBe(false);
      }
      expect(last.truncated).toBe(true);
      expect((thrown(() => env.step(0)) as StateError).code).toBe('ERR_EPISODE_ENDED');
      const short = new CartPole({ length: 3 });
      short.reset({ seed: 1 });
      expect([short.step(1), short.step(0), short.step(1)].map((s) => s.truncated)).toEqual([false, false, true]);
    });
  });

  describe('#getState, #setState', () => {
    it('restores a fresh instance mid-episode so that it replays identically, through the next reset', () => {
      const env = new CartPole();
      env.reset({ seed: 3 });
      for (const a of [0, 1, 1]) env.step(a);
      const copy = new CartPole();
      copy.setState(JSON.parse(JSON.stringify(env.getState())));
      const play = (e: CartPole): unknown[] => {
        const out: unknown[] = [];
        for (let i = 0; i < 80; i++) {
          const step = e.step(i % 3 === 0 ? 1 : 0);
          out.push(step);
          if (step.terminated || step.truncated) out.push(e.reset());
        }
        return out;
      };
      expect(play(copy)).toEqual(play(env));
    });

    it('refuses another environment’s state (MISMATCH) and a malformed one (CORRUPT), changing nothing', () => {
      const env = new CartPole();
      env.reset({ seed: 1 });
      const before = env.getState();
      const cases: [unknown, string][] = [
        [{ environment: 'KeyDoor' }, 'ERR_CHECKPOINT_MISMATCH'],
        [{ ...before, state: [0, 0, 0] }, 'ERR_CHECKPOINT_CORRUPT'],
        [{ ...before, state: [0, 0, Number.NaN, 0] }, 'ERR_NON_FINITE'],
        [{ ...before, t: 501 }, 'ERR_CHECKPOINT_CORRUPT'],
        [{ ...before, done: 'no' }, 'ERR_CHECKPOINT_CORRUPT'],
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
    const env = new CartPole();
    expect((thrown(() => env.step(1)) as StateError).code).toBe('ERR_RESET_NEEDED');
    env.reset({ seed: 1 });
    const before = env.getState();
    for (const bad of [2, -1, 0.5, '1', null, undefined]) {
      const error = thrown(() => env.step(bad as never));
      expect(error).toBeInstanceOf(ShapeMismatchError);
      expect((error as Error).message).toMatch(/^CartPole\.step: action: expected an integer in \[0, 2\), but got /);
    }
    expect(thrown(() => env.step(Number.NaN))).toBeInstanceOf(NonFiniteError);
    expect(env.getState()).toEqual(before);
    expect(thrown(() => new CartPole({ length: 0 }))).toBeInstanceOf(InvalidOptionError);
    expect(thrown(() => new CartPole({ gravity: 1 } as never))).toBeInstanceOf(InvalidOptionError);
    expect(thrown(() => env.reset({ seed: 0.5 }))).toBeInstanceOf(InvalidOptionError);
  });
});
