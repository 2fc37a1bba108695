// Deep Q-network (Mnih et al. 2015), for comparisons only: a ReLU MLP estimates Q(s, ·), acts
// ε-greedily on it (ε decayed linearly), learns from uniform minibatches of a replay buffer against
// a target network copied from it every `targetUpdateEvery` steps, with Adam on the Huber loss and
// the gradients clipped by their global norm. The backward pass is written by hand: tfjs autodiff
// runs matMul with transposed operands, which on wasm is several times slower than transposing
// first. Weights are glorot-uniform (zero biases) from the seed's Rng, so a seed fixes the run.
//   y = r + γ (1 − terminated) max_a' Q̄(s', a');  δ = Q(s, a) − y
//   L = mean Huber(δ), Huber(δ) = δ²/2 if |δ| ≤ 1 else |δ| − 1/2;  ∂L/∂Q(s, a) = clip(δ, −1, 1) / B
//   per layer, top down: dW = hᵀ·dz, db = Σ dz, dz₋ = (dz·Wᵀ) ⊙ [h > 0]

import { InvalidOptionError, NonFiniteError, StateError, describeValue } from '../errors.js';
import { glorotUniform, tf } from '../math/index.js';
import { checkKeys, numberOption } from '../options.js';
import { Rng } from '../random.js';
import { type ReplayBatch, ReplayBuffer, checkObservation } from './replay-buffer.js';

type T = tf.Tensor2D;

export interface DqnOptions {
  readonly observationSize: number;
  /** Discrete actions, 0 … actions − 1. */
  readonly actions: number;
  /** Hidden ReLU layer sizes; default [64, 64]. */
  readonly hidden?: readonly number[];
  /** Adam's learning rate; default 1e-3. */
  readonly learningRate?: number;
  /** Discount γ; default 0.99. */
  readonly gamma?: number;
  /** Transitions per minibatch; default 64. */
  readonly batchSize?: number;
  /** Replay capacity; default 50,000. */
  readonly bufferSize?: number;
  /** Steps stored before the first update; default 1,000. */
  readonly learningStarts?: number;
  /** Steps between updates; default 1. */
  readonly trainEvery?: number;
  /** Minibatch updates each time one is due; default 1. */
  readonly gradientSteps?: number;
  /** Steps between hard copies of the network into the target network; default 500. */
  readonly targetUpdateEvery?: number;
  /** ε at step 0; default 1. */
  readonly epsilonStart?: number;
  /** ε from `epsilonDecaySteps` on; default 0.05. */
  readonly epsilonEnd?: number;
  /** Steps of the linear decay from `epsilonStart` to `epsilonEnd`; default 10,000. */
  readonly epsilonDecaySteps?: number;
  /** The gradients' global norm is clipped to this; default 10. */
  readonly maxGradientNorm?: number;
  readonly seed?: number;
}

export const DQN_OPTION_KEYS = [
  'observationSize',
  'actions',
  'hidden',
  'learningRate',
  'gamma',
  'batchSize',
  'bufferSize',
  'learningStarts',
  'trainEvery',
  'gradientSteps',
  'targetUpdateEvery',
  'epsilonStart',
  'epsilonEnd',
  'epsilonDecaySteps',
  'maxGradientNorm',
  'seed',
] as const;

interface Net {
  readonly weights: tf.Variable[];
  readonly biases: tf.Variable[];
}

export class Dqn {
  readonly observationSize: number;
  readonly actions: number;
  readonly hidden: readonly number[];
  readonly gamma: number;
  readonly batchSize: number;
  readonly learningStarts: number;
  readonly trainEvery: number;
  readonly gradientSteps: number;
  readonly targetUpdateEvery: number;
  readonly epsilonStart: number;
  readonly epsilonEnd: number;
  readonly epsilonDecaySteps: number;
  readonly maxGradientNorm: number;
  private readonly online: Net;
  private readonly target: Net;
  private readonly optimizer: tf.Optimizer;
  private readonly buffer: ReplayBuffer;
  private readonly batch: ReplayBatch;
  private readonly rng: Rng;
  private disposed = false;
  /** Transitions observed. */
  steps = 0;
  /** Minibatch updates made. */
  updates = 0;

