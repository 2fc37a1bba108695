// Specification of checkEnvironment: every built-in passes it, and each way an environment can
// break its contract (space, life cycle, results, determinism, legalNext) is caught and named.

import { describe, expect, it } from 'vitest';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import type { Environment, ResetOptions } from '../../src/environment/environment.js';
import { hasEnvironment, listEnvironments, makeEnvironment } from '../../src/environment/environment-registry.js';
import { EnvironmentError, InvalidOptionError, StateError } from '../../src/errors.js';
import { Rng } from '../../src/random.js';
import { box, discrete } from '../../src/environment/space.js';
import type { Space } from '../../src/environment/space.js';
import { BUILTIN_ENVIRONMENT_IDS } from '../../environments/index.js';
import { thrown } from '../helpers/thrown.js';

/** What to break in the fake environment. */
interface Faults {
  observationLength?: number;
  nanObservationAt?: number;
  nanReward?: boolean;
  stepBeforeReset?: boolean;
  shared?: boolean;
  ignoreSeed?: boolean;
  stepAfterEnd?: boolean;
  legalNext?: (next: number) => unknown;
  leakState?: boolean;
  space?: Space;
}

// Not reseeded by reset: draws from here make a trajectory depend on what ran before.
const sharedRng = new Rng(99);

/** Episodes of 5 steps; box observations, or symbols with `legalNext` when that fault is set. */
class Fake implements Environment {
  readonly observationSpace: Space;
  readonly actionSpace = null;
  private rng = new Rng(0);
  private t = -1;
  private upcoming = 0;
  private resets = 0;

  constructor(private readonly faults: Faults = {}) {
    this.observationSpace = faults.space ?? (faults.legalNext ? discrete(4) : box(3));
  }

  reset(options?: ResetOptions) {
    if (options?.seed !== undefined) {
      this.rng = new Rng(this.faults.ignoreSeed ? 0 : options.seed);
      this.upcoming = 0;
      if (!this.faults.leakState) this.resets = 0;
    }
    this.resets += 1;
    this.t = 0;
    return { observation: this.observe(), info: this.info() };
  }

  step() {
    if (this.t < 0 && !this.faults.stepBeforeReset)
      throw new StateError('ERR_RESET_NEEDED', 'Fake.step: expected reset() first, but got step()');
    if (this.t >= 5 && !this.faults.stepAfterEnd)
      throw new StateError('ERR_EPISODE_ENDED', 'Fake.step: expected reset(), but got step()');
    this.t = Math.max(this.t, 0) + 1;
    const reward = this.faults.nanReward && this.t === 2 ? NaN : 0;
    return { observation: this.observe(), reward, terminated: this.t === 5, truncated: false, info: this.info() };
  }

  private observe() {
    const rng = this.faults.shared ? sharedRng : this.rng;
    if (this.faults.legalNext) {
      const symbol = this.upcoming;
      this.upcoming = rng.int(4);
      return symbol;
    }
    const out = new Float32Array(this.faults.observationLength ?? 3).map(() => rng.float());
    if (this.t === this.faults.nanObservationAt) out[1] = NaN;
    if (this.faults.leakState) out[2] = this.resets;
    return out;
  }

  private info() {
    return this.faults.legalNext ? { legalNext: this.faults.legalNext(this.upcoming) } : {};
  }
}

function failure(faults: Faults, options?: Parameters<typeof checkEnvironment>[1]): EnvironmentError {
  const error = thrown(() => checkEnvironment(() => new Fake(faults), options));
  expect(error).toBeInstanceOf(EnvironmentError);
  expect((error as EnvironmentError).code).toBe('ERR_ENVIRONMENT');
  expect((error as Error).message).toMatch(/^checkEnvironment: expected .*, but /);
  return error as EnvironmentError;
}

