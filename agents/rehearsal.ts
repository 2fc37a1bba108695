// Rehearsal: besides the live stream, the agent's learner steps `streams` more rows of its batch
// that replay the live stream's own past, segments of `segment` steps from seeded random starts
// among the last `memory` steps, each segment a new episode (the row's state starts from zero).
// Every learning pass then sees the live step beside three older ones: what an LSTM gets from
// 16 steps of backpropagation through time, a target-propagation stack gets from data it has
// already seen (docs/experiments.md, rows 50–52). Only past inputs are replayed: a replayed
// row's next input is never newer than the live step, so prequential scores stay honest, and
// replayed rows carry no side information. Only the live row is scored.

import { stateArray, stateFloats, stateInteger, stateRecord } from '../src/checkpoint/state-checks.js';
import { InvalidOptionError, describeValue } from '../src/errors.js';
import { checkKeys, numberOption } from '../src/options.js';
import { Rng, type RngState, checkRngState } from '../src/random.js';

export interface RehearsalOptions {
  /** Rows that replay the past beside the live one; default 3. */
  readonly streams?: number;
  /** Steps replayed from one start before the next random start; default 100. */
  readonly segment?: number;
  /** Past steps kept to replay from (each input × 4 bytes); default 50,000. */
  readonly memory?: number;
}

export interface ResolvedRehearsal {
  readonly streams: number;
  readonly segment: number;
  readonly memory: number;
}

/** The rehearsal's state as plain data: the kept inputs oldest first, the rows' places, the generator. */
export interface RehearsalState {
  total: number;
  inputs: Float32Array;
  firsts: number[];
  positions: number[];
  left: number[];
  rng: RngState;
}

const KEYS = ['streams', 'segment', 'memory'];

/** `rehearse` as given (undefined or false: none; true: the defaults), checked. */
export function resolveRehearsal(where: string, value: unknown): ResolvedRehearsal | null {
  if (value === undefined || value === false) return null;
  if (value !== true && (typeof value !== 'object' || value === null || Array.isArray(value)))
    throw new InvalidOptionError(
      `${where}: expected option "rehearse" to be a boolean or { streams, segment, memory }, but got ` +
        describeValue(value),
    );
  const given = value === true ? {} : (value as RehearsalOptions);
  const at = `${where} option "rehearse"`;
  checkKeys(at, given, KEYS);
  return {
    streams: numberOption(at, 'streams', given.streams, 3, { integer: true, min: 1 }),
    segment: numberOption(at, 'segment', given.segment, 100, { integer: true, min: 1 }),
    memory: numberOption(at, 'memory', given.memory, 50_000, { integer: true, min: 2 }),
  };
}

export class Rehearsal {
  readonly streams: number;
  readonly segment: number;
  readonly memory: number;
  private readonly inputs: Float32Array;
  private readonly firsts: Uint8Array;
  /** Steps remembered since the start (the newest has index total − 1). */
  private total = 0;
  /** Per replay row, the index of the next step it replays, and the steps left in its segment. */
  private readonly positions: number[];
  private readonly left: number[];
  private readonly rng: Rng;

  constructor(
    options: ResolvedRehearsal,
    readonly inputSize: number,
    seed: number,
  ) {
    this.streams = options.streams;
    this.segment = options.segment;
    this.memory = options.memory;
    this.inputs = new Float32Array(this.memory * inputSize);
    this.firsts = new Uint8Array(this.memory);
    this.positions = new Array(this.streams).fill(0);
    this.left = new Array(this.streams).fill(0);
    // Its own generator, so that rehearsing does not change the learner's draws.
    this.rng = new Rng(seed + 0x5eed);
  }

  /** The oldest step still kept. */
  private get oldest(): number {
    return Math.max(0, this.total - this.memory);
  }