  constructor(options: DqnOptions) {
    const where = 'Dqn';
    checkKeys(where, options, DQN_OPTION_KEYS);
    const int = (name: keyof DqnOptions, fallback: number, min: number): number =>
      numberOption(where, name, options?.[name], fallback, { integer: true, min });
    this.observationSize = int('observationSize', Number.NaN, 1);
    this.actions = int('actions', Number.NaN, 2);
    this.hidden = hiddenOption(where, options.hidden);
    const learningRate = numberOption(where, 'learningRate', options.learningRate, 1e-3, { above: 0 });
    this.gamma = numberOption(where, 'gamma', options.gamma, 0.99, { min: 0, max: 1 });
    this.batchSize = int('batchSize', 64, 1);
    const bufferSize = int('bufferSize', 50_000, 1);
    this.learningStarts = int('learningStarts', 1_000, 0);
    this.trainEvery = int('trainEvery', 1, 1);
    this.gradientSteps = int('gradientSteps', 1, 1);
    this.targetUpdateEvery = int('targetUpdateEvery', 500, 1);
    this.epsilonStart = numberOption(where, 'epsilonStart', options.epsilonStart, 1, { min: 0, max: 1 });
    this.epsilonEnd = numberOption(where, 'epsilonEnd', options.epsilonEnd, 0.05, { min: 0, max: 1 });
    this.epsilonDecaySteps = int('epsilonDecaySteps', 10_000, 0);
    this.maxGradientNorm = numberOption(where, 'maxGradientNorm', options.maxGradientNorm, 10, { above: 0 });
    const rng = new Rng(numberOption(where, 'seed', options.seed, 0, { integer: true }));
    const sizes = [this.observationSize, ...this.hidden, this.actions];
    const weights: tf.Variable[] = [];
    const biases: tf.Variable[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      weights.push(parameter(glorotUniform(sizes[l]!, sizes[l + 1]!, rng), sizes[l]!, sizes[l + 1]!));
      biases.push(parameter(new Float32Array(sizes[l + 1]!), 1, sizes[l + 1]!));
    }
    this.online = { weights, biases };
    this.target = {
      weights: weights.map((w) => tf.variable(w, false)),
      biases: biases.map((b) => tf.variable(b, false)),
    };
    this.optimizer = tf.train.adam(learningRate);
    this.buffer = new ReplayBuffer({ observationSize: this.observationSize, capacity: bufferSize, seed: rng.seed() });
    this.batch = this.buffer.createBatch(this.batchSize);
    this.rng = rng.fork();
  }

  /** ε now: linear from `epsilonStart` to `epsilonEnd` over the first `epsilonDecaySteps` steps. */
  get epsilon(): number {
    const done = this.epsilonDecaySteps === 0 ? 1 : Math.min(1, this.steps / this.epsilonDecaySteps);
    return this.epsilonStart + (this.epsilonEnd - this.epsilonStart) * done;
  }

  /** Transitions held in the replay buffer. */
  get stored(): number {
    return this.buffer.size;
  }

  /** A uniformly random action with probability ε, else the greedy one (seeded). */
  act(observation: Float32Array): number {
    this.check('Dqn.act', observation);
    if (this.rng.float() < this.epsilon) return this.rng.int(this.actions);
    return argMax(this.read(observation));
  }

  /** The action of the largest Q-value (the first, on a tie). */
  greedy(observation: Float32Array): number {
    this.check('Dqn.greedy', observation);
    return argMax(this.read(observation));
  }

  /** Q(observation, a) for every action. */
  qValues(observation: Float32Array): Float32Array {
    this.check('Dqn.qValues', observation);
    return this.read(observation);
  }

  /**
   * Stores the transition and, when due, makes `gradientSteps` minibatch updates and copies the
   * network into the target network. `terminated` only for a true end: a time limit is not one.
   */
  observe(
    observation: Float32Array,
    action: number,
    reward: number,
    nextObservation: Float32Array,
    terminated: boolean,
  ): void {
    const where = 'Dqn.observe';
    this.check(where, observation);
    if (!Number.isInteger(action) || action < 0 || action >= this.actions)
      throw new InvalidOptionError(
        `${where}: expected an action in [0, ${this.actions}), but got ${describeValue(action)}`,
      );
    checkObservation(where, 'nextObservation', nextObservation, this.observationSize);
    if (!Number.isFinite(reward)) throw new NonFiniteError(`${where}: expected a finite reward, but got ${reward}`);
    if (typeof terminated !== 'boolean')
      throw new InvalidOptionError(
        `${where}: expected "terminated" to be a boolean, but got ${describeValue(terminated)}`,
      );
    this.buffer.push(observation, action, reward, nextObservation, terminated);
    this.steps++;
    if (this.steps >= this.learningStarts && this.steps % this.trainEvery === 0) {
      for (let k = 0; k < this.gradientSteps; k++) this.train();
    }
    if (this.steps % this.targetUpdateEvery === 0) this.copyTarget();
  }

  private check(where: string, observation: Float32Array): void {
    if (this.disposed) throw new StateError('ERR_DISPOSED', `${where}: expected a live Dqn, but it has been disposed`);
    checkObservation(where, 'observation', observation, this.observationSize);
  }

