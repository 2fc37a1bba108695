// Specification of SineMixture-v0: a sum of sines with seeded per-episode phases, optional
// Gaussian noise, truncated after `length` observations.

import { describe, expect, it } from 'vitest';
import { InvalidOptionError, type StateError } from '../../src/errors.js';
import { SINE_MIXTURE_DEFAULTS, SineMixture } from '../../environments/sine-mixture.js';
import { rollout } from './rollout.js';
import { thrown } from '../helpers/thrown.js';

const values = (observations: Float32Array[]): number[] => observations.map((o) => o[0]!);

describe('SineMixture', () => {
  describe('constructor', () => {
    it('has the documented defaults and a box(1) observation space, passive', () => {
      const env = new SineMixture();
      expect(SINE_MIXTURE_DEFAULTS).toEqual({
        periods: [20, 33],
        amplitudes: [0.5, 0.3],
        noise: 0,
        length: 200,
        randomPhase: true,
      });
      expect([env.periods, env.amplitudes, env.noise, env.length, env.randomPhase]).toEqual([
        [20, 33],
        [0.5, 0.3],
        0,
        200,
        true,
      ]);
      expect(env.observationSpace).toEqual({ kind: 'box', shape: [1], low: -Infinity, high: Infinity });
      expect(env.actionSpace).toBeNull();
    });

    it.each([
      [
        { periods: [] },
        'SineMixture: expected option "periods" to be a non-empty array of finite numbers > 0, but got []',
      ],
      [
        { periods: [20, 0] },
        'SineMixture: expected option "periods" to be a non-empty array of finite numbers > 0, but got [20, 0]',
      ],
      [{ amplitudes: [1] }, 'SineMixture: expected option "amplitudes" to have one entry per period (2), but got 1'],
      [
        { amplitudes: [1, NaN] },
        'SineMixture: expected option "amplitudes" to be a non-empty array of finite numbers, but got [1, NaN]',
      ],
      [{ noise: -0.1 }, 'SineMixture: expected option "noise" to be a finite number >= 0, but got -0.1'],
      [{ length: 1 }, 'SineMixture: expected option "length" to be an integer >= 2, but got 1'],
      [{ randomPhase: 'yes' }, 'SineMixture: expected option "randomPhase" to be a boolean, but got "yes"'],
      [
        { period: [3] },
        'SineMixture: expected options among [periods, amplitudes, noise, length, randomPhase], but got unknown ' +
          'option "period"',
      ],
    ])('throws InvalidOptionError on %j', (options, message) => {
      const error = thrown(() => new SineMixture(options as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
      expect((error as Error).message).toBe(message);
    });
  });

  describe('#reset', () => {
    it('draws the phases from the seed and reports them in info', () => {
      const env = new SineMixture();
      const a = env.reset({ seed: 1 }).info.phases as number[];
      const b = env.reset({ seed: 1 }).info.phases as number[];
      const c = env.reset({ seed: 2 }).info.phases as number[];
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
      for (const phase of [...a, ...c]) {
        expect(phase).toBeGreaterThanOrEqual(0);
        expect(phase).toBeLessThan(2 * Math.PI);
      }
    });

    it('starts every sine at phase 0 when randomPhase is false, whatever the seed', () => {
      const env = new SineMixture({ randomPhase: false });
      expect(env.reset({ seed: 5 }).info.phases).toEqual([0, 0]);
      const first = values(rollout(env, 5).observations);
      expect(values(rollout(env, 6).observations)).toEqual(first);
      expect(first[0]).toBe(0);
    });
  });

  describe('#step', () => {
    it('emits exactly the sum of sines given the phases when noise is 0', () => {
      const env = new SineMixture({ periods: [20, 33, 7], amplitudes: [0.5, 0.3, 1.25] });
      const episode = rollout(env, 3);
      const phases = episode.infos[0]!.phases as number[];
      episode.observations.forEach((observation, t) => {
        const expected =
          0.5 * Math.sin((2 * Math.PI * t) / 20 + phases[0]!) +
          0.3 * Math.sin((2 * Math.PI * t) / 33 + phases[1]!) +
          1.25 * Math.sin((2 * Math.PI * t) / 7 + phases[2]!);
        expect(observation).toBeInstanceOf(Float32Array);
        expect(observation[0]).toBeCloseTo(expected, 6);
      });
    });

    it('is periodic with the least common multiple of integer periods', () => {
      const xs = values(rollout(new SineMixture({ periods: [4, 6], length: 60 }), 0).observations);
      for (let t = 0; t + 12 < xs.length; t++) expect(xs[t + 12]).toBeCloseTo(xs[t]!, 5);
    });

    it('runs `length` observations then truncates, never terminates', () => {
      const episode = rollout(new SineMixture({ length: 50 }), 0);
      expect(episode.observations).toHaveLength(50);
      expect(episode.steps.map((s) => s.truncated)).toEqual([...Array(48).fill(false), true]);
      expect(episode.steps.every((s) => !s.terminated && s.reward === 0)).toBe(true);
      expect(episode.infos.slice(1).map((info) => info.t)).toEqual(Array.from({ length: 49 }, (_, i) => i + 1));
    });

    it('adds Gaussian noise of the given standard deviation', () => {
      const env = new SineMixture({ noise: 0.2, length: 4000 });
      const episode = rollout(env, 9);
      const residuals = episode.observations.map((o, t) => o[0]! - env.signalAt(t));
      const mean = residuals.reduce((a, b) => a + b, 0) / residuals.length;
      const std = Math.sqrt(residuals.reduce((a, r) => a + (r - mean) ** 2, 0) / residuals.length);
      expect(Math.abs(mean)).toBeLessThan(0.02);
      expect(std).toBeGreaterThan(0.19);
      expect(std).toBeLessThan(0.21);
    });

    it('continues the seeded stream on an unseeded reset, so episodes differ but replay exactly', () => {
      const run = () => {
        const env = new SineMixture({ length: 10 });
        return [rollout(env, 4), rollout(env), rollout(env)].map((e) => values(e.observations));
      };
      const [a, b, c] = run();
      expect(a).not.toEqual(b);
      expect(b).not.toEqual(c);
      expect(run()).toEqual([a, b, c]);
    });

    it('requires reset before the first step and after the end', () => {
      const env = new SineMixture({ length: 2 });
      expect((thrown(() => env.step()) as StateError).code).toBe('ERR_RESET_NEEDED');
      env.reset({ seed: 0 });
      expect(env.step().truncated).toBe(true);
      expect((thrown(() => env.step()) as StateError).code).toBe('ERR_EPISODE_ENDED');
      env.reset();
      expect(env.step().truncated).toBe(true);
    });

    it('rejects an action, as a passive environment', () => {
      const env = new SineMixture();
      env.reset({ seed: 0 });
      expect(() => env.step(new Float32Array(1))).toThrow(InvalidOptionError);
    });
  });
});
