import { describe, expect, it } from 'vitest';
import { Dqn, type DqnOptions } from '../../src/baselines/dqn.js';
import { ReplayBuffer } from '../../src/baselines/replay-buffer.js';
import { InvalidOptionError, NonFiniteError, ShapeMismatchError, StateError } from '../../src/errors.js';
import { tf } from '../../src/math/index.js';
import { Rng } from '../../src/random.js';
import { liveTensors, useEngine } from '../helpers/engine.js';
import { thrown } from '../helpers/thrown.js';

useEngine();

/**
 * A chain of `states` states, started at the left end: action 0 steps left (the left end is a
 * wall), 1 steps right; reaching the right end pays 1 and terminates; an episode is cut off after
 * `limit` steps (a truncation, not a termination). Observations are one-hot.
 */
class Chain {
  state = 0;
  private t = 0;
  constructor(
    readonly states: number,
    readonly limit: number,
  ) {}
  observation(state = this.state): Float32Array {
    const o = new Float32Array(this.states);
    o[state] = 1;
    return o;
  }
  reset(): Float32Array {
    this.state = 0;
    this.t = 0;
    return this.observation();
  }
  step(action: number): { observation: Float32Array; reward: number; terminated: boolean; truncated: boolean } {
    this.state = Math.max(0, this.state + (action === 1 ? 1 : -1));
    this.t++;
    const terminated = this.state === this.states - 1;
    return { observation: this.observation(), reward: terminated ? 1 : 0, terminated, truncated: this.t >= this.limit };
  }
}

/** Runs `dqn` on `chain` for `steps` steps; returns the actions it took. */
function run(dqn: Dqn, chain: Chain, steps: number): number[] {
  const actions: number[] = [];
  let observation = chain.reset();
  for (let i = 0; i < steps; i++) {
    const action = dqn.act(observation);
    actions.push(action);
    const next = chain.step(action);
    dqn.observe(observation, action, next.reward, next.observation, next.terminated);
    observation = next.terminated || next.truncated ? chain.reset() : next.observation;
  }
  return actions;
}

/** Steps the greedy policy takes from the left end to the right end, or null if it does not get there. */
function greedyLength(dqn: Dqn, chain: Chain): number | null {
  let observation = chain.reset();
  for (let t = 1; t <= chain.limit; t++) {
    const next = chain.step(dqn.greedy(observation));
    if (next.terminated) return t;
    observation = next.observation;
  }
  return null;
}

const small: DqnOptions = { observationSize: 10, actions: 2, hidden: [32, 32], batchSize: 32, learningStarts: 200 };