  private read(observation: Float32Array): Float32Array {
    return tf.tidy(() => {
      const q = this.forward(this.online, tf.tensor2d(observation, [1, this.observationSize])).q;
      return (q.dataSync() as Float32Array).slice();
    });
  }

  /** The layers' outputs (inputs first, ReLU applied) and Q, under `net` (call inside a tidy). */
  private forward(net: Net, x: T): { hs: T[]; q: T } {
    const hs: T[] = [x];
    const last = net.weights.length - 1;
    let q = x;
    net.weights.forEach((w, l) => {
      const z = tf.add(tf.matMul(hs[l]!, w), net.biases[l]!) as T;
      if (l < last) hs.push(tf.relu(z) as T);
      else q = z;
    });
    return { hs, q };
  }

  /** One Adam step on a minibatch from the replay buffer, the gradients clipped by their global norm. */
  private train(): void {
    const batch = this.buffer.sample(this.batch);
    tf.tidy(() => {
      const grads = this.lossGradients(batch);
      const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
      const scale = tf.div(this.maxGradientNorm, tf.maximum(norm, this.maxGradientNorm));
      const clipped: tf.NamedTensorMap = {};
      this.parameters().forEach((v, i) => {
        clipped[v.name] = tf.mul(grads[i]!, scale);
      });
      this.optimizer.applyGradients(clipped);
    });
    this.updates++;
  }

  /** ∂L/∂ each of `parameters()`, in that order, on `batch` (call inside a tidy). */
  private lossGradients(batch: ReplayBatch): T[] {
    const { rows, observations, actions, rewards, nextObservations, terminated } = batch;
    const A = this.actions;
    const n = this.observationSize;
    const mask = new Float32Array(rows * A);
    const discount = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      mask[r * A + actions[r]!] = 1;
      discount[r] = this.gamma * (1 - terminated[r]!);
    }
    const next = this.forward(this.target, tf.tensor2d(nextObservations, [rows, n])).q;
    const y = tf.add(tf.tensor2d(rewards, [rows, 1]), tf.mul(tf.tensor2d(discount, [rows, 1]), tf.max(next, 1, true)));
    const { hs, q } = this.forward(this.online, tf.tensor2d(observations, [rows, n]));
    const m = tf.tensor2d(mask, [rows, A]);
    const delta = tf.sub(tf.sum(tf.mul(q, m), 1, true), y);
    let dz = tf.mul(m, tf.div(tf.clipByValue(delta, -1, 1), rows)) as T;
    const { weights } = this.online;
    const L = weights.length;
    const grads: T[] = new Array(2 * L);
    for (let l = L - 1; l >= 0; l--) {
      grads[l] = tf.matMul(tf.transpose(hs[l]!), dz) as T;
      grads[L + l] = tf.sum(dz, 0, true) as T;
      // relu′(z) = [h > 0], and h ≥ 0, so sign(h) is the mask.
      if (l > 0) dz = tf.mul(tf.matMul(dz, tf.transpose(weights[l]!)), tf.sign(hs[l]!)) as T;
    }
    return grads;
  }

  /** The network's weights, then its biases, layer by layer from the input. */
  private parameters(): tf.Variable[] {
    return [...this.online.weights, ...this.online.biases];
  }

  /** For tests: the loss gradients on `batch` (before clipping), as `readWeights` orders them. */
  gradients(batch: ReplayBatch): Float32Array[] {
    return tf.tidy(() => this.lossGradients(batch).map((g) => (g.dataSync() as Float32Array).slice()));
  }

  /** For tests: the network's weights, then its biases, layer by layer, as plain data. */
  readWeights(): Float32Array[] {
    return this.parameters().map((v) => (v.dataSync() as Float32Array).slice());
  }

  private copyTarget(): void {
    this.online.weights.forEach((w, l) => this.target.weights[l]!.assign(w));
    this.online.biases.forEach((b, l) => this.target.biases[l]!.assign(b));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([...this.online.weights, ...this.online.biases, ...this.target.weights, ...this.target.biases]);
    this.optimizer.dispose();
  }
}

function hiddenOption(where: string, value: unknown): readonly number[] {
  if (value === undefined) return [64, 64];
  if (!Array.isArray(value) || value.some((v) => !Number.isInteger(v) || v < 1))
    throw new InvalidOptionError(
      `${where}: expected option "hidden" to be an array of integers >= 1, but got ${describeValue(value)}`,
    );
  return [...value];
}

/** The index of the largest value, the first on a tie. */
function argMax(values: Float32Array): number {
  let best = 0;
  for (let a = 1; a < values.length; a++) if (values[a]! > values[best]!) best = a;
  return best;
}

function parameter(values: Float32Array, rows: number, cols: number): tf.Variable {
  const init = tf.tensor2d(values, [rows, cols]);
  const v = tf.variable(init);
  init.dispose();
  return v;
}