describe('checkEnvironment', () => {
  describe('on the registered environments', () => {
    const ids = listEnvironments().map((entry) => entry.id);

    it('sees every built-in registered', () => {
      for (const id of BUILTIN_ENVIRONMENT_IDS) expect(hasEnvironment(id)).toBe(true);
    });

    it.each(ids)('passes %s with its defaults', (id) => {
      const report = checkEnvironment(() => makeEnvironment(id));
      expect(report.steps).toBe(300);
    });

    it.each([
      ['SineMixture-v0', { length: 40 }],
      ['MobyDick-v0', { length: 40 }],
      ['Periodic-v0', { length: 40 }],
      ['TemporalOrder-v0', { length: 4 }],
      ['TemporalOrder-v0', { length: 5, bits: 3 }],
      ['Adding-v0', { length: 2 }],
      ['PermutationRecall-v0', { length: 2, symbols: 4 }],
      ['SineMixture-v0', { noise: 0.1, length: 30 }],
    ])('passes %s with options %j, across many episode boundaries', (id, options) => {
      const report = checkEnvironment(() => makeEnvironment(id, options), { steps: 200, seed: 7 });
      expect(report.episodes).toBeGreaterThanOrEqual(5);
    });

    it('reports the steps taken and the episodes that ended in the first run', () => {
      // Temporal order of length 10 ends every 9 steps; the periodic sequence every 119.
      expect(checkEnvironment(() => makeEnvironment('TemporalOrder-v0'))).toEqual({ steps: 300, episodes: 33 });
      expect(checkEnvironment(() => makeEnvironment('Periodic-v0'), { steps: 500 })).toEqual({
        steps: 500,
        episodes: 4,
      });
    });

    it('passes a seed-independent environment only with seedSensitive: false', () => {
      const fixed = () => makeEnvironment('SineMixture-v0', { randomPhase: false });
      expect(() => checkEnvironment(fixed)).toThrow(/different seed to give a different trajectory/);
      expect(checkEnvironment(fixed, { seedSensitive: false })).toEqual({ steps: 300, episodes: 1 });
    });
  });

  describe('on broken environments', () => {
    it('passes the well-behaved fake', () => {
      expect(checkEnvironment(() => new Fake(), { steps: 50 })).toEqual({ steps: 50, episodes: 10 });
    });

    it('catches an observation of the wrong length', () => {
      const error = failure({ observationLength: 2 });
      expect(error.message).toMatch(
        'checkEnvironment: expected the observation of reset({ seed: 0 }) to be in the observation space, but got ' +
          'ShapeMismatchError',
      );
      expect(error.message).toContain('length 2');
    });

    it('catches a NaN in an observation, naming the step', () => {
      const error = failure({ nanObservationAt: 3 });
      expect(error.message).toMatch(
        'checkEnvironment: expected the observation of step 3 to be in the observation space, but got ' +
          'NonFiniteError ERR_NON_FINITE',
      );
    });

    it('catches a NaN reward', () => {
      expect(failure({ nanReward: true }).message).toBe(
        'checkEnvironment: expected the reward of step 2 to be a finite number, but got NaN',
      );
    });

    it('catches step() allowed before reset()', () => {
      expect(failure({ stepBeforeReset: true }).message).toBe(
        'checkEnvironment: expected step() before reset() to throw StateError ERR_RESET_NEEDED, but it returned a ' +
          'result',
      );
    });

    it('catches step() allowed after the end of an episode', () => {
      expect(failure({ stepAfterEnd: true }).message).toBe(
        'checkEnvironment: expected step() after the episode ended at step 5 to throw StateError ERR_EPISODE_ENDED, ' +
          'but it returned a result',
      );
    });

    it('catches an environment that is not deterministic given the seed', () => {
      expect(failure({ shared: true }).message).toMatch(
        'checkEnvironment: expected two instances reset with seed 0 to give the same trajectory, but they differ at ' +
          'entry 0: ',
      );
    });

    it('catches state that leaks from one seeded episode into the next on the same instance', () => {
      expect(failure({ leakState: true }).message).toMatch(
        'checkEnvironment: expected reset({ seed: 0 }) again on the same instance to give the same trajectory, but ' +
          'they differ at entry 0: ',
      );
    });

    it('catches an environment that ignores the seed', () => {
      expect(failure({ ignoreSeed: true }).message).toBe(
        'checkEnvironment: expected a different seed to give a different trajectory, but seeds 1 to 4 gave the same ' +
          '300 steps as seed 0 (a recorded stream that ignores the seed passes with { seedSensitive: false })',
      );
    });

    it('catches info.legalNext that misses the actual next symbol', () => {
      const error = failure({ legalNext: (next) => [(next + 1) % 4] });
      expect(error.message).toMatch(
        new RegExp(
          '^checkEnvironment: expected the symbol of step 1 to be in info.legalNext of ' +
            String.raw`reset\(\{ seed: 0 \}\) \[\d\], but got \d$`,
        ),
      );
    });

    it('catches info.legalNext that is not an array of symbols of the space', () => {
      expect(failure({ legalNext: (next) => [next, 4] }).message).toMatch(
        /info.legalNext of reset\(\{ seed: 0 \}\) to be an array of integers in \[0, 4\), but got \[\d,4\]/,
      );
      expect(failure({ legalNext: () => 'T' }).message).toContain('to be an array of integers');
    });

    it('accepts a correct info.legalNext', () => {
      expect(checkEnvironment(() => new Fake({ legalNext: (next) => [next] }), { steps: 40 }).episodes).toBe(8);
    });

    it('catches a malformed observation space', () => {
      const space = { kind: 'box', shape: [0], low: 0, high: 1 } as unknown as Space;
      expect(failure({ space }).message).toBe(
        'checkEnvironment: expected observationSpace to have a shape of positive integers, but got Array(1)',
      );
      const dict = { kind: 'dict', spaces: { a: { kind: 'discrete', n: 0 } }, optional: [] } as unknown as Space;
      expect(failure({ space: dict }).message).toBe(
        'checkEnvironment: expected observationSpace.a.n to be an integer >= 1, but got 0',
      );
    });

    it('catches a factory that throws or returns something else', () => {
      expect(() =>
        checkEnvironment(() => {
          throw new RangeError('boom');
        }),
      ).toThrow('checkEnvironment: expected the factory to build an environment, but it threw RangeError: boom');
      expect(() => checkEnvironment(() => ({}) as Environment)).toThrow(/reset\(\) and step\(\)/);
    });
  });

  describe('options', () => {
    it('throws InvalidOptionError on invalid or unknown options', () => {
      const make = () => new Fake();
      for (const options of [{ steps: 0 }, { steps: 1.5 }, { seed: NaN }, { seedSensitive: 1 }, { step: 10 }]) {
        const error = thrown(() => checkEnvironment(make, options as never));
        expect(error).toBeInstanceOf(InvalidOptionError);
        expect((error as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
      }
    });
  });
});