describe('ReplayBuffer', () => {
  const transition = (k: number): [Float32Array, number, number, Float32Array, boolean] => [
    Float32Array.of(k, -k),
    k % 3,
    k,
    Float32Array.of(k + 0.5, -k - 0.5),
    k % 2 === 0,
  ];

  it('keeps the newest `capacity` transitions, overwriting the oldest', () => {
    const buffer = new ReplayBuffer({ observationSize: 2, capacity: 3, seed: 1 });
    for (let k = 0; k < 5; k++) buffer.push(...transition(k));
    expect(buffer.size).toBe(3);
    const batch = buffer.sample(buffer.createBatch(200));
    expect(new Set(batch.rewards)).toEqual(new Set([2, 3, 4]));
    for (let r = 0; r < batch.rows; r++) {
      const k = batch.rewards[r]!;
      expect([batch.observations[2 * r], batch.observations[2 * r + 1]]).toEqual([k, -k]);
      expect([batch.nextObservations[2 * r], batch.nextObservations[2 * r + 1]]).toEqual([k + 0.5, -k - 0.5]);
      expect(batch.actions[r]).toBe(k % 3);
      expect(batch.terminated[r]).toBe(k % 2 === 0 ? 1 : 0);
    }
  });

  it('samples uniformly, the same rows for the same seed', () => {
    const make = (seed: number): ReplayBuffer => {
      const buffer = new ReplayBuffer({ observationSize: 2, capacity: 4, seed });
      for (let k = 0; k < 4; k++) buffer.push(...transition(k));
      return buffer;
    };
    const rewards = make(5).sample(make(5).createBatch(4000)).rewards;
    const counts = [0, 1, 2, 3].map((k) => rewards.filter((r) => r === k).length);
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(100);
    expect(Array.from(make(5).sample(make(5).createBatch(50)).rewards)).toEqual(Array.from(rewards.subarray(0, 50)));
    expect(Array.from(make(6).sample(make(6).createBatch(50)).rewards)).not.toEqual(
      Array.from(rewards.subarray(0, 50)),
    );
  });

  it('rejects malformed transitions, options and an empty sample', () => {
    const buffer = new ReplayBuffer({ observationSize: 2, capacity: 3 });
    expect(thrown(() => buffer.push(Float32Array.of(1), 0, 0, Float32Array.of(1, 2), false))).toBeInstanceOf(
      ShapeMismatchError,
    );
    expect(
      thrown(() => buffer.push(Float32Array.of(1, 2), 0, 0, Float32Array.of(1, Number.NaN), false)),
    ).toBeInstanceOf(NonFiniteError);
    expect(
      thrown(() => buffer.push(Float32Array.of(1, 2), 0, Number.NaN, Float32Array.of(1, 2), false)),
    ).toBeInstanceOf(NonFiniteError);
    expect(thrown(() => buffer.push(Float32Array.of(1, 2), -1, 0, Float32Array.of(1, 2), false))).toBeInstanceOf(
      InvalidOptionError,
    );
    expect(thrown(() => buffer.sample(buffer.createBatch(1)))).toBeInstanceOf(InvalidOptionError);
    expect(thrown(() => new ReplayBuffer({ observationSize: 2, capacity: 0 }))).toBeInstanceOf(InvalidOptionError);
  });
});

