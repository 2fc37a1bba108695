// Specification of RegimeSwitch-v0: two channels circling at a regime's period, direction and
// radius, regimes switching at random times, noise on top; and a stream on which knowing the
// dynamics pays: an oracle of the regime predicts far below repeat-last and linear extrapolation.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { InvalidOptionError } from '../../src/errors.js';
import { REGIME_SWITCH_DEFAULTS, RegimeSwitch } from '../../environments/regime-switch.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { rollout } from './rollout.js';
import { thrown } from '../helpers/thrown.js';

const squared = (a: ArrayLike<number>, b: ArrayLike<number>): number => (a[0]! - b[0]!) ** 2 + (a[1]! - b[1]!) ** 2;

describe('RegimeSwitch', () => {
  describe('constructor', () => {
    it('has the documented defaults and a box(2) observation space in [-1, 1], passive', () => {
      expect(REGIME_SWITCH_DEFAULTS).toEqual({
        periods: [8, -14, 24],
        radii: [0.8, 0.5, 0.7],
        noise: 0.03,
        switchProbability: 0.005,
        length: 2000,
      });
      const env = new RegimeSwitch();
      expect(env.observationSpace).toEqual({ kind: 'box', shape: [2], low: -1, high: 1 });
      expect(env.actionSpace).toBeNull();
    });

    it.each([
      [{ periods: [8, 1] }, 'expected option "periods" to be a non-empty array of finite numbers with |P| >= 2'],
      [{ radii: [0.8, 0.5, 1] }, 'expected option "radii" to be a non-empty array of numbers in (0, 0.9]'],
      [{ radii: [0.5] }, 'expected option "radii" to have one entry per period (3), but got 1'],
      [{ noise: -1 }, 'expected option "noise" to be a finite number >= 0, but got -1'],
      [{ switchProbability: 2 }, 'expected option "switchProbability" to be at most 1, but got 2'],
      [{ length: 1 }, 'expected option "length" to be an integer >= 2, but got 1'],
      [{ period: 3 }, 'expected options among [periods, radii, noise, switchProbability, length], but got unknown'],
    ])('throws InvalidOptionError on %j', (options, message) => {
      const error = thrown(() => new RegimeSwitch(options as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toContain(`RegimeSwitch: ${message}`);
    });
  });

  describe('#step', () => {
    it('without noise or switches, turns by 2π / P per step on a circle of the regime radius', () => {
      const env = new RegimeSwitch({ periods: [-10], radii: [0.6], noise: 0, switchProbability: 0, length: 30 });
      const { observations } = rollout(env, 3);
      for (let t = 1; t < observations.length; t++) {
        const [x0, y0] = observations[t - 1]!;
        const [x1, y1] = observations[t]!;
        expect(Math.hypot(x1!, y1!)).toBeCloseTo(0.6, 5);
        // Clockwise: the angle falls by 2π / 10.
        const turn = Math.atan2(x0! * y1! - y0! * x1!, x0! * x1! + y0! * y1!);
        expect(turn).toBeCloseTo((-2 * Math.PI) / 10, 5);
      }
    });

    it('switches regime at about the given rate, always to another one, and drifts to its radius', () => {
      const env = new RegimeSwitch({ noise: 0, switchProbability: 0.02, length: 20000 });
      const { infos } = rollout(env, 5);
      const regimes = infos.map((i) => i.regime as number);
      let switches = 0;
      for (let t = 1; t < regimes.length; t++) if (regimes[t] !== regimes[t - 1]) switches++;
      // 19,999 chances at 0.02: 400 expected, σ ≈ 20.
      expect(switches).toBeGreaterThan(340);
      expect(switches).toBeLessThan(460);
      expect(new Set(regimes)).toEqual(new Set([0, 1, 2]));
    });

    it('stays in [-1, 1], runs `length` observations, then truncates', () => {
      const env = new RegimeSwitch({ radii: [0.9, 0.9, 0.9], noise: 0.2, length: 3000 });
      const episode = rollout(env, 1);
      expect(episode.observations).toHaveLength(3000);
      expect(episode.steps.at(-1)!.truncated).toBe(true);
      for (const o of episode.observations) for (const v of o) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    });

    it('replays exactly from a seed, and another seed gives another stream', () => {
      const values = (seed: number): number[] =>
        rollout(new RegimeSwitch({ length: 50 }), seed).observations.flatMap((o) => [...o]);
      expect(values(4)).toEqual(values(4));
      expect(values(4)).not.toEqual(values(5));
    });
  });

  it('passes checkEnvironment, with its defaults and across many episode boundaries', () => {
    expect(checkEnvironment(() => makeEnvironment('RegimeSwitch-v0')).steps).toBe(300);
    expect(
      checkEnvironment(() => makeEnvironment('RegimeSwitch-v0', { length: 30 }), { steps: 200, seed: 7 }).episodes,
    ).toBeGreaterThanOrEqual(5);
  });

  it('is a fair stream: an oracle of the dynamics predicts at the noise floor, far below the naive floors', () => {
    // The oracle knows the regime, angle and radius after each step (what a learner must infer)
    // and misses only the noise and the step of each switch (about 0.0015 on average).
    const env = new RegimeSwitch();
    let observation = env.reset({ seed: 2 }).observation;
    const sums = { oracle: 0, repeat: 0, linear: 0 };
    let previous = observation;
    const steps = 20000;
    for (let t = 0; t < steps; t++) {
      const state = env.getState()!.episode as { regime: number; angle: number; radius: number };
      const angle = state.angle + (2 * Math.PI) / env.periods[state.regime]!;
      const radius = state.radius + 0.1 * (env.radii[state.regime]! - state.radius);
      const oracle = [radius * Math.cos(angle), radius * Math.sin(angle)];
      const linear = [2 * observation[0]! - previous[0]!, 2 * observation[1]! - previous[1]!];
      const result = env.step();
      const next = result.observation;
      sums.oracle += squared(oracle, next);
      sums.repeat += squared(observation, next);
      sums.linear += squared(linear, next);
      previous = observation;
      observation = next;
      if (result.truncated) observation = previous = env.reset().observation;
    }
    const floor = 2 * 0.03 ** 2;
    expect(sums.oracle / steps).toBeLessThan(2.5 * floor);
    expect(sums.repeat / steps).toBeGreaterThan(50 * floor);
    expect(sums.linear / steps).toBeGreaterThan(25 * floor);
  });
});
