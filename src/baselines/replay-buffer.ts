// Experience replay for the DQN baseline (Lin 1992; Mnih et al. 2015): a fixed-capacity ring of
// transitions (observation, action, reward, next observation, terminated), the oldest overwritten
// once full, and minibatches drawn uniformly with replacement from a seeded Rng into arrays the
// caller allocates once. Truncation is not termination: a transition cut off by a time limit is
// stored with `terminated` false, so its target still bootstraps from the next observation.

import { InvalidOptionError, NonFiniteError, ShapeMismatchError, describeValue } from '../errors.js';
import { checkKeys, numberOption } from '../options.js';
import { Rng } from '../random.js';

export interface ReplayBufferOptions {
  readonly observationSize: number;
  /** Transitions kept; the oldest is overwritten past it. */
  readonly capacity: number;
  readonly seed?: number;
}

/** A minibatch, row-major: `rows` observations of `observationSize` values, one action etc. per row. */
export interface ReplayBatch {
  readonly rows: number;
  readonly observations: Float32Array;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly nextObservations: Float32Array;
  /** 1 where the episode terminated at the transition, else 0. */
  readonly terminated: Float32Array;
}

export class ReplayBuffer {
  readonly observationSize: number;
  readonly capacity: number;
  private readonly observations: Float32Array;
  private readonly nextObservations: Float32Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly rng: Rng;
  /** The slot the next transition goes to. */
  private head = 0;
  private count = 0;

  constructor(options: ReplayBufferOptions) {
    const where = 'ReplayBuffer';
    checkKeys(where, options, ['observationSize', 'capacity', 'seed']);
    const n = numberOption(where, 'observationSize', options?.observationSize, Number.NaN, { integer: true, min: 1 });
    this.observationSize = n;
    this.capacity = numberOption(where, 'capacity', options.capacity, Number.NaN, { integer: true, min: 1 });
    this.rng = new Rng(numberOption(where, 'seed', options.seed, 0, { integer: true }));
    this.observations = new Float32Array(this.capacity * n);
    this.nextObservations = new Float32Array(this.capacity * n);
    this.actions = new Int32Array(this.capacity);
    this.rewards = new Float32Array(this.capacity);
    this.terminated = new Uint8Array(this.capacity);
  }

  /** Transitions held now (at most `capacity`). */
  get size(): number {
    return this.count;
  }

  /** Stores a transition, overwriting the oldest when full. The arrays are copied. */
  push(
    observation: Float32Array,
    action: number,
    reward: number,
    nextObservation: Float32Array,
    terminated: boolean,
  ): void {
    const where = 'ReplayBuffer.push';
    checkObservation(where, 'observation', observation, this.observationSize);
    checkObservation(where, 'nextObservation', nextObservation, this.observationSize);
    if (!Number.isInteger(action) || action < 0)
      throw new InvalidOptionError(`${where}: expected an action that is an integer >= 0, but got ${action}`);
    if (!Number.isFinite(reward)) throw new NonFiniteError(`${where}: expected a finite reward, but got ${reward}`);
    if (typeof terminated !== 'boolean')
      throw new InvalidOptionError(
        `${where}: expected "terminated" to be a boolean, but got ${describeValue(terminated)}`,
      );
    const i = this.head;
    const n = this.observationSize;
    this.observations.set(observation, i * n);
    this.nextObservations.set(nextObservation, i * n);
    this.actions[i] = action;
    this.rewards[i] = reward;
    this.terminated[i] = terminated ? 1 : 0;
    this.head = (i + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** Arrays for minibatches of `rows` transitions, to be filled by `sample` again and again. */
  createBatch(rows: number): ReplayBatch {
    const r = numberOption('ReplayBuffer.createBatch', 'rows', rows, Number.NaN, { integer: true, min: 1 });
    const n = this.observationSize;
    return {
      rows: r,
      observations: new Float32Array(r * n),
      actions: new Int32Array(r),
      rewards: new Float32Array(r),
      nextObservations: new Float32Array(r * n),
      terminated: new Float32Array(r),
    };
  }

  /** Fills `batch` with transitions drawn uniformly, with replacement, from those held. */
  sample(batch: ReplayBatch): ReplayBatch {
    const where = 'ReplayBuffer.sample';
    if (this.count === 0)
      throw new InvalidOptionError(`${where}: expected a transition to sample, but the buffer is empty`);
    const n = this.observationSize;
    if (batch.observations.length !== batch.rows * n)
      throw new ShapeMismatchError(
        `${where}: expected a batch of ${batch.rows} × ${n} observations, but got ${describeValue(batch.observations)}`,
      );
    for (let r = 0; r < batch.rows; r++) {
      const i = this.rng.int(this.count);
      batch.observations.set(this.observations.subarray(i * n, (i + 1) * n), r * n);
      batch.nextObservations.set(this.nextObservations.subarray(i * n, (i + 1) * n), r * n);
      batch.actions[r] = this.actions[i]!;
      batch.rewards[r] = this.rewards[i]!;
      batch.terminated[r] = this.terminated[i]!;
    }
    return batch;
  }
}

/** Throws unless `value` is a Float32Array of `size` finite values. */
export function checkObservation(where: string, name: string, value: unknown, size: number): void {
  if (!(value instanceof Float32Array) || value.length !== size)
    throw new ShapeMismatchError(
      `${where}: expected ${name} to be a Float32Array(${size}), but got ${describeValue(value)}`,
    );
  for (let i = 0; i < size; i++) {
    if (!Number.isFinite(value[i]!))
      throw new NonFiniteError(`${where}: expected ${name} to be finite, but got ${value[i]} at ${i}`);
  }
}