describe('Dqn', () => {
  describe('options', () => {
    it('rejects unknown and out-of-range options with typed errors', () => {
      const unknown = thrown(() => new Dqn({ observationSize: 4, actions: 2, lerningRate: 1 } as DqnOptions));
      expect(unknown).toBeInstanceOf(InvalidOptionError);
      expect((unknown as InvalidOptionError).code).toBe('ERR_INVALID_OPTION');
      expect((unknown as Error).message).toMatch(
        /^Dqn: expected options among \[.*\], but got unknown option "lerningRate"$/,
      );
      expect((thrown(() => new Dqn({ observationSize: 4, actions: 1 })) as Error).message).toBe(
        'Dqn: expected option "actions" to be an integer >= 2, but got 1',
      );
      expect((thrown(() => new Dqn({ observationSize: 4, actions: 2, hidden: [8, 0] })) as Error).message).toBe(
        'Dqn: expected option "hidden" to be an array of integers >= 1, but got Array(2)',
      );
      for (const bad of [
        { learningRate: 0 },
        { gamma: 1.5 },
        { batchSize: 0 },
        { trainEvery: 0.5 },
        { epsilonEnd: -0.1 },
        { maxGradientNorm: 0 },
        { seed: 0.5 },
      ])
        expect(thrown(() => new Dqn({ observationSize: 4, actions: 2, ...bad }))).toBeInstanceOf(InvalidOptionError);
    });

    it('decays ε linearly from epsilonStart to epsilonEnd', () => {
      const dqn = new Dqn({ ...small, epsilonStart: 1, epsilonEnd: 0.1, epsilonDecaySteps: 100, learningStarts: 1e6 });
      expect(dqn.epsilon).toBe(1);
      run(dqn, new Chain(10, 20), 50);
      expect(dqn.epsilon).toBeCloseTo(0.55, 12);
      run(dqn, new Chain(10, 20), 100);
      expect(dqn.epsilon).toBeCloseTo(0.1, 12);
      dqn.dispose();
    });
  });

  describe('inputs', () => {
    it('rejects a wrong observation, a non-finite value and an action out of range', () => {
      const dqn = new Dqn({ observationSize: 3, actions: 2 });
      const ok = Float32Array.of(0, 1, 2);
      const short = thrown(() => dqn.act(Float32Array.of(0, 1)));
      expect(short).toBeInstanceOf(ShapeMismatchError);
      expect((short as Error).message).toBe(
        'Dqn.act: expected observation to be a Float32Array(3), but got Float32Array(2)',
      );
      expect(thrown(() => dqn.qValues(Float32Array.of(0, Number.NaN, 1)))).toBeInstanceOf(NonFiniteError);
      expect(thrown(() => dqn.observe(ok, 0, 0, Float32Array.of(1, 2, Infinity), false))).toBeInstanceOf(
        NonFiniteError,
      );
      expect(thrown(() => dqn.observe(ok, 0, Number.NaN, ok, false))).toBeInstanceOf(NonFiniteError);
      const next = thrown(() => dqn.observe(ok, 0, 0, Float32Array.of(1), false));
      expect(next).toBeInstanceOf(ShapeMismatchError);
      expect((next as Error).message).toBe(
        'Dqn.observe: expected nextObservation to be a Float32Array(3), but got Float32Array(1)',
      );
      const action = thrown(() => dqn.observe(ok, 2, 0, ok, false));
      expect(action).toBeInstanceOf(InvalidOptionError);
      expect((action as Error).message).toBe('Dqn.observe: expected an action in [0, 2), but got 2');
      expect(dqn.stored).toBe(0);
      dqn.dispose();
      const disposed = thrown(() => dqn.greedy(ok));
      expect(disposed).toBeInstanceOf(StateError);
      expect((disposed as StateError).code).toBe('ERR_DISPOSED');
    });
  });

  describe('#observe', () => {
    it('updates from learningStarts on, every trainEvery steps, gradientSteps at a time', () => {
      const dqn = new Dqn({ ...small, learningStarts: 40, trainEvery: 4, gradientSteps: 3 });
      run(dqn, new Chain(10, 20), 39);
      expect(dqn.updates).toBe(0);
      run(dqn, new Chain(10, 20), 61);
      // Steps 40, 44, …, 100: 16 due, 3 updates each.
      expect(dqn.updates).toBe(48);
      dqn.dispose();
    });
  });

  describe('#gradients', () => {
    it('matches tfjs autodiff of the mean Huber loss against the target network', () => {
      const dqn = new Dqn({ observationSize: 3, actions: 4, hidden: [5, 6], gamma: 0.9, seed: 4 });
      const buffer = new ReplayBuffer({ observationSize: 3, capacity: 16, seed: 2 });
      const rng = new Rng(3);
      const draw = (): Float32Array => Float32Array.from({ length: 3 }, () => 2 * rng.normal());
      // Rewards of ±3 put some errors past the Huber loss's quadratic zone.
      for (let k = 0; k < 16; k++) buffer.push(draw(), rng.int(4), 3 * rng.normal(), draw(), rng.float() < 0.3);
      const batch = buffer.sample(buffer.createBatch(12));
      const weights = dqn.readWeights();
      const got = dqn.gradients(batch);
      const sizes = [3, 5, 6, 4];
      const vars = weights.map((w, i) =>
        tf.variable(tf.tensor2d(w, i < 3 ? [sizes[i]!, sizes[i + 1]!] : [1, sizes[i - 2]!])),
      );
      const want = tf.tidy(() => {
        const q = (x: Float32Array): tf.Tensor2D => {
          let h = tf.tensor2d(x, [batch.rows, 3]);
          for (let l = 0; l < 3; l++) {
            const z = tf.add(tf.matMul(h, vars[l]!), vars[3 + l]!) as tf.Tensor2D;
            h = l < 2 ? (tf.relu(z) as tf.Tensor2D) : z;
          }
          return h;
        };
        const discount = tf.tensor2d(
          batch.terminated.map((t) => 0.9 * (1 - t)),
          [batch.rows, 1],
        );
        const y = tf.add(
          tf.tensor2d(batch.rewards, [batch.rows, 1]),
          tf.mul(discount, tf.max(q(batch.nextObservations), 1, true)),
        );
        const mask = new Float32Array(batch.rows * 4);
        batch.actions.forEach((a, r) => {
          mask[r * 4 + a] = 1;
        });
        const { grads } = tf.variableGrads(() => {
          const taken = tf.sum(tf.mul(q(batch.observations), tf.tensor2d(mask, [batch.rows, 4])), 1, true);
          return tf.losses.huberLoss(y, taken) as tf.Scalar;
        }, vars);
        return vars.map((v) => grads[v.name]!.dataSync() as Float32Array);
      });
      got.forEach((g, i) => {
        const scale = Math.max(...want[i]!.map(Math.abs), 1e-6);
        g.forEach((v, j) => expect(Math.abs(v - want[i]![j]!) / scale, `parameter ${i}`).toBeLessThan(1e-4));
      });
      tf.dispose(vars);
      dqn.dispose();
    });
  });

  describe('determinism', () => {
    it('takes the same actions and reaches the same Q-values from the same seed', () => {
      const options = { ...small, learningStarts: 100, targetUpdateEvery: 50, seed: 9 };
      const a = new Dqn(options);
      const b = new Dqn(options);
      const c = new Dqn({ ...options, seed: 10 });
      const chain = new Chain(10, 20);
      expect(run(a, chain, 400)).toEqual(run(b, chain, 400));
      expect(a.updates).toBeGreaterThan(0);
      const probe = chain.observation(3);
      expect(Array.from(a.qValues(probe))).toEqual(Array.from(b.qValues(probe)));
      run(c, chain, 400);
      expect(Array.from(a.qValues(probe))).not.toEqual(Array.from(c.qValues(probe)));
      for (const d of [a, b, c]) d.dispose();
    });
  });

  describe('learning', () => {
    it('finds the shortest path along a chain that a random policy rarely crosses (3 seeds)', () => {
      const chain = new Chain(10, 20);
      // A uniformly random policy reaches the right end in about 6.5% of its 20-step episodes.
      const rng = new Rng(1);
      let reached = 0;
      for (let e = 0; e < 2000; e++) {
        chain.reset();
        for (let t = 0; t < chain.limit; t++) {
          if (chain.step(rng.int(2)).terminated) {
            reached++;
            break;
          }
        }
      }
      expect(reached / 2000).toBeLessThan(0.1);
      for (const seed of [1, 2, 3]) {
        const dqn = new Dqn({ ...small, gamma: 0.9, epsilonDecaySteps: 2000, targetUpdateEvery: 100, seed });
        run(dqn, chain, 3000);
        expect(greedyLength(dqn, chain), `seed ${seed}`).toBe(chain.states - 1);
        dqn.dispose();
      }
    });
  });

  describe('memory', () => {
    it('keeps the tensor count flat while it learns, and frees every tensor on dispose', () => {
      const before = liveTensors();
      const dqn = new Dqn({ ...small, learningStarts: 50, targetUpdateEvery: 30, seed: 5 });
      const chain = new Chain(10, 20);
      run(dqn, chain, 100);
      const warm = liveTensors();
      run(dqn, chain, 400);
      dqn.qValues(chain.observation(2));
      dqn.gradients(new ReplayBuffer({ observationSize: 10, capacity: 1 }).createBatch(1));
      expect(liveTensors()).toBe(warm);
      dqn.dispose();
      expect(liveTensors()).toBe(before);
    });
  });
});
