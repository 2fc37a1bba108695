// Specification of NormalizeObservation: box observations (and the box parts of a dict) become
// (x - mean) / sqrt(var + eps) under running statistics that are plain, restorable data.

import { describe, expect, it } from 'vitest';
import '../../environments/index.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/checkpoint/checkpoint-file.js';
import { checkEnvironment } from '../../src/environment/check-environment.js';
import type { Environment, StepResult } from '../../src/environment/environment.js';
import { box } from '../../src/environment/space.js';
import { makeEnvironment } from '../../src/environment/environment-registry.js';
import { CheckpointError, InvalidOptionError } from '../../src/errors.js';
import { NormalizeObservation } from '../../src/wrappers/normalize-observation.js';
import { Walker } from './walker.js';
import { thrown } from '../helpers/thrown.js';

/** The raw stream of `env`: the reset observation then `steps` steps, autoresetting. */
function stream(env: Environment, seed: number, steps: number, action?: number): Float32Array[] {
  const out = [env.reset({ seed }).observation as Float32Array];
  for (let i = 0; i < steps; i++) {
    const step = env.step(action);
    out.push(step.observation as Float32Array);
    if (step.terminated || step.truncated) out.push(env.reset().observation as Float32Array);
  }
  return out;
}

/** A passive environment replaying fixed values, one per step, of a box(1). */
class ReplayValues implements Environment {
  readonly observationSpace = box(1);
  readonly actionSpace = null;
  private t = 0;
  constructor(private readonly values: readonly number[]) {}
  reset(): { observation: Float32Array; info: Record<string, unknown> } {
    this.t = 0;
    return { observation: Float32Array.of(this.values[0]!), info: {} };
  }
  step(): StepResult<Float32Array> {
    this.t += 1;
    const truncated = this.t === this.values.length - 1;
    return { observation: Float32Array.of(this.values[this.t]!), reward: 0, terminated: false, truncated, info: {} };
  }
}

/** Two-pass mean and population variance of element `i` over `xs`, in float64. */
function moments(xs: Float32Array[], i: number): { mean: number; variance: number } {
  const mean = xs.reduce((a, x) => a + x[i]!, 0) / xs.length;
  return { mean, variance: xs.reduce((a, x) => a + (x[i]! - mean) ** 2, 0) / xs.length };
}