  /** Keeps the live step's input (`n` values at `x[at]`); `first` when it starts an episode. */
  remember(x: Float32Array, at: number, first: boolean): void {
    const slot = this.total % this.memory;
    const n = this.inputSize;
    this.inputs.set(x.subarray(at, at + n), slot * n);
    this.firsts[slot] = first ? 1 : 0;
    this.total++;
  }

  /**
   * Writes the replayed inputs into rows 1..streams of `x` (row r at r × n) and returns the rows
   * that start an episode there (a new segment, or a kept step that started one). Replays steps
   * older than the newest one remembered; before there are two, repeats the newest as a start.
   */
  fill(x: Float32Array): number[] {
    const n = this.inputSize;
    const newest = this.total - 1;
    const starting: number[] = [];
    for (let r = 0; r < this.streams; r++) {
      let start = false;
      let position: number;
      if (this.total < 2) {
        position = newest;
        this.left[r] = 0;
        start = true;
      } else {
        if (this.left[r]! <= 0 || this.positions[r]! >= newest || this.positions[r]! < this.oldest) {
          this.positions[r] = this.oldest + Math.floor(this.rng.float() * (newest - this.oldest));
          this.left[r] = this.segment;
          start = true;
        }
        position = this.positions[r]!++;
        this.left[r]!--;
      }
      const slot = position % this.memory;
      x.set(this.inputs.subarray(slot * n, (slot + 1) * n), (1 + r) * n);
      if (start || this.firsts[slot]) starting.push(1 + r);
    }
    return starting;
  }

  /** Every row starts a new segment at the next fill (the learner ended all its rows' episodes). */
  restart(): void {
    this.left.fill(0);
  }

  getState(): RehearsalState {
    const count = this.total - this.oldest;
    const n = this.inputSize;
    const inputs = new Float32Array(count * n);
    const firsts: number[] = [];
    for (let k = 0; k < count; k++) {
      const slot = (this.oldest + k) % this.memory;
      inputs.set(this.inputs.subarray(slot * n, (slot + 1) * n), k * n);
      firsts.push(this.firsts[slot]!);
    }
    return {
      total: this.total,
      inputs,
      firsts,
      positions: [...this.positions],
      left: [...this.left],
      rng: this.rng.getState(),
    };
  }

  /** Checks a saved state against this rehearsal (CheckpointError when it does not fit); returns a restorer. */
  checkState(state: unknown, where: string, path = 'rehearsal'): () => void {
    const record = stateRecord(where, path, state, ['total', 'inputs', 'firsts', 'positions', 'left', 'rng']);
    const total = stateInteger(where, `${path}.total`, record.total);
    const count = Math.min(total, this.memory);
    const inputs = stateFloats(where, `${path}.inputs`, record.inputs, count * this.inputSize);
    const firsts = stateArray(where, `${path}.firsts`, record.firsts, count).map((v, k) =>
      stateInteger(where, `${path}.firsts[${k}]`, v, 0, 1),
    );
    const positions = stateArray(where, `${path}.positions`, record.positions, this.streams).map((v, r) =>
      stateInteger(where, `${path}.positions[${r}]`, v, 0, Math.max(total, 0)),
    );
    const left = stateArray(where, `${path}.left`, record.left, this.streams).map((v, r) =>
      stateInteger(where, `${path}.left[${r}]`, v, 0, this.segment),
    );
    const rng = checkRngState(record.rng, where, `${path}.rng`);
    return () => {
      this.total = total;
      const oldest = this.oldest;
      const n = this.inputSize;
      for (let k = 0; k < count; k++) {
        const slot = (oldest + k) % this.memory;
        this.inputs.set(inputs.subarray(k * n, (k + 1) * n), slot * n);
        this.firsts[slot] = firsts[k]!;
      }
      positions.forEach((p, r) => {
        this.positions[r] = p;
      });
      left.forEach((l, r) => {
        this.left[r] = l;
      });
      this.rng.setState(rng);
    };
  }
}
