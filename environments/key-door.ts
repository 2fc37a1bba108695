// KeyDoor-v0: a grid world whose only reward is late: fetch the key, then walk to the door. On an
// open size×size grid the agent starts in the top-left corner, the key lies in the bottom-right,
// the door is in the top-right; the door gives 1 (and ends the episode) only to an agent holding
// the key, so the credit for picking it up must travel across the many steps to the door.
// Observation: box(size² + 1, 0, 1), a one-hot of the agent's cell (row-major) and then a has-key
// flag; with the fixed positions that is the whole state (Markov): the difficulty is the delayed
// reward, not memory. (With `randomize` the key's cell is drawn per episode and is not observed.)
// A uniformly random policy (actions from Rng(0)) succeeds in 24.7% of 1,000 episodes with the
// defaults (5×5, 100 steps; 21.9% of 10,000), and in 5.9% with size 4, length 30 (the "tiny" world).

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
import { corruptState, stateBoolean, stateInteger, stateRecord } from '../src/checkpoint/state-checks.js';
import {
  booleanOption,
  environmentOptions,
  integerOption,
  numberOption,
  checkStateOwner,
  resetSeed,
} from './environment-options.js';

export interface KeyDoorOptions {
  /** Cells per side of the square grid (>= 3). Default 5. */
  size?: number;
  /** Steps per episode; then `truncated`. Default 100. */
  length?: number;
  /** Draw the start and the key cells per episode (distinct, neither the door's). Default false. */
  randomize?: boolean;
  /** Subtracted from the reward of every step (>= 0). Default 0. */
  stepPenalty?: number;
}

export const KEY_DOOR_DEFAULTS: Readonly<Required<KeyDoorOptions>> = Object.freeze({
  size: 5,
  length: 100,
  randomize: false,
  stepPenalty: 0,
});

/** The actions, in order: 0 up, 1 right, 2 down, 3 left. */
export const KEY_DOOR_ACTIONS: readonly string[] = Object.freeze(['up', 'right', 'down', 'left']);
const MOVES: readonly (readonly [number, number])[] = [
  [-1, 0],
  [0, 1],
  [1, 0],
  [0, -1],
];

const WHERE = 'KeyDoor';

/**
 * Cells are numbered row-major, `row * size + column`, row 0 at the top. `info` after reset and
 * each step: `hasKey`; after each step also `success` (true on the step onto the door with the key).
 */
export class KeyDoor implements Environment<Float32Array, number> {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace = discrete(4, { labels: KEY_DOOR_ACTIONS });
  spec?: EnvironmentSpec;
  readonly size: number;
  readonly length: number;
  readonly randomize: boolean;
  readonly stepPenalty: number;
  /** The door's cell (the top-right corner). */
  readonly door: number;
  private rng = new Rng(0);
  private agent = 0;
  private key = 0;
  private hasKey = false;
  private t = -1;
  private done = false;

  constructor(options: KeyDoorOptions = {}) {
    const o = environmentOptions(WHERE, options, KEY_DOOR_DEFAULTS);
    this.size = integerOption(WHERE, 'size', o.size, 3);
    this.length = integerOption(WHERE, 'length', o.length, 1);
    this.randomize = booleanOption(WHERE, 'randomize', o.randomize);
    this.stepPenalty = numberOption(WHERE, 'stepPenalty', o.stepPenalty, 0);
    this.observationSpace = box(this.size * this.size + 1, 0, 1);
    this.door = this.size - 1;
  }

  /** The cell the agent stands on, and the key's cell (where it lay, once picked up). */
  get position(): { readonly agent: number; readonly key: number } {
    return { agent: this.agent, key: this.key };
  }

  reset(options?: ResetOptions): ResetResult<Float32Array> {
    const seed = resetSeed(WHERE, options);
    if (seed !== undefined) {
      this.rng = new Rng(seed);
    }
    const cells = this.size * this.size;
    if (this.randomize) {
      // The start among the cells but the door; the key among those left.
      this.agent = this.rng.int(cells - 1);
      if (this.agent >= this.door) this.agent += 1;
      const others = [this.door, this.agent].sort((a, b) => a - b);
      this.key = this.rng.int(cells - 2);
      for (const taken of others) if (this.key >= taken) this.key += 1;
    } else {
      this.agent = 0;
      this.key = cells - 1;
    }
    this.hasKey = false;
    this.t = 0;
    this.done = false;
    return { observation: this.observe(), info: { hasKey: false } };
  }

  step(action?: SpaceValue | null): StepResult<Float32Array> {
    if (this.t < 0) throw new StateError('ERR_RESET_NEEDED', `${WHERE}.step: expected reset() before the first step`);
    if (this.done) throw new StateError('ERR_EPISODE_ENDED', `${WHERE}.step: expected reset() after the episode ended`);
    assertInSpace(this.actionSpace, action, `${WHERE}.step: action`);
    const [dr, dc] = MOVES[action as number]!;
    const row = Math.floor(this.agent / this.size) + dr;
    const column = (this.agent % this.size) + dc;
    // Into a wall: the agent stays where it is.
    if (row >= 0 && row < this.size && column >= 0 && column < this.size) this.agent = row * this.size + column;
    if (this.agent === this.key) this.hasKey = true;
    const success = this.hasKey && this.agent === this.door;
    this.t += 1;
    const terminated = success;
    const truncated = !terminated && this.t === this.length;
    this.done = terminated || truncated;
    const reward = (success ? 1 : 0) - this.stepPenalty;
    return { observation: this.observe(), reward, terminated, truncated, info: { hasKey: this.hasKey, success } };
  }

  private observe(): Float32Array {
    const observation = new Float32Array(this.size * this.size + 1);
    observation[this.agent] = 1;
    observation[this.size * this.size] = this.hasKey ? 1 : 0;
    return observation;
  }

  getState(): Record<string, unknown> {
    return {
      environment: WHERE,
      rng: this.rng.getState(),
      agent: this.agent,
      key: this.key,
      hasKey: this.hasKey,
      t: this.t,
      done: this.done,
    };
  }

  setState(state: unknown): void {
    const where = `${WHERE}.setState`;
    checkStateOwner(where, state, WHERE);
    const s = stateRecord(where, 'the state', state, ['environment', 'rng', 'agent', 'key', 'hasKey', 't', 'done']);
    const rng = checkRngState(s.rng, where, 'rng');
    const last = this.size * this.size - 1;
    const agent = stateInteger(where, 'agent', s.agent, 0, last);
    const key = stateInteger(where, 'key', s.key, 0, last);
    if (key === this.door) corruptState(where, 'key', `a cell other than the door's (${this.door})`, key);
    const hasKey = stateBoolean(where, 'hasKey', s.hasKey);
    const t = stateInteger(where, 't', s.t, -1, this.length);
    const done = stateBoolean(where, 'done', s.done);
    this.rng = new Rng(0);
    this.rng.setState(rng);
    this.agent = agent;
    this.key = key;
    this.hasKey = hasKey;
    this.t = t;
    this.done = done;
  }

  close(): void {}
}