describe('NormalizeObservation', () => {
  describe('constructor', () => {
    it.each([
      [{ epsilon: 0 }, 'NormalizeObservation: expected option "epsilon" to be a number > 0, but got 0'],
      [{ clip: -1 }, 'NormalizeObservation: expected option "clip" to be a number > 0, but got -1'],
      [{ clip: Infinity }, 'NormalizeObservation: expected option "clip" to be a number > 0, but got Infinity'],
      [{ update: 'no' }, 'NormalizeObservation: expected option "update" to be a boolean, but got "no"'],
      [{ restartOnSeed: 1 }, 'NormalizeObservation: expected option "restartOnSeed" to be a boolean, but got 1'],
      [
        { eps: 1 },
        'NormalizeObservation: expected options among [epsilon, clip, updateFirst, minStd, update, restartOnSeed], ' +
          'but got unknown option "eps"',
      ],
    ])('throws InvalidOptionError on %j', (options, message) => {
      const error = thrown(() => new NormalizeObservation(new Walker(), options as never));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as Error).message).toBe(message);
    });

    it('throws InvalidOptionError on an observation space without a box part', () => {
      const error = thrown(() => new NormalizeObservation(makeEnvironment('Reber-v0')));
      expect(error).toBeInstanceOf(InvalidOptionError);
      // The space may also carry its symbols' labels.
      expect((error as Error).message).toMatch(
        /^NormalizeObservation: expected an observation space with a box part, but got object with keys \[kind, n\b/,
      );
    });

    it('has the documented defaults and an unbounded box of the same shape as its space', () => {
      const env = new NormalizeObservation(makeEnvironment('Adding-v0'));
      expect([env.epsilon, env.clip, env.update, env.restartOnSeed]).toEqual([1e-8, Infinity, true, true]);
      expect(env.observationSpace).toEqual({
        kind: 'dict',
        spaces: {
          observation: { kind: 'box', shape: [2], low: -Infinity, high: Infinity },
          label: { kind: 'box', shape: [1], low: -Infinity, high: Infinity },
        },
        optional: ['label'],
      });
      expect(new NormalizeObservation(new Walker(), { clip: 3 }).observationSpace).toEqual({
        kind: 'box',
        shape: [2],
        low: -3,
        high: 3,
      });
    });
  });

  describe('observations', () => {
    it('maps the first observation to 0, and each later one by the mean and variance of all so far', () => {
      const env = new NormalizeObservation(makeEnvironment('SineMixture-v0', { noise: 0.2, length: 30 }));
      const raw = stream(makeEnvironment('SineMixture-v0', { noise: 0.2, length: 30 }), 4, 80);
      const out = stream(env, 4, 80);
      expect(out).toHaveLength(raw.length);
      expect(out[0]).toEqual(Float32Array.of(0));
      for (let t = 1; t < raw.length; t++) {
        const { mean, variance } = moments(raw.slice(0, t + 1), 0);
        expect(out[t]).toBeInstanceOf(Float32Array);
        expect(out[t]![0]).toBeCloseTo((raw[t]![0]! - mean) / Math.sqrt(variance + 1e-8), 4);
      }
    });

    it('with updateFirst: false, standardizes each observation by the statistics of those before it', () => {
      const options = { noise: 0.2, length: 30 };
      const env = new NormalizeObservation(makeEnvironment('SineMixture-v0', options), { updateFirst: false });
      const raw = stream(makeEnvironment('SineMixture-v0', options), 4, 80);
      const out = stream(env, 4, 80);
      expect(out[0]).toEqual(Float32Array.of(0));
      for (let t = 1; t < raw.length; t++) {
        const { mean, variance } = moments(raw.slice(0, t), 0);
        expect(out[t]![0]).toBeCloseTo((raw[t]![0]! - mean) / Math.sqrt(variance + 1e-8), 4);
      }
    });

    it('floors the spread at minStd, so the second reading of a run is not divided by almost 0', () => {
      const values = [5, 5.001, 5.3, 4.8];
      const source = new ReplayValues(values);
      const env = new NormalizeObservation(source, { updateFirst: false, minStd: 0.1 });
      const out = [env.reset().observation as Float32Array];
      for (let i = 1; i < values.length; i++) out.push(env.step().observation as Float32Array);
      // The second: its mean is 5 and its spread 0, floored at 0.1.
      expect(out.map((x) => x[0])).toEqual([0, expect.closeTo(0.01, 5), expect.closeTo(2.995, 3), expect.anything()]);
      const { mean, variance } = moments(
        values.slice(0, 3).map((v) => Float32Array.of(v)),
        0,
      );
      expect(out[3]![0]).toBeCloseTo((4.8 - mean) / Math.max(0.1, Math.sqrt(variance)), 4);
      // Without the floor the second reading is 0.001 / 1e-4 = 10 spreads from the mean.
      const bare = new NormalizeObservation(new ReplayValues(values), { updateFirst: false });
      bare.reset();
      expect((bare.step().observation as Float32Array)[0]).toBeCloseTo(10, 1);
    });

    it('normalizes each element of a vector on its own statistics', () => {
      const raw = stream(new Walker(), 1, 40, 2);
      const out = stream(new NormalizeObservation(new Walker()), 1, 40, 2);
      const last = raw.length - 1;
      for (const i of [0, 1]) {
        const { mean, variance } = moments(raw, i);
        expect(out[last]![i]).toBeCloseTo((raw[last]![i]! - mean) / Math.sqrt(variance + 1e-8), 4);
      }
    });

    it('clips to [-clip, clip]', () => {
      const out = stream(new NormalizeObservation(new Walker(), { clip: 0.5 }), 0, 60, 2).flatMap((x) => [...x]);
      expect(Math.max(...out.map(Math.abs))).toBe(0.5);
      expect(out.filter((x) => Math.abs(x) < 0.5).length).toBeGreaterThan(0);
    });

    it('normalizes the box parts of a dict, each on its own statistics, and leaves missing keys missing', () => {
      const env = new NormalizeObservation(makeEnvironment('Adding-v0', { length: 4 }));
      const raw = makeEnvironment('Adding-v0', { length: 4 });
      const first = env.reset({ seed: 2 }).observation as Record<string, Float32Array>;
      raw.reset({ seed: 2 });
      expect(first).toEqual({ observation: Float32Array.of(0, 0) });
      const labels: Float32Array[] = [];
      for (let t = 1; t <= 3; t++) {
        const out = env.step().observation as Record<string, Float32Array>;
        const expected = raw.step().observation as Record<string, Float32Array>;
        expect('label' in out).toBe('label' in expected);
        if (expected.label) labels.push(out.label!);
      }
      // The first label seen is the first of its part's statistics: 0, whatever the inputs so far.
      expect(labels).toEqual([Float32Array.of(0)]);
      expect(env.getState().moments.label!.count).toBe(1);
      expect(env.getState().moments.observation!.count).toBe(4);
    });

    it('passes discrete parts through unchanged', () => {
      const env = new NormalizeObservation(new Mixed());
      expect(env.observationSpace).toMatchObject({ kind: 'dict', spaces: { symbol: { kind: 'discrete', n: 5 } } });
      expect(env.reset({ seed: 0 }).observation).toEqual({ symbol: 3, value: Float32Array.of(0) });
      expect(env.step().observation).toEqual({ symbol: 3, value: Float32Array.of(0.5 / Math.sqrt(0.25 + 1e-8)) });
      expect(Object.keys(env.getState().moments)).toEqual(['value']);
    });

    it('freezes the statistics with update: false', () => {
      const env = new NormalizeObservation(new Walker(), { update: false });
      const raw = new Walker();
      // No statistics at all: mean 0 and variance 1.
      expect(env.reset({ seed: 3 }).observation).toEqual(
        (raw.reset({ seed: 3 }).observation as Float32Array).map((x) => x / Math.sqrt(1 + 1e-8)),
      );
      expect(env.getState().moments['']!.count).toBe(0);
    });
  });

  describe('#reset', () => {
    it('keeps the statistics across unseeded resets', () => {
      const env = new NormalizeObservation(new Walker(3));
      stream(env, 0, 3, 2);
      expect(env.getState().moments['']!.count).toBe(5);
      expect(env.reset().observation).not.toEqual(Float32Array.of(0, 0));
      expect(env.getState().moments['']!.count).toBe(6);
    });

    it('restarts them from their initial values on a seeded reset, so a seed gives the same stream again', () => {
      const env = new NormalizeObservation(new Walker(3));
      const first = stream(env, 0, 20, 2);
      expect(stream(env, 0, 20, 2)).toEqual(first);
      const trained = env.getState();
      const restored = new NormalizeObservation(new Walker(3));
      restored.setState(trained);
      const resumed = stream(restored, 5, 10, 0);
      expect(stream(restored, 5, 10, 0)).toEqual(resumed);
      expect(resumed[0]).not.toEqual(Float32Array.of(0, 0));
    });

    it('keeps them across seeded resets too with restartOnSeed: false', () => {
      const env = new NormalizeObservation(new Walker(3), { restartOnSeed: false });
      const first = stream(env, 0, 4, 2);
      expect(stream(env, 0, 4, 2)).not.toEqual(first);
      expect(env.getState().moments['']!.count).toBe(12);
    });
  });

  describe('#getState, #setState', () => {
    it('gives plain data that survives JSON and checkpoints, and restores it exactly', () => {
      // restartOnSeed: false, so the original carries its statistics into the next seeded run.
      const env = new NormalizeObservation(new Walker(), { restartOnSeed: false });
      stream(env, 0, 25, 2);
      const state = env.getState();
      expect(Object.keys(state.moments)).toEqual(['']);
      expect(state.moments['']!.count).toBe(30);
      expect(JSON.parse(JSON.stringify(state))).toEqual(state);
      const restored = new NormalizeObservation(new Walker());
      restored.setState(
        decodeCheckpoint(encodeCheckpoint(state, { kind: 'normalize' }), { kind: 'normalize' }) as never,
      );
      expect(restored.getState()).toEqual(state);
      expect(stream(restored, 9, 10, 0)).toEqual(stream(env, 9, 10, 0));
    });

    it('throws CheckpointError ERR_CHECKPOINT_MISMATCH on statistics of other parts or sizes, changing nothing', () => {
      const env = new NormalizeObservation(new Walker());
      stream(env, 0, 5, 1);
      const before = env.getState();
      const other = new NormalizeObservation(makeEnvironment('Adding-v0')).getState();
      const wrongSize = { moments: { '': { count: 2, mean: [0, 0, 0], m2: [0, 0, 0] } } };
      const negative = { moments: { '': { count: 2, mean: [0, 0], m2: [0, -1] } } };
      for (const state of [other, wrongSize, negative, null]) {
        const error = thrown(() => env.setState(state as never));
        expect(error).toBeInstanceOf(CheckpointError);
        expect((error as CheckpointError).code).toBe('ERR_CHECKPOINT_MISMATCH');
        expect((error as Error).message).toMatch(/^NormalizeObservation\.setState: expected /);
      }
      expect(env.getState()).toEqual(before);
    });
  });

  describe('checkEnvironment', () => {
    it('passes on box and dict observations', () => {
      expect(
        checkEnvironment(() => new NormalizeObservation(makeEnvironment('SineMixture-v0', { noise: 0.1, length: 50 }))),
      ).toEqual({ steps: 300, episodes: 6 });
      expect(
        checkEnvironment(() => new NormalizeObservation(makeEnvironment('Adding-v0', { length: 6 }), { clip: 5 }))
          .episodes,
      ).toBe(60);
      expect(checkEnvironment(() => new NormalizeObservation(new Walker())).episodes).toBe(50);
    });
  });
});

/** A dict of a discrete symbol (always 3) and a box value, passive, never ending. */
class Mixed implements Environment {
  readonly observationSpace = {
    kind: 'dict',
    spaces: { symbol: { kind: 'discrete', n: 5 }, value: { kind: 'box', shape: [1], low: -Infinity, high: Infinity } },
    optional: [],
  } as const;
  readonly actionSpace = null;
  private t = 0;
  reset() {
    this.t = 0;
    return { observation: { symbol: 3, value: Float32Array.of(this.t) }, info: {} };
  }
  step() {
    this.t += 1;
    return {
      observation: { symbol: 3, value: Float32Array.of(this.t) },
      reward: 0,
      terminated: false,
      truncated: false,
      info: {},
    };
  }
}
